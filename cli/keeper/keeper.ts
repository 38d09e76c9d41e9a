/**
 * The settlement keeper: settles every (series, day) whose oracle report is final and whose farm uptime is
 * reported, and that is not settled yet, in batches of `Settlement.settle(ids, days)`; then pokes the given
 * `SeriesValuationOracle`s so each records the days that became final (a poke is sent only when its simulation
 * would record at least one day, so a restarted or second keeper sends nothing twice).
 *
 * Restart-safe without double work: the chain is the only state. On start (and after any error) it waits until
 * its own in-flight transactions are mined (pending nonce = latest nonce, e.g. after a kill -9 between send and
 * receipt), then re-reads `token.isDistributed(id, day)` for every candidate, so nothing settled is sent again; a
 * pair another keeper settles meanwhile costs nothing (`SettleSkipped`). A batch that would revert is split: each
 * pair is simulated alone and the failing ones are logged with their decoded custom error and left for later.
 */
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import type { Logger } from "pino";
import { Counter, Gauge, Registry } from "prom-client";
import { dateOfDay, dayOfTimestamp } from "../../domain/units.js";
import { abiOf } from "../lib/abi.js";
import { describeRevert } from "../lib/context.js";
import { Status } from "../reporter/abi.js";

/** What the keeper needs. */
export interface KeeperContext {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  token: Address;
  oracle: Address;
  settlement: Address;
  logger: Logger;
  /** pairs per settle transaction (default 50) */
  batchSize?: number;
  /** `SeriesValuationOracle`s to poke after each pass (lending markets price collateral from them) */
  valuationOracles?: Address[];
}

/** Prometheus metrics of the keeper. */
export function keeperMetrics() {
  const registry = new Registry();
  return {
    registry,
    settled: new Counter({ name: "keeper_settled_pairs_total", help: "series-days settled by this keeper (Settled events in its transactions)", registers: [registry] }),
    skipped: new Counter({ name: "keeper_skipped_pairs_total", help: "pairs in this keeper's transactions that were already settled (SettleSkipped)", registers: [registry] }),
    txs: new Counter({ name: "keeper_transactions_total", help: "settle transactions mined", labelNames: ["status"], registers: [registry] }),
    errors: new Counter({ name: "keeper_errors_total", help: "errors (RPC or revert), each followed by a backoff", registers: [registry] }),
    poked: new Counter({ name: "keeper_valuation_days_recorded_total", help: "days recorded by this keeper's SeriesValuationOracle pokes", registers: [registry] }),
    blocked: new Gauge({ name: "keeper_blocked_pairs", help: "final pairs that would revert alone (left for later)", registers: [registry] }),
    due: new Gauge({ name: "keeper_due_pairs", help: "pairs final and unsettled at the last scan", registers: [registry] }),
    lastDay: new Gauge({ name: "keeper_last_final_day", help: "latest final oracle day seen (UTC day number)", registers: [registry] }),
  };
}
export type KeeperMetrics = ReturnType<typeof keeperMetrics>;

interface Terms {
  farm: Address;
  startDay: number;
  termDays: number;
}

/** A keeper bound to one deployment. */
export function createKeeper(ctx: KeeperContext, metrics: KeeperMetrics = keeperMetrics()) {
  const { publicClient, walletClient, logger } = ctx;
  const tokenAbi = abiOf("HashpowerToken");
  const oracleAbi = abiOf("HashpriceOracle");
  const settlementAbi = abiOf("Settlement");
  const batchSize = ctx.batchSize ?? 50;
  const terms = new Map<bigint, Terms>();
  /** per series: every day before this one is known settled (a read cache, rebuilt from the chain on start) */
  const cursor = new Map<bigint, number>();
  const finalDays = new Map<number, boolean>();

  const read = <T>(address: Address, abi: typeof tokenAbi, functionName: string, args: unknown[] = []) =>
    publicClient.readContract({ address, abi, functionName, args } as never) as Promise<T>;

  /** Waits for this keeper's in-flight transactions (after a kill between send and receipt). */
  async function settleInFlight(): Promise<void> {
    const me = walletClient.account.address;
    for (let i = 0; ; i++) {
      const [pending, mined] = await Promise.all([
        publicClient.getTransactionCount({ address: me, blockTag: "pending" }),
        publicClient.getTransactionCount({ address: me, blockTag: "latest" }),
      ]);
      if (pending <= mined) return;
      if (i === 0) logger.warn({ inFlight: pending - mined }, "waiting for this keeper's in-flight transactions");
      await new Promise((r) => setTimeout(r, publicClient.pollingInterval));
    }
  }

  async function isFinal(day: number): Promise<boolean> {
    const known = finalDays.get(day);
    if (known) return true;
    const v = await read<{ status: number }>(ctx.oracle, oracleAbi, "dailyValues", [day]);
    const f = v.status === Status.Final;
    if (f) finalDays.set(day, true);
    return f;
  }

  /** Every final, uptime-reported, unsettled (series, day), read from the chain. */
  async function due(): Promise<{ id: bigint; day: number }[]> {
    const count = await read<bigint>(ctx.token, tokenAbi, "seriesCount");
    const block = await publicClient.getBlock({ blockTag: "latest" });
    const lastEnded = dayOfTimestamp(block.timestamp) - 1;
    const out: { id: bigint; day: number }[] = [];
    for (let id = 1n; id <= count; id++) {
      let t = terms.get(id);
      if (!t) {
        t = await read<Terms>(ctx.token, tokenAbi, "seriesTerms", [id]);
        terms.set(id, { farm: t.farm, startDay: t.startDay, termDays: t.termDays });
      }
      const end = Math.min(t.startDay + t.termDays - 1, lastEnded);
      const days: number[] = [];
      for (let d = cursor.get(id) ?? t.startDay; d <= end; d++) days.push(d);
      const settled = await Promise.all(days.map((d) => read<boolean>(ctx.token, tokenAbi, "isDistributed", [id, d])));
      let advanced = true;
      for (const [i, d] of days.entries()) {
        if (settled[i]) {
          if (advanced) cursor.set(id, d + 1);
          continue;
        }
        advanced = false;
        if (!(await isFinal(d))) continue; // pending or not reported yet: a later day may still be final
        if (!(await read<boolean>(ctx.oracle, oracleAbi, "hasUptime", [t.farm, d]))) continue;
        out.push({ id, day: d });
      }
    }
    const latest = [...finalDays.keys()].reduce((a, b) => Math.max(a, b), 0);
    if (latest) metrics.lastDay.set(latest);
    metrics.due.set(out.length);
    return out;
  }

  /** Simulates a batch; on a revert, keeps only the pairs that pass alone (the others are logged). */
  async function viable(pairs: { id: bigint; day: number }[]): Promise<{ id: bigint; day: number }[]> {
    const sim = (p: { id: bigint; day: number }[]) =>
      publicClient.simulateContract({ account: walletClient.account, address: ctx.settlement, abi: settlementAbi, functionName: "settle", args: [p.map((x) => x.id), p.map((x) => x.day)] } as never);
    try {
      await sim(pairs);
      return pairs;
    } catch {
      const ok: { id: bigint; day: number }[] = [];
      let blocked = 0;
      for (const p of pairs) {
        try {
          await sim([p]);
          ok.push(p);
        } catch (e) {
          blocked++;
          logger.warn({ series: p.id.toString(), date: dateOfDay(p.day), error: describeRevert(e) }, "pair would revert; left for later");
        }
      }
      metrics.blocked.set(blocked);
      return ok;
    }
  }

  /** Pokes each valuation oracle that has final days to record; returns the number of days recorded. */
  async function poke(): Promise<number> {
    let recorded = 0;
    for (const address of ctx.valuationOracles ?? []) {
      const { result, request } = await publicClient.simulateContract({
        address, abi: abiOf("SeriesValuationOracle"), functionName: "poke", args: [400n], account: walletClient.account,
      } as never) as { result: bigint; request: unknown };
      if (result === 0n) continue;
      const hash = await walletClient.writeContract(request as never);
      const r = await publicClient.waitForTransactionReceipt({ hash });
      metrics.txs.inc({ status: r.status });
      if (r.status === "success") {
        recorded += Number(result);
        metrics.poked.inc(Number(result));
      }
      logger.info({ tx: hash, oracle: address, days: Number(result), status: r.status }, "valuation oracle poked");
    }
    return recorded;
  }

  /** One pass: settles everything due, then pokes the valuation oracles; returns the number of pairs settled. */
  async function tick(): Promise<number> {
    await settleInFlight();
    const pairs = await due();
    let done = 0;
    for (let i = 0; i < pairs.length; i += batchSize) {
      const batch = await viable(pairs.slice(i, i + batchSize));
      if (batch.length === 0) continue;
      const hash = await walletClient.writeContract({ address: ctx.settlement, abi: settlementAbi, functionName: "settle", args: [batch.map((x) => x.id), batch.map((x) => x.day)] } as never);
      logger.info({ tx: hash, pairs: batch.length, first: `${batch[0].id}@${dateOfDay(batch[0].day)}`, last: `${batch.at(-1)!.id}@${dateOfDay(batch.at(-1)!.day)}` }, "settle sent");
      const r = await publicClient.waitForTransactionReceipt({ hash });
      metrics.txs.inc({ status: r.status });
      const settledTopic = r.logs.filter((l) => l.address.toLowerCase() === ctx.settlement.toLowerCase());
      let settled = 0;
      let skipped = 0;
      for (const l of settledTopic) {
        try {
          const { decodeEventLog } = await import("viem");
          const ev = decodeEventLog({ abi: settlementAbi, data: l.data, topics: l.topics });
          if (ev.eventName === "Settled") settled++;
          if (ev.eventName === "SettleSkipped") skipped++;
        } catch {
          /* other events */
        }
      }
      metrics.settled.inc(settled);
      metrics.skipped.inc(skipped);
      done += settled;
      logger.info({ tx: hash, block: Number(r.blockNumber), status: r.status, settled, skipped, gasUsed: Number(r.gasUsed) }, "settle mined");
    }
    await poke();
    return done;
  }

  return { tick, due, poke, metrics };
}
