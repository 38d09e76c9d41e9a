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
 *   A failed step re-reads the checkpoint from the database before the next one (a COMMIT whose answer was lost
 *   may or may not have landed).
 * - Lies and mistakes of a node are cross-checked before anything is committed (policy with several endpoints: the
 *   primary serves every read; the next endpoint in the list verifies and refetches):
 *   - `eth_getLogs` against the blocks' `logsBloom`: a block whose bloom may hold one of our addresses but for
 *     which no log came back, or a log whose address its block's bloom rules out, makes the range be refetched from
 *     the next endpoint; two equal answers are accepted (a bloom false positive), two different ones retry the step;
 *   - the hash that becomes the checkpoint is re-read from the next endpoint before the commit;
 *   - a model mismatch (an event value that disagrees with the replicated contract) rolls the range back and
 *     refetches it from the next endpoint; after `maxMismatchRetries` failed attempts the sync stops
 *     (`ModelMismatchError`, `/health` 503);
 *   - a head below the checkpoint whose tip block is still ours is a stale head, not a reorg; a deep-reorg verdict
 *     is confirmed by re-reading the stored headers from every endpoint (three rounds) before the sync stops.
 */
import { noteCommit, touchedHolders } from "../api/cache.js";
import type { IndexerContext } from "../context.js";
import { applyEvents } from "../handlers/index.js";
import { VALUATION_ORACLE_TOPICS, WRAPPER_CREATED, createDecoder, type Ev, type RawLog } from "../handlers/decode.js";
import { blocksWithoutTime, deferIndexes, deferredIndexCount, hasCheckpoint, readCheckpoint, restoreIndexes, recentBlocks, rollback, saveBlockTimes, saveBlocks, writeCheckpoint, type Checkpoint } from "../store/store.js";
import { RateWindow } from "../ops/metrics.js";
import { RpcError, backoff, bloomMayContain, sleep, type Header } from "./rpc.js";

/** A reorg whose fork point lies below the stored (unfinalized) headers. */
export class DeepReorgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeepReorgError";
  }
}

/** A model mismatch that persisted over `maxMismatchRetries` refetches of the same range. */
export class ModelMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelMismatchError";
  }
}

/** The chain moved while a range was being fetched; the step is simply retried. */
class ChainMovedError extends Error {}

/** A cross-check failed (endpoints disagree, bloom or hash check, model mismatch): retried from the next endpoint. */
class InconsistentError extends Error {
  constructor(message: string, readonly range: [number, number], readonly mismatch = false) {
    super(message);
    this.name = "InconsistentError";
  }
}

/** A fetched, cross-checked and decoded block range, ready to be written. */
interface Prepared {
  to: number;
  /** headers: every block of the range (tail) or its first and last */
  hs: Header[];
  /** decoded events in chain order */
  events: Ev[];
  /** timestamps of the blocks holding events */
  times: { number: number; timestamp: number }[];
  /** wrappers the range creates (factory pattern) */
  fresh: Set<string>;
}

/** What the cross-checks need of a range's logs in one block (`readLogs`). */
interface BlockLogs {
  /** the block hash the logs carry (the first log's) */
  hash: string;
  /** logs of this block carry different block hashes (the chain moved while the node answered) */
  mixed: boolean;
  /** emitting addresses, lowercase */
  addresses: Set<string>;
  logIndexes: number[];
}

/** A range's logs, read (`readLogs`): the decoded events in answer order and, per block number, what the checks need. */
interface ReadLogs {
  events: Ev[];
  blocks: Map<number, BlockLogs>;
}

/**
 * Events per write batch during backfill (several `eth_getLogs` ranges in one transaction; bounds memory), by database.
 * PGlite's Postgres works in the indexer's own process, so half as many there: with `--v8-pool-size=1` (`indexer/cli.ts`)
 * a 1,000,000-event PGlite backfill peaked at 286-297 MiB (5 runs) against 306-309 with 50,000 (with V8's four threads:
 * 300-372 and 312-384), for ~10-20 % more time at that size; 100,000 events take as long as before.
 */
const WRITE_BATCH_EVENTS = { postgres: 50_000, pglite: 25_000 } as const;

/**
 * Whether the sync asks the node for logs ahead of need, by database: a cold start's first range while the store
 * migrates (`headStart`), and during backfill the next range's logs as soon as a range's logs come (`fetchLogs`). Not
 * on PGlite, whose Postgres works in the indexer's own memory: 1,000,000-event PGlite backfills peaked at 301-353 MiB
 * with both (6 runs), at 285-310 with one of them (4 runs), at 288-297 with neither (7 runs).
 */
const ASK_AHEAD = { postgres: true, pglite: false } as const;

/** How many headers the bloom cross-check holds at once during backfill. */
const HEADER_CHUNK = 1_000;

/** The block numbers `a`..`b`. */
const numbers = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * Creates the sync of `ctx`: `headStart` may ask the node for a cold start's first range while the store migrates;
 * `run` then syncs into the migrated store.
 */
export function createSync(ctx: IndexerContext) {
  const { config, db, state, log, metrics } = ctx;
  const rpcs = ctx.rpcs.length > 0 ? ctx.rpcs : [ctx.rpc];
  /** index of the endpoint that serves reads; the next one verifies */
  let active = 0;
  const reader = () => rpcs[active];
  const verifier = () => rpcs[(active + 1) % rpcs.length];
  /** mismatches seen while applying the current range */
  let stepMismatches = 0;
  /** failed attempts at the same range because of a model mismatch */
  let mismatchStreak = { range: "", n: 0 };
  /** the highest head seen (the head "advances" when it passes it) */
  let highestHead = -1;
  /** the checkpoint must be re-read from the database before the next step */
  let checkpointStale = false;
  const c = config.contracts;
  const addresses = [c.token, c.oracle, c.settlement, c.wrapperFactory, c.morpho].filter(
    (a): a is `0x${string}` => !!a,
  );
  const factory = c.wrapperFactory;
  /** wrappers of the factory indexed so far (committed), plus those found in the range being fetched */
  let wrappers = new Set<string>();
  let wrappersLoaded = false;
  /** the wrappers the range being decoded knows (committed before it, and created in it) */
  let decodeWith: { known: Set<string>; fresh: Set<string> } = { known: wrappers, fresh: new Set() };
  const decode = createDecoder(
    { token: c.token, oracle: c.oracle, settlement: c.settlement, wrapperFactory: c.wrapperFactory, morpho: c.morpho },
    { isWrapper: (a) => decodeWith.known.has(a) || decodeWith.fresh.has(a), valuationOracles: !!factory },
  );
  /**
   * Pipelining: during backfill the next range (after the last backfill batch, the unfinalized tail's) is fetched,
   * cross-checked and decoded while the current one is written, and a cold start's first batch while the store
   * migrates (`headStart`). It is used only if nothing happened in between (`epoch` counts failures, reorgs and wrapper
   * reloads), it is of the kind the step needs (backfill or tail) and it still extends the checkpoint (or, the first
   * one, finds none); anything else discards it and the step fetches as without it.
   */
  let epoch = 0;
  let ahead: { from: number; tail: boolean; epoch: number; parent: string | null; promise: Promise<Prepared | null> } | null = null;
  /** the answer of the next backfill range's `eth_getLogs`, asked for ahead (`fetchLogs`), and what it asked (`logsKey`) */
  let nextLogs: { key: string; answer: Promise<{ logs: RawLog[]; fresh: Set<string> }> } | null = null;
  /** What an `eth_getLogs` of blocks `a`..`b` for `addrs` asks, of which endpoint, in which `epoch`. */
  const logsKey = (a: number, b: number, addrs: Set<string>) => `${active}:${epoch}:${a}:${b}:${[...addrs].sort().join()}`;
  let range = config.rpc.initialRange;
  /** the API-only indexes are set aside for the backfill (`deferIndexes`): rebuilt before the tail or going live */
  let indexesDeferred = false;
  const blockRate = new RateWindow();
  const eventRate = new RateWindow();
  const handlerCtx = {
    mismatch(ev: Ev, what: string, expected: unknown, got: unknown) {
      metrics.mismatches.inc();
      stepMismatches++;
      log.error({ block: ev.block, logIndex: ev.logIndex, event: ev.name, what, model: String(expected), event_value: String(got) }, "event disagrees with the contract model");
    },
    contracts: { token: c.token!, oracle: c.oracle, morpho: c.morpho },
  };

  /** (Re)reads the committed wrapper set (at start, after a rollback or a failed step). */
  async function loadWrappers(): Promise<void> {
    if (!factory) return;
    const rows = await db.query<{ address: string }>("SELECT address FROM wrappers WHERE block_to IS NULL");
    wrappers = new Set(rows.map((r) => r.address));
    wrappersLoaded = true;
  }

  /**
   * Logs of blocks [from, to]: the configured contracts and the `known` wrappers; with the factory, also the wrappers
   * it creates in the range (`fresh`; factory pattern: their logs are fetched for the same range once their
   * `WrapperCreated` is seen) and `Configured` logs of valuation oracles at any address.
   */
  async function getLogs(from: number, to: number, known: Set<string>, rpc = reader()): Promise<{ logs: RawLog[]; fresh: Set<string> }> {
    const fresh = new Set<string>();
    const logs = await rpc.getLogs(from, to, [...addresses, ...known]);
    if (!factory) return { logs, fresh };
    for (const l of logs) {
      if (l.address.toLowerCase() === factory && l.topics[0] === WRAPPER_CREATED && l.topics[2]) {
        const w = ("0x" + l.topics[2].slice(26)).toLowerCase();
        if (!known.has(w)) fresh.add(w);
      }
    }
    if (fresh.size > 0) logs.push(...(await rpc.getLogs(from, to, [...fresh])));
    const seen = new Set(logs.map((l) => `${l.blockHash}:${l.logIndex}`));
    for (const l of await rpc.getLogs(from, to, null, [VALUATION_ORACLE_TOPICS])) if (!seen.has(`${l.blockHash}:${l.logIndex}`)) logs.push(l);
    return { logs, fresh };
  }

  /**
   * Fetches and reads (`readLogs`) the logs from `from` up to at most `maxTo`, shrinking the range on range errors.
   * During backfill (`readAhead`) the next range's logs are asked for as soon as these come, so that the node works
   * on them while these are read and checked; the next call takes that answer if it asks for the same range of the
   * same endpoint with the same addresses and nothing happened in between (`epoch`).
   */
  async function fetchLogs(from: number, maxTo: number, known: Set<string>, readAhead: boolean): Promise<{ to: number; read: ReadLogs; fresh: Set<string> }> {
    for (;;) {
      const to = Math.min(maxTo, from + range - 1);
      const early = nextLogs && nextLogs.key === logsKey(from, to, known) ? nextLogs.answer : null;
      nextLogs = null;
      try {
        const { logs, fresh } = await (early ?? getLogs(from, to, known));
        const span = to - from + 1;
        if (logs.length > config.rpc.targetLogsPerRange) {
          range = Math.max(1, Math.floor((span * config.rpc.targetLogsPerRange) / logs.length));
        } else if (span >= range && logs.length < config.rpc.targetLogsPerRange / 2) {
          range = Math.min(config.rpc.maxRange, range * 2);
        }
        metrics.getLogsRange.set(range);
        if (readAhead && to < maxTo) {
          const next = [to + 1, Math.min(maxTo, to + range)] as const;
          const addrs = fresh.size ? new Set([...known, ...fresh]) : known;
          const answer = getLogs(next[0], next[1], addrs);
          answer.catch(() => {}); // awaited by the next call, or dropped
          nextLogs = { key: logsKey(next[0], next[1], addrs), answer };
        }
        return { to, read: readLogs(logs, known, fresh), fresh };
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

  /**
   * Rolls back to the newest stored block that is still canonical. With none, the verdict is confirmed on every
   * endpoint over three rounds (one bad answer must not stop the indexer) before `DeepReorgError`. A fork at the
   * checkpoint itself is no reorg (a bad or stale answer made us look): nothing is rolled back.
   */
  async function handleReorg(cp: Checkpoint): Promise<void> {
    const stored = await recentBlocks(db, cp.number);
    let idx = -1;
    for (let round = 0; round < 3 && idx < 0; round++) {
      for (let k = 0; k < rpcs.length && idx < 0; k++) {
        const remote = await rpcs[(active + k) % rpcs.length].getBlocks(stored.map((b) => b.number));
        idx = stored.findIndex((b, i) => remote[i]?.hash === b.hash);
      }
      if (idx < 0 && round < 2) await sleep(backoff(round + 1, config.rpc.backoffMs, config.rpc.maxBackoffMs), ctx.signal);
    }
    if (idx < 0) {
      throw new DeepReorgError(
        `reorg deeper than the finality depth (${config.finality} blocks): none of the ${stored.length} stored blocks ` +
          `${stored.length ? `${stored[stored.length - 1].number}..${stored[0].number} ` : ""}is still canonical; ` +
          `reindex with a larger --finality`,
      );
    }
    const fork = stored[idx];
    if (fork.number === cp.number && fork.hash === cp.hash) {
      metrics.falseAlarms.inc({ kind: "reorg" });
      log.warn({ block: cp.number }, "reorg not confirmed: the checkpoint is still canonical (bad or stale answer)");
      return;
    }
    await db.transaction((tx) => rollback(tx, fork));
    wrappersLoaded = false; // wrappers created after the fork are gone
    epoch++;
    state.reorgs++;
    state.checkpoint = { number: fork.number, hash: fork.hash, timestamp: fork.timestamp };
    const depth = cp.number - fork.number;
    metrics.reorgs.inc();
    metrics.reorgDepth.set(depth);
    metrics.checkpoint.set(fork.number);
    log.warn({ from: cp.number, to: fork.number, depth }, "reorg: rolled back");
  }

  /**
   * Reads a range's raw logs at once, as they arrive: the decoded events (in answer order) plus, per block, what the
   * cross-checks need. Nothing keeps the raw logs after this: they die young instead of being copied and promoted by
   * the garbage collector while the range waits for its checks (most of a backfill's GC work was those copies).
   */
  function readLogs(logs: RawLog[], known: Set<string>, fresh: Set<string>): ReadLogs {
    decodeWith = { known, fresh };
    const events: Ev[] = [];
    const blocks = new Map<number, BlockLogs>();
    for (const l of logs) {
      const n = Number(l.blockNumber);
      let b = blocks.get(n);
      if (b === undefined) blocks.set(n, (b = { hash: l.blockHash, mixed: false, addresses: new Set(), logIndexes: [] }));
      else if (b.hash !== l.blockHash) b.mixed = true;
      b.addresses.add(l.address.toLowerCase());
      b.logIndexes.push(Number(l.logIndex));
      if (l.removed) continue;
      const ev = decode(l);
      if (ev) events.push(ev);
      else log.debug({ address: l.address, topic: l.topics[0], block: n }, "unknown event skipped");
    }
    return { events, blocks };
  }

  /**
   * Cross-checks the logs of [from, to] (per block, `readLogs`) against the headers of every block of the range
   * (fetched in chunks unless given): each log's block hash must match its header, and no block may have a bloom that
   * rules out an address it has logs of, or may hold one of our addresses with no log returned for it. Returns the
   * blocks whose bloom disagrees.
   */
  async function bloomSuspects(from: number, to: number, blocks: Map<number, BlockLogs>, headers: Header[] | null, addrs: string[]): Promise<number[]> {
    const none = new Set<string>();
    const suspects: number[] = [];
    for (let a = from; a <= to; a += HEADER_CHUNK) {
      const b = Math.min(to, a + HEADER_CHUNK - 1);
      const hs = headers ? headers.filter((h) => h.number >= a && h.number <= b) : await reader().getBlocks(numbers(a, b));
      for (const h of hs) {
        if (!h) throw new ChainMovedError(`block missing in ${a}..${b}`);
        const got = blocks.get(h.number);
        if (got && got.hash !== h.hash) throw new ChainMovedError(`log of block ${h.number} from another fork`);
        const have = got?.addresses ?? none;
        // each distinct address once: the bloom answers the same for every log of one address
        if ([...have].some((x) => !bloomMayContain(h.logsBloom, x))) suspects.push(h.number);
        else if (addrs.some((x) => !have.has(x) && bloomMayContain(h.logsBloom, x))) suspects.push(h.number);
      }
    }
    return suspects;
  }

  /**
   * A range's logs (`read`), cross-checked against the blooms: when they disagree, refetched from the verifier, whose
   * answer is used if it is the same set of logs; `known` and `fresh` are the wrappers the logs were fetched for.
   */
  async function checkedLogs(from: number, to: number, read: ReadLogs, headers: Header[] | null, known: Set<string>, fresh: Set<string>): Promise<ReadLogs> {
    if (!config.rpc.bloomCheck) return read;
    const suspects = await bloomSuspects(from, to, read.blocks, headers, [...addresses, ...known, ...fresh]);
    if (suspects.length === 0) return read;
    metrics.crossChecks.inc({ kind: "bloom" });
    const again = readLogs((await getLogs(from, to, known, verifier())).logs, known, fresh);
    const key = (r: ReadLogs) => [...r.blocks.values()].flatMap((b) => b.logIndexes.map((i) => `${b.hash}:${i}`)).sort().join();
    if (key(again) !== key(read)) {
      throw new InconsistentError(`eth_getLogs ${from}..${to}: blooms of ${suspects.length} block(s) (first ${suspects[0]}) disagree; a second answer differs`, [from, to]);
    }
    log.debug({ from, to, blocks: suspects.length }, "bloom false positive: two equal answers");
    return again;
  }

  /** Timestamps of the blocks holding `events`: from the range's headers, the others read in batches. */
  async function eventBlockTimes(events: Ev[], known: Map<number, Header>): Promise<{ number: number; timestamp: number }[]> {
    const blocks = [...new Set(events.map((e) => e.block))];
    const missing = blocks.filter((n) => !known.has(n));
    const fetched = new Map<number, number>();
    for (let i = 0; i < missing.length; i += HEADER_CHUNK) {
      const chunk = missing.slice(i, i + HEADER_CHUNK);
      const hs = await reader().getBlocks(chunk);
      hs.forEach((h, j) => {
        if (!h) throw new ChainMovedError(`block ${chunk[j]} missing`);
        fetched.set(h.number, h.timestamp);
      });
    }
    return blocks.map((n) => ({ number: n, timestamp: known.get(n)?.timestamp ?? fetched.get(n)! }));
  }

  /** Fills in the timestamps of event blocks indexed before `block_times` existed (once, at start). */
  async function fillBlockTimes(): Promise<void> {
    for (;;) {
      const missing = await blocksWithoutTime(db, HEADER_CHUNK);
      if (missing.length === 0) return;
      const hs = await reader().getBlocks(missing);
      if (hs.some((h) => h === null)) throw new ChainMovedError(`a block of ${missing[0]}..${missing[missing.length - 1]} is missing`);
      await saveBlockTimes(db, hs.map((h, i) => ({ number: missing[i], timestamp: h!.timestamp })));
      log.info({ blocks: missing.length }, "block times filled in");
    }
  }

  /**
   * Fetches blocks [from, ≤ maxTo] (`tail`: every header, checked to link up) and everything their commit needs: the
   * logs of the configured contracts and of the `known` wrappers (plus those the range creates), cross-checked
   * against the headers and blooms, the checkpoint hash confirmed by the next endpoint, the events decoded in chain
   * order and their blocks' timestamps. "reorg" when the range does not extend `cp`.
   */
  async function prepareRange(from: number, maxTo: number, tail: boolean, cp: Checkpoint | null, known: Set<string>): Promise<Prepared | "reorg"> {
    const rpc = reader();
    // The headers of every block of the range are asked for together with its logs: one round trip where the link to
    // the checkpoint, the bloom cross-check and the events' timestamps took three after the logs (~40 ms of a 10,000-log
    // range on a local node; a remote node's latency each). A range wider than HEADER_CHUNK blocks (sparse logs) reads
    // its first and last headers after the logs and the rest in chunks (`bloomSuspects`, `eventBlockTimes`); the tail
    // always reads all (it stores them).
    const asked = Math.min(maxTo, from + range - 1); // fetchLogs asks for this range first (a refusal shrinks it)
    const early = tail || asked - from < HEADER_CHUNK ? rpc.getBlocks(numbers(from, asked)) : null;
    early?.catch(() => {}); // awaited below unless the logs fail first
    // the hash that becomes the checkpoint is re-read (from the next endpoint) while the range is fetched and checked:
    // asked for now, before the next range's logs (`fetchLogs`), which a node answers first
    const againAsked = verifier().getBlock(asked);
    againAsked.catch(() => {});
    const { to, read, fresh } = await fetchLogs(from, maxTo, known, !tail && ASK_AHEAD[db.kind]);
    const headers = early && to <= asked ? (await early).slice(0, to - from + 1) : await rpc.getBlocks(tail ? numbers(from, to) : from === to ? [to] : [from, to]);
    if (headers.some((h) => h === null)) throw new ChainMovedError(`block missing in ${from}..${to}`);
    const all = headers as Header[];
    const complete = all.length === to - from + 1; // every header of the range, not only its first and last
    const again = to === asked ? againAsked : verifier().getBlock(to);
    again.catch(() => {});
    if (cp && all[0].parentHash !== cp.hash) return "reorg";
    for (let i = 1; complete && i < all.length; i++) {
      if (all[i].parentHash !== all[i - 1].hash) throw new ChainMovedError(`headers ${from}..${to} do not link`);
    }
    const byNumber = new Map(all.map((h) => [h.number, h]));
    for (const [n, b] of read.blocks) {
      if (b.mixed || (byNumber.has(n) && byNumber.get(n)!.hash !== b.hash)) throw new ChainMovedError(`log of block ${n} from another fork`);
    }
    const { events } = await checkedLogs(from, to, read, complete ? all : null, known, fresh);
    const last = all[all.length - 1];
    const confirmed = await again;
    if (confirmed?.hash !== last.hash) {
      metrics.crossChecks.inc({ kind: "hash" });
      throw new InconsistentError(`hash of block ${to} not confirmed (${last.hash.slice(0, 10)}… then ${confirmed?.hash?.slice(0, 10) ?? "none"}…)`, [from, to]);
    }
    events.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
    const times = await eventBlockTimes(events, byNumber);
    // the tail stores every header; a backfill range keeps its first and last
    const hs = tail || all.length <= 2 ? all : [all[0], last];
    return { to, hs, events, times, fresh };
  }

  /**
   * The next write batch from `from`: one range (`prepareRange`) in the tail; during backfill consecutive ranges, each
   * extending the one before, until the batch holds `WRITE_BATCH_EVENTS[db.kind]` events, spans `rpc.maxRange` blocks or reaches
   * `maxTo`. The `eth_getLogs` range stays at the log target nodes accept; the transaction gets larger, so fewer
   * superseded entity rows are closed (an entity touched in many blocks of one batch is closed once).
   */
  async function prepare(from: number, maxTo: number, tail: boolean, cp: Checkpoint | null, known: Set<string>): Promise<Prepared | "reorg"> {
    const first = await prepareRange(from, maxTo, tail, cp, known);
    if (first === "reorg" || tail) return first;
    const batch = first;
    const end = Math.min(maxTo, from + config.rpc.maxRange - 1); // a batch spans at most --max-range blocks too
    let seen = new Set([...known, ...first.fresh]);
    while (batch.to < end && batch.events.length < WRITE_BATCH_EVENTS[db.kind]) {
      const last = batch.hs[batch.hs.length - 1];
      const more = await prepareRange(batch.to + 1, end, false, last, seen);
      if (more === "reorg") throw new ChainMovedError(`block ${batch.to + 1} does not extend block ${batch.to} fetched just before`);
      batch.to = more.to;
      batch.hs = [batch.hs[0], ...more.hs.slice(-1)];
      for (const ev of more.events) batch.events.push(ev);
      for (const t of more.times) batch.times.push(t);
      for (const w of more.fresh) batch.fresh.add(w);
      seen = new Set([...seen, ...more.fresh]);
    }
    return batch;
  }

  /** Rebuilds the indexes set aside for the backfill, once it is done (before the unfinalized tail or going live). */
  async function restoreDeferredIndexes(): Promise<void> {
    if (!indexesDeferred) return;
    const started = Date.now();
    const n = await restoreIndexes(db);
    indexesDeferred = false;
    log.info({ indexes: n, ms: Date.now() - started }, "backfill done: indexes built");
  }

  /** One step: index the next range, or detect a reorg, or report being caught up (returns false). */
  async function step(): Promise<boolean> {
    if (checkpointStale) {
      state.checkpoint = await readCheckpoint(db);
      checkpointStale = false;
    }
    const rpc = reader();
    const head = await rpc.blockNumber();
    const now = Date.now();
    state.headAt = now;
    if (head > highestHead) {
      highestHead = head;
      state.headAdvancedAt = now;
    }
    state.head = head;
    state.finalized = Math.max(0, head - config.finality);
    metrics.head.set(head);
    const cp = state.checkpoint;
    const next = cp ? cp.number + 1 : config.fromBlock;
    metrics.lag.set(Math.max(0, head - (cp?.number ?? config.fromBlock - 1)));
    if (cp && head < cp.number) {
      // the node says it is behind us: a rewind, or a stale or lagging answer (our tip still exists)
      const tip = await rpc.getBlock(cp.number);
      if (tip?.hash === cp.hash) {
        metrics.falseAlarms.inc({ kind: "stale_head" });
        log.debug({ head, checkpoint: cp.number }, "stale head (our tip is still canonical): waiting");
        return false;
      }
      await handleReorg(cp);
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
      await restoreDeferredIndexes();
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
    if (tail) await restoreDeferredIndexes();
    if (!tail && state.phase !== "backfill") {
      state.phase = "backfill";
      state.backfillFrom = { block: next, at: Date.now(), events: state.eventsIndexed };
    }
    const started = Date.now();
    const end = metrics.batchDuration.startTimer();
    if (!wrappersLoaded) await loadWrappers();
    const fetchNow = () => prepare(next, tail ? tailEnd(next, head) : safe, tail, cp, wrappers);
    let preparing: Promise<Prepared | "reorg" | null> | null = null;
    if (ahead) {
      const a = ahead;
      ahead = null;
      if (a.from === next && a.tail === tail && a.epoch === epoch && a.parent === (cp?.hash ?? null)) preparing = a.promise;
    }
    preparing ??= fetchNow();
    if (!tail && !cp && !indexesDeferred) {
      // a cold backfill: the API-only indexes are built once at its end instead of row by row; they are set aside
      // while the first range is fetched
      preparing.catch(() => {}); // awaited below unless this fails first
      indexesDeferred = (await deferIndexes(db)) > 0;
      if (indexesDeferred) log.info("cold backfill: API-only indexes set aside until it is done");
    }
    const r = (await preparing) ?? (await fetchNow()); // a range fetched ahead that failed is fetched again
    if (r === "reorg") {
      await handleReorg(cp!);
      return true;
    }
    const { to, hs, events, times, fresh } = r;
    const last = hs[hs.length - 1];
    if (!tail && to < head) {
      // fetch the next range while this one is written: more backfill, or after the last backfill batch the
      // unfinalized tail, whose headers then come while the indexes set aside are rebuilt
      const nextTail = to >= safe;
      const known = new Set([...wrappers, ...fresh]);
      fetchAhead(to + 1, nextTail, { number: to, hash: last.hash, timestamp: last.timestamp }, nextTail ? tailEnd(to + 1, head) : safe, known);
    }
    const newCp: Checkpoint = { number: to, hash: last.hash, timestamp: last.timestamp };
    const stored = (tail ? hs : [last]).map(({ number, hash, parentHash, timestamp }) => ({ number, hash, parentHash, timestamp }));
    stepMismatches = 0;
    await db.transaction(async (tx) => {
      await applyEvents(tx, events, handlerCtx);
      if (stepMismatches > 0) {
        // never commit what the model says is wrong: roll the range back and refetch it
        metrics.crossChecks.inc({ kind: "model" });
        throw new InconsistentError(`${stepMismatches} event(s) in blocks ${next}..${to} disagree with the contract model`, [next, to], true);
      }
      await saveBlocks(tx, stored, Math.max(0, safe), to);
      await saveBlockTimes(tx, times);
      await writeCheckpoint(tx, newCp);
    });
    end();
    for (const w of fresh) wrappers.add(w);
    state.checkpoint = newCp;
    noteCommit(state, { parent: cp?.hash ?? null, hash: newCp.hash, holders: tail ? touchedHolders(events) : null }); // api/cache.ts
    state.inconsistent = null;
    mismatchStreak = { range: "", n: 0 };
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

  /** Stops the sync for good: the API refuses to serve, `/health` answers 503 with the reason. */
  function fail(e: Error): never {
    state.fatal = e;
    state.phase = "failed";
    log.fatal({ err: e.message }, "sync stopped");
    throw e;
  }

  /** The last block of an unfinalized tail range from `from`, with the chain at `head`. */
  const tailEnd = (from: number, head: number) => Math.min(head, from + config.rpc.maxTailBlocks - 1);

  /**
   * Starts preparing the range from `from` (extending `cp`, up to `maxTo`) as the range fetched ahead: the next step
   * takes it if nothing happened in between (`epoch`) and it still extends the checkpoint; a reorg or a failure in it
   * is left for that step to meet by refetching.
   */
  function fetchAhead(from: number, tail: boolean, cp: Checkpoint | null, maxTo: number | Promise<number>, known: Set<string>): void {
    const promise = Promise.resolve(maxTo)
      .then((to) => (from <= to ? prepare(from, to, tail, cp, known) : null))
      .then((p) => (p === "reorg" ? null : p), () => null);
    ahead = { from, tail, epoch, parent: cp?.hash ?? null, promise };
  }

  /**
   * A cold start's head start (`ASK_AHEAD`), called before `migrate`: when the store holds no checkpoint (`hasCheckpoint`:
   * no tables yet, or none committed), the first backfill batch (from `fromBlock`) does not depend on it, so the node
   * is asked for it now, while the store migrates; the first step takes it if the store indeed has no checkpoint.
   * Resolves once asked (or not). Does nothing on PGlite, when a range is already being fetched ahead, or while the
   * chain has no finalized block past `fromBlock` (the steps then fetch the tail as usual).
   */
  async function headStart(): Promise<void> {
    if (ahead || !ASK_AHEAD[db.kind] || (await hasCheckpoint(db))) return;
    const safe = reader().blockNumber().then((head) => head - config.finality);
    fetchAhead(config.fromBlock, false, null, safe, new Set());
  }

  /** Runs until `ctx.signal` aborts or a fatal error (deep reorg, persistent model mismatch); the store is migrated. */
  async function run(): Promise<void> {
    state.checkpoint = await readCheckpoint(db);
    indexesDeferred = (await deferredIndexCount(db)) > 0; // a backfill interrupted by a crash goes on without them
    if (state.checkpoint) metrics.checkpoint.set(state.checkpoint.number);
    let timesFilled = false;
    while (!ctx.signal.aborted) {
      try {
        if (!timesFilled) {
          await fillBlockTimes();
          timesFilled = true;
        }
        const more = await step();
        state.consecutiveFailures = 0;
        state.lastError = null;
        if (!more) await sleep(config.pollIntervalMs, ctx.signal);
      } catch (e) {
        if (e instanceof DeepReorgError) fail(e);
        if (ctx.signal.aborted) break;
        state.consecutiveFailures++;
        state.lastError = (e instanceof Error ? e.message : String(e)).slice(0, 500);
        metrics.syncErrors.inc();
        wrappersLoaded = false;
        epoch++; // a range fetched ahead is not used
        // a COMMIT (or rollback) whose answer was lost may or may not have landed: re-read before the next step
        if (!(e instanceof InconsistentError)) checkpointStale = true;
        if (e instanceof InconsistentError) {
          state.inconsistent = e.message;
          active = (active + 1) % rpcs.length; // refetch from the next endpoint
          if (e.mismatch) {
            const key = e.range.join("..");
            mismatchStreak = { range: key, n: mismatchStreak.range === key ? mismatchStreak.n + 1 : 1 };
            if (mismatchStreak.n > config.maxMismatchRetries) {
              fail(new ModelMismatchError(`model mismatch persists in blocks ${key} after ${config.maxMismatchRetries} refetches: ${e.message}; the data before is kept, nothing of this range is served`));
            }
          }
        }
        const wait = e instanceof ChainMovedError ? 50 : backoff(Math.min(state.consecutiveFailures, 8), config.rpc.backoffMs, config.rpc.maxBackoffMs);
        log.warn({ err: state.lastError, failures: state.consecutiveFailures, retryInMs: wait }, "sync step failed: retrying");
        await sleep(wait, ctx.signal);
      }
    }
    state.phase = "stopped";
  }

  return { headStart, run };
}
