/**
 * `npm run bench:abuse`: a normal account query's latency (p50/p99) alone, then while two clients replay each bad
 * input of issue 15 as fast as they can: a variable-sized `first`, 15 aliases of it, a 5 MB body, a 50,000-address
 * `holderIn` and a 1 MB argument. Prints a table; the target is a p99 within 2× of the baseline.
 *
 * The indexer CLI runs as a child process (PGlite) over a chain with the protocol deployed and random activity
 * (the indexer tests' system); the load generator (autocannon) and the Hardhat node share the same cores.
 * Environment: BENCH_DURATION (s per run, default 8), BENCH_RATE (normal queries per second, default 200).
 */
import { Worker } from "node:worker_threads";
import autocannon from "autocannon";
import { connect, rpc, startHardhatNode } from "../test/indexer/helpers/env.js";
import { deploySystem, prng, randomActivity } from "../test/indexer/helpers/system.js";
import { startCli } from "../test/indexer/helpers/cli.js";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const ACCOUNT = `query($a: String!) { account(address: $a) { positions { seriesId balance claimableSats claimedSats accruedSats remainingThsDays valuation { valueSats valueUsdE8 } } } }`;
const TRANSFERS = "items { seriesId from to amount blockNumber logIndex batchIndex }";
const addr = (i: number) => `0x${(0x10000 + i).toString(16).padStart(40, "0")}`;

/** The bad inputs: label and request body. */
function badInputs(seriesId: string): [string, string][] {
  return [
    ["transfers(first: $f), f = 1000", JSON.stringify({ query: `query($f: Int) { transfers(first: $f) { ${TRANSFERS} } }`, variables: { f: 1000 } })],
    ["15 aliases of transfers(first: $f)", JSON.stringify({ query: `query($f: Int) { ${Array.from({ length: 15 }, (_, i) => `a${i}: transfers(first: $f) { ${TRANSFERS} }`).join(" ")} }`, variables: { f: 1000 } })],
    ["5 MB body", JSON.stringify({ query: `query($x: String) { _meta { block } }`, variables: { x: "a".repeat(5 * 1024 * 1024) } })],
    ["holderIn of 50,000 addresses", JSON.stringify({ query: `query($h: [String!]) { holders(seriesId: "${seriesId}", where: { holderIn: $h }) { items { holder balance } } }`, variables: { h: Array.from({ length: 50_000 }, (_, i) => addr(i)) } })],
    ["1 MB argument", JSON.stringify({ query: `{ account(address: "${"0x" + "ab".repeat(512 * 1024)}") { address } }` })],
  ];
}

/** Normal account queries at RATE per second for DURATION s: p50/p99 ms. */
async function normal(url: string, holders: string[]) {
  let i = 0;
  const r = await autocannon({
    url, connections: 4, overallRate: RATE, duration: DURATION,
    requests: [{ method: "POST", headers: { "content-type": "application/json" }, setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ query: ACCOUNT, variables: { a: holders[i++ % holders.length] } }) }) }],
  } as any);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/**
 * Two clients replaying `body` back to back, each in its own worker thread (so that the load generator's event loop,
 * which times the normal queries, stays free), until `stop()`; returns their answers by HTTP status and bytes.
 */
function abuse(url: string, body: string) {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const stats = { requests: 0, bytes: 0, status: {} };
    let stop = false;
    parentPort.on("message", () => { stop = true; });
    (async () => {
      while (!stop) {
        try {
          const r = await fetch(workerData.url, { method: "POST", headers: { "content-type": "application/json" }, body: workerData.body });
          const b = await r.arrayBuffer();
          stats.requests++; stats.bytes += b.byteLength; stats.status[r.status] = (stats.status[r.status] ?? 0) + 1;
        } catch { stats.status.closed = (stats.status.closed ?? 0) + 1; }
      }
      parentPort.postMessage(stats);
    })();`;
  const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { url, body } }));
  return {
    async stop() {
      const all = await Promise.all(workers.map((w) => new Promise<any>((r) => { w.once("message", r); w.postMessage("stop"); })));
      await Promise.all(workers.map((w) => w.terminate()));
      const status = new Map<string, number>();
      for (const s of all) for (const [k, n] of Object.entries(s.status)) status.set(k, (status.get(k) ?? 0) + (n as number));
      return { requests: all.reduce((a, s) => a + s.requests, 0), bytes: all.reduce((a, s) => a + s.bytes, 0), status };
    },
  };
}

async function main() {
  log("starting a Hardhat node and deploying the system");
  const node = await startHardhatNode();
  const sys = await deploySystem(await connect(node.url));
  await randomActivity(sys, prng(90), 40);
  const head = Number(await rpc(node.url, "eth_blockNumber"));
  const cli = await startCli([
    "--rpc", node.url, "--token", sys.addresses.token, "--oracle", sys.addresses.oracle, "--settlement", sys.addresses.settlement,
    "--from-block", String(sys.fromBlock), "--port", "0", "--data-dir", "memory://", "--stall-timeout", "3600000", "--log-level", "info", "--no-progress",
  ]);
  try {
    for (;;) {
      const r = await fetch(cli.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { block } }" }) });
      if (((await r.json()) as any).data?._meta?.block >= head) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const holders = sys.holders.map((h) => h.address);
    log("warm-up");
    await autocannon({ url: cli.url, connections: 4, duration: 2, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: ACCOUNT, variables: { a: holders[0] } }) } as any);
    log("baseline");
    const base = await normal(cli.url, holders);
    const rows: string[][] = [["normal account query alone", "", "", `${base.p50} / ${base.p99}`, "1.0×", String(base.errors)]];
    for (const [label, body] of badInputs(sys.ids[0].toString())) {
      log(label);
      const bad = abuse(cli.url, body);
      const r = await normal(cli.url, holders);
      const stats = await bad.stop();
      const status = [...stats.status].map(([s, n]) => `${s}×${n}`).join(" ");
      rows.push([
        `+ 2 clients: ${label}`, `${(stats.requests / DURATION).toFixed(0)} (${status})`,
        stats.requests ? `${Math.round(stats.bytes / stats.requests)}` : "-", `${r.p50} / ${r.p99}`,
        `${(r.p99 / Math.max(1, base.p99)).toFixed(1)}×`, String(r.errors),
      ]);
    }
    const head2 = ["", "bad req/s (HTTP status × count)", "bytes per bad answer", "account p50 / p99 ms", "p99 vs baseline", "account errors"];
    const widths = head2.map((_, i) => Math.max(...[head2, ...rows].map((r) => r[i].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
    console.log(`\nAbuse benchmark: account query at ${RATE} req/s (autocannon, 4 connections, ${DURATION} s per row); two abusive clients back to back; indexer CLI (PGlite) as a child process, Hardhat node and clients on the same cores.\n`);
    console.log(line(head2));
    console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`);
    for (const r of rows) console.log(line(r));
  } finally {
    cli.proc.kill("SIGTERM");
    await node.stop();
  }
}

await main();
process.exit(0);
