/**
 * `runReplay(options)`: replays real Bitcoin days end to end on a local chain and serves them over GraphQL.
 * Used by `npm start` (scripts/main.ts) and by the end-to-end test (test/e2e/main.test.ts), so both run the same
 * code path:
 *   1. start a Hardhat node whose clock starts the day before `--from` (chain.ts);
 *   2. deploy with the Ignition modules and register the farms (deploy.ts), and the lending layer (Morpho Blue, the
 *      wrapper factory: lending.ts);
 *   3. start the indexer beside it, following the DeFi contracts too (indexer.ts);
 *   4. report the warm-up day, issue and sell the first series (market.ts), open a Morpho loan (lending.ts);
 *   5. replay every day (loop.ts), printing progress;
 *   6. wait for the indexer to catch up and build the summary (summary.ts).
 * The returned handle keeps the chain and the API running until `close()`.
 */
import { holderAddresses, isHodler, makePlan, reporterAccounts, type Plan } from "./actors.js";
import { connectTo, createRuntime, mineManually, NodeAccount, rpc, setChainTime, startNode, type Connection, type LocalNode } from "./chain.js";
import { deploySystem } from "./deploy.js";
import { startLiveIndexer, type LiveIndexer } from "./indexer.js";
import { checkDatabase, checkPort } from "../../indexer/startup.js";
import { makeReporter, progressLine, reportDay, step } from "./loop.js";
import { deployLending, openLoan } from "./lending.js";
import { fundAccounts, issueSeries, type World } from "./market.js";
import { resolveOptions, type ReplayOptionsInput, type ResolvedOptions } from "./options.js";
import { startRpcTrace, tracePhase, type RpcTrace } from "./trace.js";
import { buildSummary, formatSummary, type Summary } from "./summary.js";

export { OptionsError, optionsSchema, type ReplayOptionsInput } from "./options.js";

/** A finished replay whose chain and API are still running. */
export interface Replay {
  options: ResolvedOptions;
  plan: Plan;
  world: World;
  node: LocalNode;
  indexer: LiveIndexer;
  /** GraphQL endpoint */
  url: string;
  summary: Summary;
  /** the summary as printed */
  text: string;
  /** wall time of the whole run (node start to summary), seconds */
  seconds: number;
  /** true when stopped early by the abort signal (no summary checks then) */
  aborted: boolean;
  /** Stops the indexer and the node. Idempotent. */
  close(): Promise<void>;
}

/** Runs the replay. `log` receives progress and summary lines (nothing when `quiet`). Throws `OptionsError` on bad options. */
export async function runReplay(input: ReplayOptionsInput, hooks: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<Replay> {
  const opts = resolveOptions(input);
  const log = opts.quiet ? () => {} : (hooks.log ?? ((l: string) => console.log(l)));
  const t0 = performance.now();
  const plan = makePlan(opts.seed, opts.fromDay, opts.toDay);
  let node: LocalNode | undefined;
  let conn: Connection | undefined;
  let idx: LiveIndexer | undefined;
  let trace: RpcTrace | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await idx?.stop().catch(() => {});
    await conn?.close().catch(() => {});
    await trace?.close();
    await node?.stop();
  };
  // found in seconds, before the node, the build and the deployment (StartupError: the flag and its exit code)
  if (opts.databaseUrl) await checkDatabase(opts.databaseUrl);
  await checkPort(opts.port, "127.0.0.1", "--port");
  await checkPort(opts.apiPort, "127.0.0.1", "--api-port");
  try {
    log(`starting a Hardhat node (clock at ${opts.warmup.date}) ...`);
    // the node starts (a child process) while this process loads Hardhat and checks the build
    const [started, built] = await Promise.allSettled([
      startNode({ port: opts.port, initialDay: opts.fromDay - 1 }),
      createRuntime(),
    ]);
    if (started.status === "fulfilled") node = started.value;
    if (built.status === "rejected") throw built.reason;
    if (started.status === "rejected") {
      built.value.removeJournal();
      throw started.reason;
    }
    // HASHPOWER_TRACE_RPC=1: every JSON-RPC call counted by phase and method (trace.ts), printed after the summary
    trace = process.env.HASHPOWER_TRACE_RPC === "1" ? await startRpcTrace(started.value.url) : undefined;
    const url = trace?.url ?? started.value.url;
    conn = await connectTo(built.value, url);
    const reporters = reporterAccounts();
    const sys = await deploySystem(conn, plan, reporters);
    log(`node ${url}; deployed with Ignition: token ${sys.addresses.token}, oracle ${sys.addresses.oracle}, settlement ${sys.addresses.settlement}`);
    const lendingBase = await deployLending(conn, sys.addresses.token);
    idx = await startLiveIndexer(sys, trace?.indexerUrl ?? url, { apiPort: opts.apiPort, databaseUrl: opts.databaseUrl, defi: lendingBase.addresses });
    log(`indexer: ${idx.store}; GraphQL ${idx.url}; web app ${idx.url.replace(/\/graphql$/, "/")}`);
    await afterIdle(() => conn!.ethers.provider.getBlockNumber());
    await afterIdle(() => rpc(url, "eth_blockNumber", []));

    const data = new Map([opts.warmup, ...opts.days].map((d) => [d.day, d]));
    const w: World = {
      plan, sys, data,
      // the node signs for the holders (impersonated): one request per transaction, no signing in this process
      holders: await Promise.all(holderAddresses(opts.holders).map((a) => NodeAccount.impersonate(a, url, conn!.ethers.provider))),
      ids: plan.series.map(() => undefined),
      balances: Array.from({ length: opts.holders }, () => new Map()),
      stats: { txs: 0, sales: 0, trades: 0, gifts: 0, claims: 0, deposited: plan.farms.map(() => 0n), collateralPosted: plan.farms.map(() => 0n), pending: [], feedLate: [], phaseMs: {} },
    };
    const reporter = await makeReporter(w, url, opts.dataDir);

    // day before --from: report it (trailing hashprice for the collateral check), then issue and sell
    await setChainTime(url, opts.fromDay);
    await fundAccounts(w, (a, wei) => rpc(url, "hardhat_setBalance", [a, "0x" + wei.toString(16)]));
    await reportDay(w, reporter, opts.warmup.day);
    for (const [k, s] of plan.series.entries()) if (s.issueDay <= opts.fromDay) await issueSeries(w, k, opts.fromDay);
    w.lending = await openLoan(conn, w, lendingBase, 0, opts.fromDay);
    log(`Morpho Blue market on series ${w.ids[0]}: holder 0 supplied ${w.lending.supplied} shares to Morpho and borrowed ${w.lending.borrowed} sats`);
    log(`${plan.farms.length} farms, ${w.ids.filter(Boolean).length} series issued, ${w.stats.sales} primary sales to ${opts.holders} holders; replaying ${opts.days.length} days ...`);

    const provider = conn.ethers.provider;
    const tLoop = performance.now();
    let maxLag = 0;
    let aborted = false;
    let lastDay = opts.fromDay - 1;
    await mineManually(url, true); // the loop mines its blocks itself (chain.ts), automine is back on for the summary
    for (const [i, d] of opts.days.entries()) {
      if (hooks.signal?.aborted) {
        aborted = true;
        log(`stopped before ${d.date}`);
        break;
      }
      await step(w, reporter, url, d.day);
      tracePhase("progress");
      lastDay = d.day;
      const head = Number(await rpc<string>(url, "eth_blockNumber"));
      const lag = idx.lag(head);
      maxLag = Math.max(maxLag, lag);
      const done = i + 1;
      const secs = (performance.now() - tLoop) / 1000;
      if (done % opts.progressEvery === 0 || done === opts.days.length) {
        log(progressLine({ day: d.day, done, total: opts.days.length, hashpriceE18: d.hashpriceE18, btcUsdE8: d.btcUsdE8, daysPerSec: done / secs, block: head, lag, txs: w.stats.txs }));
      }
      if (opts.speed > 0) {
        const wait = (done / opts.speed - secs) * 1000;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }

    await mineManually(url, false);
    tracePhase("summary");
    await idx.waitForHead(120_000);
    const summary = await buildSummary(w, idx, lastDay);
    const seconds = (performance.now() - t0) / 1000;
    const blocks = (await provider.getBlockNumber()) - sys.fromBlock + 1;
    const text = formatSummary({ summary, plan, w, seconds, days: lastDay - opts.fromDay + 1, blocks, maxLag });
    log("");
    log(text);
    if (trace) {
      const cpu = process.cpuUsage();
      log(`\nJSON-RPC trace (HASHPOWER_TRACE_RPC=1); this process's CPU: user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s\n${trace.table()}`);
    }
    return { options: opts, plan, world: w, node: started.value, indexer: idx, url: idx.url, summary, text, seconds, aborted, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Where to look once the replay ran: the web app's URL and a few holders to paste into it (the borrower of the Morpho
 * loan, a holder that never claims, a trader), each with a direct link. The accounts are deterministic: the same
 * addresses on every run with the same --holders.
 */
export function appLines(r: Pick<Replay, "url" | "world">): string[] {
  const app = r.url.replace(/\/graphql$/, "/");
  const picks: [number, string][] = [];
  const borrower = r.world.lending?.borrowerIndex;
  if (borrower !== undefined) picks.push([borrower, "borrows against its units in Morpho Blue (lender's view)"]);
  const hodler = r.world.holders.findIndex((_, i) => isHodler(i) && i !== borrower);
  if (hodler >= 0) picks.push([hodler, "never claims: claimable yield waiting"]);
  const trader = r.world.holders.findIndex((_, i) => !isHodler(i) && i !== borrower);
  if (trader >= 0) picks.push([trader, "trades, gives and claims"]);
  return [
    `web app: ${app}  (positions, charts, daily statement with CSV, claim through a browser wallet; GraphiQL at ${r.url})`,
    "holders to paste into it:",
    ...picks.map(([i, what]) => `  holder ${i}  ${r.world.holders[i].address}  ${what}  ${app}?account=${r.world.holders[i].address.toLowerCase()}`),
  ];
}

/** A curl line that queries `url` (the series and the indexer status). */
export function sampleCurl(url: string): string {
  const q = `{ _meta { block lagBlocks } seriesList { items { id farmAddress hashrateThs termDays supply distributedSats claimedSats } } }`;
  return `curl -s ${url} -H 'content-type: application/json' -d '${JSON.stringify({ query: q })}'`;
}

/**
 * Runs `f`, once more on failure (at most 3 tries, 200 ms apart). The node closes a keep-alive socket after 5 s idle
 * (Node's default); the indexer's start can leave the replay's connection idle that long, and the first request
 * after it may then be sent on a socket the node is closing ("other side closed"). Later requests use fresh sockets.
 */
async function afterIdle<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 3) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
