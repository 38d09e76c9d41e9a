/**
 * The replay loop: one step per real day. Step `day` moves the chain's clock to the start of `day + 1`, then
 * the feed posts `day`'s BTC/USD (unless it is late), the reporters post `day`'s signed inputs and both farms'
 * uptime (cli/reporter), the guardian confirms a report that landed pending, the farms fund the day (one
 * stops funding for a while: its collateral runs out, debt accrues, its next deposit repays it), a
 * keeper settles every active series-day in one call, farms issue the series planned for the new day, the
 * holders trade and claim, and the Morpho loan is serviced or liquidated (lending.ts).
 */
import { pino } from "pino";
import { createPublicClient, createWalletClient, custom, defineChain, type Address } from "viem";
import { createReporter, type Reporter } from "../../cli/reporter/reporter.js";
import { CsvSource, type UptimeSource } from "../../cli/reporter/sources.js";
import { dateOfDay, formatRounded, formatScaled } from "../../domain/units.js";
import { reporterAccounts, feedLate, uptimeBps } from "./actors.js";
import { rpc, setChainTime, TX_GAS } from "./chain.js";
import { tracePhase } from "./trace.js";
import { flashAroundSettle, loanDay } from "./lending.js";
import { activeSeries, confirmIfPending, fundDay, holdersDay, issueSeries, oneBlock, send, trackDebtPath, type World } from "./market.js";

/** The reporter module bound to the replay's oracle: CSV inputs, the plan's uptime, N local reporter keys. */
export async function makeReporter(w: World, rpcUrl: string, dataDir?: string): Promise<Reporter> {
  const chain = defineChain({
    id: Number((await w.sys.token.runner!.provider!.getNetwork()).chainId),
    name: "hashpower replay",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // the chain id is fixed: answered here instead of asked before every transaction (viem checks it on each send);
  // a submission gets the replay's explicit gas limit, so the node runs it once instead of estimating its gas first (the
  // reporter reads the day's status before it sends, so it sends nothing that is already there; a revert then shows
  // when the block is mined, `inOneBlock`); every request goes through the replay's `rpc` (chain.ts: the node's
  // WebSocket, not an HTTP request each)
  const chainIdHex = `0x${chain.id.toString(16)}`;
  const gas = `0x${TX_GAS.toString(16)}`;
  const transport = custom({
    async request({ method, params }: { method: string; params?: unknown[] }) {
      if (method === "eth_chainId") return chainIdHex;
      if (method === "eth_sendTransaction") {
        const [tx] = params as [Record<string, unknown>];
        return rpc(rpcUrl, method, [{ ...tx, gas: tx.gas ?? gas }]);
      }
      return rpc(rpcUrl, method, params ?? []);
    },
  });
  const farms = w.sys.farms.map((f) => f.address as Address);
  const uptime: UptimeSource = {
    async uptime(day) {
      return farms.map((farm, i) => ({ farm, uptimeBps: uptimeBps(w.plan, i, day) }));
    },
  };
  return createReporter({
    publicClient: createPublicClient({ chain, transport, pollingInterval: 5 }),
    walletClient: createWalletClient({ chain, transport, account: w.sys.submitter.address as Address, pollingInterval: 5 }),
    oracle: w.sys.addresses.oracle as Address,
    reporters: reporterAccounts(),
    daily: new CsvSource(dataDir),
    uptime,
    logger: pino({ level: process.env.REPORTER_LOG_LEVEL ?? "error" }),
  });
}

/** Posts `day`'s real BTC/USD to the test feed unless the plan has the feed late that day. */
async function feedDay(w: World, day: number): Promise<void> {
  if (feedLate(w.plan, day)) {
    w.stats.feedLate.push(day);
    return;
  }
  await send(w, w.sys.feed.setPrice(w.data.get(day)!.btcUsdE8));
}

/**
 * Reports `day` (feed, signed daily + uptime reports, guardian); the chain must already be past `day`. The feed's
 * price and the reporter's transactions are one block: the reporter's sends are estimated on the pending block, which
 * holds the feed's price; the block is mined before the reporter awaits its receipts.
 */
export async function reportDay(w: World, reporter: Reporter, day: number): Promise<void> {
  await oneBlock(w, async (flush) => {
    await feedDay(w, day);
    const r = await reporter.reportDay(day, { sent: (hashes) => flush(hashes) });
    w.stats.txs += r.txs.length;
  });
  await confirmIfPending(w, day, w.sys.guardian);
}

/** Runs `f`, adding its wall time to `w.stats.phaseMs[phase]`. */
async function timed(w: World, phase: string, f: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  tracePhase(phase);
  await f();
  w.stats.phaseMs[phase] = (w.stats.phaseMs[phase] ?? 0) + performance.now() - t;
}

/** One replay step for `day` (see the module comment). */
export async function step(w: World, reporter: Reporter, rpcUrl: string, day: number): Promise<void> {
  await timed(w, "clock", () => setChainTime(rpcUrl, day + 1));
  await timed(w, "report", () => reportDay(w, reporter, day));
  await timed(w, "fund", () => fundDay(w, day));
  const ks = activeSeries(w, day);
  await timed(w, "settle", async () => {
    // on the attack day an attacker settles inside a flash loan (gaining 0) instead of the keeper
    const attacked = w.lending !== undefined && (await flashAroundSettle(w, w.lending, day, ks));
    if (!attacked && ks.length > 0) {
      await send(w, w.sys.settlement.connect(w.sys.keeper).settle(ks.map((k) => w.ids[k]!), ks.map(() => day)));
    }
    await trackDebtPath(w, day);
  });
  await timed(w, "issue", async () => {
    for (const [k, s] of w.plan.series.entries()) if (s.issueDay === day + 1 && w.ids[k] === undefined) await issueSeries(w, k, day + 1);
  });
  await timed(w, "holders", () => holdersDay(w, day));
  if (w.lending) await timed(w, "loan", () => loanDay(w, w.lending!, day));
}

/** A progress line: date, hashprice, BTC/USD, speed, chain block and indexer lag. */
export function progressLine(p: { day: number; done: number; total: number; hashpriceE18: bigint; btcUsdE8: bigint; daysPerSec: number; block: number; lag: number | null; txs: number }): string {
  return [
    dateOfDay(p.day),
    `day ${String(p.done).padStart(String(p.total).length)}/${p.total}`,
    `hashprice ${formatRounded(p.hashpriceE18, 18, 2).padStart(7)} sats/TH/s·day`,
    `BTC $${formatScaled(p.btcUsdE8, 8, 0).padStart(6)}`,
    `${p.daysPerSec.toFixed(2)} days/s`,
    `block ${p.block}`,
    `${p.txs} txs`,
    p.lag === null ? "indexer off" : `indexer lag ${p.lag} blocks`,
  ].join("  ");
}
