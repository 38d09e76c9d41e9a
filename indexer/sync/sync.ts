/**
 * The sync loop: backfill in adaptive block ranges, then live polling with the same code path.
 *
 * - One ordering key: (block number, log index); each range's events are applied in that order.
 * - Crash safety: each range is written in one transaction together with the checkpoint, so a restart after
 *   kill -9 resumes at checkpoint + 1 with no duplicate and no gap.
 * - Reorgs: every range must extend the checkpoint (`parentHash` of its first block = checkpoint hash). Blocks
 *   newer than head − finality are fetched header by header, checked to link up, and stored; logs must carry
 *   those hashes. On a mismatch the loop walks back the stored headers to the newest one still canonical and
 *   rolls the store back to it (one transaction). A fork below the stored headers (deeper than finality) stops
 *   the indexer with `DeepReorgError` rather than serve data it cannot repair.
 * - Factory pattern (DeFi): the wrappers the factory creates are found from its `WrapperCreated` events and followed
 *   from then on (within the range that creates them too); valuation oracles from their `Configured` events.
 * - Transient failures (RPC, database) are logged, counted and retried with backoff; the loop never exits on them.
 */
import type { IndexerContext } from "../context.js";
import { applyEvents } from "../handlers/index.js";
import { VALUATION_ORACLE_TOPICS, WRAPPER_CREATED, createDecoder, type Ev, type RawLog } from "../handlers/decode.js";
import { readCheckpoint, recentBlocks, rollback, saveBlocks, writeCheckpoint, type BlockRef, type Checkpoint } from "../store/store.js";
import { RateWindow } from "../ops/metrics.js";
import { RpcError, backoff, sleep } from "./rpc.js";

/** A reorg whose fork point lies below the stored (unfinalized) headers. */
export class DeepReorgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeepReorgError";
  }
}

/** The chain moved while a range was being fetched; the step is simply retried. */
class ChainMovedError extends Error {}

/** Creates the sync of `ctx`. */
export function createSync(ctx: IndexerContext) {
  const { config, rpc, db, state, log, metrics } = ctx;
  const c = config.contracts;
  const addresses = [c.token, c.oracle, c.settlement, c.wrapperFactory, c.morpho].filter(
    (a): a is `0x${string}` => !!a,
  );
  const factory = c.wrapperFactory;
  /** wrappers of the factory indexed so far (committed), plus those found in the range being fetched */
  let wrappers = new Set<string>();
  let wrappersLoaded = false;
  const fresh = new Set<string>();
  const decode = createDecoder(
    { token: c.token, oracle: c.oracle, settlement: c.settlement, wrapperFactory: c.wrapperFactory, morpho: c.morpho },
    { isWrapper: (a) => wrappers.has(a) || fresh.has(a), valuationOracles: !!factory },
  );
  let range = config.rpc.initialRange;
  const blockRate = new RateWindow();
  const eventRate = new RateWindow();
  const handlerCtx = {
    mismatch(ev: Ev, what: string, expected: unknown, got: unknown) {
      metrics.mismatches.inc();
      log.error({ block: ev.block, logIndex: ev.logIndex, event: ev.name, what, model: String(expected), event_value: String(got) }, "event disagrees with the contract model");
    },
    contracts: { token: c.token, oracle: c.oracle, morpho: c.morpho },
  };

  /** (Re)reads the committed wrapper set (at start, after a rollback or a failed step). */
  async function loadWrappers(): Promise<void> {
    if (!factory) return;
    const rows = await db.query<{ address: string }>("SELECT address FROM wrappers WHERE block_to IS NULL");
    wrappers = new Set(rows.map((r) => r.address));
    wrappersLoaded = true;
  }

  /**
   * Logs of blocks [from, to]: the configured contracts and the known wrappers; with the factory, also the wrappers
   * it creates in the range (factory pattern: their logs are fetched for the same range once their `WrapperCreated`
   * is seen) and `Configured` logs of valuation oracles at any address.
   */
  async function getLogs(from: number, to: number): Promise<RawLog[]> {
    fresh.clear();
    const logs = await rpc.getLogs(from, to, [...addresses, ...wrappers]);
    if (!factory) return logs;
    for (const l of logs) {
      if (l.address.toLowerCase() === factory && l.topics[0] === WRAPPER_CREATED && l.topics[2]) {
        const w = ("0x" + l.topics[2].slice(26)).toLowerCase();
        if (!wrappers.has(w)) fresh.add(w);
      }
    }
    if (fresh.size > 0) logs.push(...(await rpc.getLogs(from, to, [...fresh])));
    const seen = new Set(logs.map((l) => `${l.blockHash}:${l.logIndex}`));
    for (const l of await rpc.getLogs(from, to, null, [VALUATION_ORACLE_TOPICS])) if (!seen.has(`${l.blockHash}:${l.logIndex}`)) logs.push(l);
    return logs;
  }

  /** Fetches logs from `from` up to at most `maxTo`, shrinking the range on range errors. */
  async function fetchLogs(from: number, maxTo: number): Promise<{ to: number; logs: RawLog[] }> {
    if (!wrappersLoaded) await loadWrappers();
    for (;;) {
      const to = Math.min(maxTo, from + range - 1);
      try {
        const logs = await getLogs(from, to);
        const span = to - from + 1;
        if (logs.length > config.rpc.targetLogsPerRange) {
          range = Math.max(1, Math.floor((span * config.rpc.targetLogsPerRange) / logs.length));
        } else if (span >= range && logs.length < config.rpc.targetLogsPerRange / 2) {
          range = Math.min(config.rpc.maxRange, range * 2);
        }
        metrics.getLogsRange.set(range);
        return { to, logs };
      } catch (e) {
        if (e instanceof RpcError && e.kind === "range" && to > from) {
          range = Math.max(1, Math.floor((to - from + 1) / 2));
          metrics.getLogsRange.set(range);
          log.debug({ from, to, range }, "eth_getLogs range refused: splitting");
          continue;
        }
        throw e;
      }
    }
  }

  /** Rolls back to the newest stored block that is still canonical. */
  async function handleReorg(cp: Checkpoint): Promise<void> {
    const stored = await recentBlocks(db, cp.number);
    const remote = await rpc.getBlocks(stored.map((b) => b.number));
    const idx = stored.findIndex((b, i) => remote[i]?.hash === b.hash);
    if (idx < 0) {
      throw new DeepReorgError(
        `reorg deeper than the finality depth (${config.finality} blocks): none of the ${stored.length} stored blocks ` +
          `${stored.length ? `${stored[stored.length - 1].number}..${stored[0].number} ` : ""}is still canonical; ` +
          `reindex with a larger --finality`,
      );
    }
    const fork = stored[idx];
    await db.transaction((tx) => rollback(tx, fork));
    wrappersLoaded = false; // wrappers created after the fork are gone
    state.reorgs++;
    state.checkpoint = { number: fork.number, hash: fork.hash, timestamp: fork.timestamp };
    const depth = cp.number - fork.number;
    metrics.reorgs.inc();
    metrics.reorgDepth.set(depth);
    metrics.checkpoint.set(fork.number);
    log.warn({ from: cp.number, to: fork.number, depth }, "reorg: rolled back");
  }

  /** One step: index the next range, or detect a reorg, or report being caught up (returns false). */
  async function step(): Promise<boolean> {
    const head = await rpc.blockNumber();
    state.head = head;
    state.headAt = Date.now();
    state.finalized = Math.max(0, head - config.finality);
    metrics.head.set(head);
    const cp = state.checkpoint;
    const next = cp ? cp.number + 1 : config.fromBlock;
    metrics.lag.set(Math.max(0, head - (cp?.number ?? config.fromBlock - 1)));
    if (cp && head < cp.number) {
      await handleReorg(cp); // the node rewound below us
      return true;
    }
    if (next > head) {
      // caught up: make sure our tip is still canonical (a same-height reorg changes no block number)
      if (cp) {
        const tip = await rpc.getBlock(cp.number);
        if (tip?.hash !== cp.hash) {
          await handleReorg(cp);
          return true;
        }
      }
      metrics.blocksPerSecond.set(blockRate.rate()); // decays to 0 while idle
      metrics.eventsPerSecond.set(eventRate.rate());
      if (state.phase !== "live") {
        state.phase = "live";
        log.info({ block: cp?.number, events: state.eventsIndexed }, "caught up: live");
      }
      return false;
    }
    const safe = head - config.finality;
    const tail = next > safe; // unfinalized blocks: track every header
    if (!tail && state.phase !== "backfill") {
      state.phase = "backfill";
      state.backfillFrom = { block: next, at: Date.now(), events: state.eventsIndexed };
    }
    const started = Date.now();
    const end = metrics.batchDuration.startTimer();
    const { to, logs } = await fetchLogs(next, tail ? Math.min(head, next + config.rpc.maxTailBlocks - 1) : safe);
    const numbers = tail ? Array.from({ length: to - next + 1 }, (_, i) => next + i) : next === to ? [to] : [next, to];
    const headers = await rpc.getBlocks(numbers);
    if (headers.some((h) => h === null)) throw new ChainMovedError(`block missing in ${next}..${to}`);
    const hs = headers as BlockRef[];
    if (cp && hs[0].parentHash !== cp.hash) {
      await handleReorg(cp);
      return true;
    }
    const byNumber = new Map(hs.map((h) => [h.number, h]));
    if (tail) {
      for (let i = 1; i < hs.length; i++) {
        if (hs[i].parentHash !== hs[i - 1].hash) throw new ChainMovedError(`headers ${next}..${to} do not link`);
      }
    }
    for (const l of logs) {
      const h = byNumber.get(Number(l.blockNumber));
      if (h && h.hash !== l.blockHash) throw new ChainMovedError(`log of block ${h.number} from another fork`);
    }
    const events: Ev[] = [];
    for (const l of logs) {
      if (l.removed) continue;
      const ev = decode(l);
      if (ev) events.push(ev);
      else log.debug({ address: l.address, topic: l.topics[0], block: Number(l.blockNumber) }, "unknown event skipped");
    }
    events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
    logs.length = 0; // the raw logs can be collected while the range is written
    const last = hs[hs.length - 1];
    const newCp: Checkpoint = { number: to, hash: last.hash, timestamp: last.timestamp };
    await db.transaction(async (tx) => {
      await applyEvents(tx, events, handlerCtx);
      await saveBlocks(tx, tail ? hs : [last], Math.max(0, safe), to);
      await writeCheckpoint(tx, newCp);
    });
    end();
    for (const w of fresh) wrappers.add(w);
    fresh.clear();
    state.checkpoint = newCp;
    state.eventsIndexed += events.length;
    const blocks = to - next + 1;
    metrics.blocks.inc(blocks);
    metrics.events.inc(events.length);
    blockRate.add(blocks);
    eventRate.add(events.length);
    metrics.blocksPerSecond.set(blockRate.rate());
    metrics.eventsPerSecond.set(eventRate.rate());
    metrics.checkpoint.set(to);
    metrics.lag.set(Math.max(0, head - to));
    log.debug({ from: next, to, events: events.length, ms: Date.now() - started, tail }, "range indexed");
    return true;
  }

  /** Runs until `ctx.signal` aborts or a fatal error (deep reorg). */
  async function run(): Promise<void> {
    state.checkpoint = await readCheckpoint(db);
    if (state.checkpoint) metrics.checkpoint.set(state.checkpoint.number);
    while (!ctx.signal.aborted) {
      try {
        const more = await step();
        state.consecutiveFailures = 0;
        if (!more) await sleep(config.pollIntervalMs, ctx.signal);
      } catch (e) {
        if (e instanceof DeepReorgError) {
          state.fatal = e;
          state.phase = "failed";
          log.fatal({ err: e.message }, "sync stopped");
          throw e;
        }
        if (ctx.signal.aborted) break;
        state.consecutiveFailures++;
        state.lastError = e instanceof Error ? e.message : String(e);
        metrics.syncErrors.inc();
        // the in-memory checkpoint may be ahead of a rolled-back transaction: re-read it
        state.checkpoint = await readCheckpoint(db).catch(() => state.checkpoint);
        wrappersLoaded = false;
        const wait = e instanceof ChainMovedError ? 50 : backoff(Math.min(state.consecutiveFailures, 8), config.rpc.backoffMs, config.rpc.maxBackoffMs);
        log.warn({ err: state.lastError, failures: state.consecutiveFailures, retryInMs: wait }, "sync step failed: retrying");
        await sleep(wait, ctx.signal);
      }
    }
    state.phase = "stopped";
  }

  return { run, step };
}
