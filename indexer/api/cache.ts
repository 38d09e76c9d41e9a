/**
 * Response cache of `POST /graphql`: the exact response (status, headers, body) of a request, keyed by its body and
 * the headers that shape the response (Accept, Content-Type, Origin: CORS echoes it), valid for one indexed state
 * and evicted as soon as a committed block could change it.
 *
 * **Scope of an answer.** Most answers depend on the whole indexed state: they are valid for one checkpoint (number
 * AND hash) and reorg epoch, and any commit, rollback or reorg evicts them ("block-scoped"). An answer is
 * "holder-scoped" when its document selects only fields listed in `HOLDER_FIELDS` (the account query: an account's
 * own positions, their accumulator figures and their valuation) and its resolvers named the holders it read
 * (`dependsOnHolder`) without asking for block scope (`dependsOnBlock`, e.g. the DeFi owner view). Such an answer
 * reads only (a) the holder's own `positions` rows and (b) state that changes only through events other than a
 * plain transfer (series terms and accumulators, oracle reports, settlements, claimers) or with the UTC day of the
 * checkpoint (valuation). So when the sync's commit log (`state.commits`, `noteCommit`) links the checkpoint the
 * cache last saw to the current one (same reorg epoch, same UTC day) by commits that each hold nothing but ERC-1155
 * transfers between two non-zero addresses (`touchedHolders`), only the answers of the holders those transfers moved
 * are evicted, with every block-scoped answer; the commits may have come while no request did. Anything else (a
 * mint, burn, distribution, report, claim, DeFi event, a new day, a reorg, a rollback, a checkpoint the log does not
 * reach, a replica that reads the writer's status) empties the cache. A stored answer therefore always equals the answer computed at the checkpoint the
 * server reports when it serves it.
 *
 * A response is stored only when it is a success without `errors` (errors may be transient: a database that is
 * down), none of its fields read state outside the checkpoint (`_meta`: head, lag, phase, readiness; its resolver
 * calls `volatile()`), the sync has not stopped (`fatal`), and the tag did not change while it was computed (the
 * rows it read are then at least as new as the tag it is stored under).
 */
import client from "prom-client";
import { TypeInfo, getNamedType, parse, visit, visitWithTypeInfo, type GraphQLSchema } from "graphql";
import type { IndexerContext } from "../context.js";
import type { Ev } from "../handlers/decode.js";

/** Limits: at most `maxEntries` responses of at most `maxBodyBytes` each, `maxTotalBytes` of keys and bodies in all (oldest out first). */
export const RESPONSE_CACHE = { maxEntries: 20_000, maxBodyBytes: 64 * 1024, maxTotalBytes: 32 * 1024 * 1024 } as const;

/**
 * Fields an answer may select and still be holder-scoped, by parent type (`*`: every field). What they read besides
 * the account's own `positions` rows changes only through events other than plain transfers, or with the day.
 * Deliberately absent: `Position.series` (holder counts move with every transfer), `kind`, `lendingValuations`,
 * `wrapped`, `collateral` (DeFi state), and every other root field.
 */
export const HOLDER_FIELDS: Record<string, ReadonlySet<string> | "*"> = {
  Query: new Set(["account", "__typename"]),
  Account: new Set(["address", "positions", "claimer", "__typename"]),
  Position: new Set([
    "seriesId", "holder", "balance", "claimableSats", "claimedSats", "accruedSats", "accruedE36", "remainingDays", "remainingThsDays",
    "valuation", "totalUnits", "totalClaimableSats", "updatedBlock", "__typename",
  ]),
  Valuation: "*",
};

/** What the sync publishes with each commit: the checkpoint before and after, and the holders it moved (null: anything else). */
export interface CommitNote {
  parent: string | null;
  hash: string;
  holders: string[] | null;
}

/** How many commits `state.commits` keeps: a cache that saw none of the last this-many commits empties itself. */
export const COMMIT_LOG = 256;

/** Appends a commit's note to `state.commits` (the sync calls it after each commit), keeping the last `COMMIT_LOG`. */
export function noteCommit(state: { commits?: CommitNote[] }, note: CommitNote): void {
  const log = (state.commits ??= []);
  log.push(note);
  if (log.length > COMMIT_LOG) log.splice(0, log.length - COMMIT_LOG);
}

/**
 * The holders moved between checkpoint `from` and checkpoint `to` if the commit log links them by plain-transfer
 * commits only (each note's parent is the previous note's hash); null otherwise (a commit of anything else, a gap,
 * `from` no longer in the log).
 */
export function movedBetween(log: readonly CommitNote[] | undefined, from: string, to: string): Set<string> | null {
  if (!log) return null;
  let i = log.length - 1;
  while (i >= 0 && log[i].parent !== from) i--;
  if (i < 0) return null;
  const moved = new Set<string>();
  for (let prev = from; i < log.length; i++) {
    const c = log[i];
    if (c.parent !== prev || c.holders === null) return null;
    for (const h of c.holders) moved.add(h);
    if (c.hash === to) return moved;
    prev = c.hash;
  }
  return null;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * The holders whose positions `events` move, if they are all HashpowerToken transfers between two non-zero
 * addresses (neither mint nor burn: those change the supply); null otherwise.
 */
export function touchedHolders(events: readonly Ev[]): string[] | null {
  const out = new Set<string>();
  for (const ev of events) {
    if (ev.contract !== "token" || (ev.name !== "TransferSingle" && ev.name !== "TransferBatch")) return null;
    const { from, to } = ev.args;
    if (typeof from !== "string" || typeof to !== "string" || from === ZERO || to === ZERO) return null;
    out.add(from.toLowerCase()).add(to.toLowerCase());
  }
  return [...out];
}

/**
 * The part of a cache key that the response-shaping request headers make: Accept, Content-Type and Origin (CORS
 * echoes it). Shared by the response cache and the fast path (`fast.ts`).
 */
export const shapeKeyOf = (h: Record<string, string | string[] | undefined>) => `${h.accept ?? ""}\n${h["content-type"] ?? ""}\n${h.origin ?? ""}\n`;

/** Whether an answer is a 200 GraphQL JSON response without `errors` (the only kind kept by the cache and the fast path). */
export function isCleanAnswer(status: number, headers: Record<string, string>, out: Buffer): boolean {
  if (status !== 200 || out.includes('"errors":')) return false;
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  return /^application\/(graphql-response\+)?json/.test(type);
}

interface Entry {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** the holders it depends on (holder-scoped), or null (block-scoped) */
  holders: string[] | null;
}

/** Per-request flags that resolvers set through the GraphQL context (`context.responseCache`). */
export interface CacheFlags {
  /** the response reads state that changes without a new checkpoint: do not store it */
  volatile: boolean;
  /** the holders whose rows it read (`dependsOnHolder`) */
  holders?: Set<string>;
  /** it read something a plain transfer may change (`dependsOnBlock`): block-scoped */
  block?: boolean;
}

/** Marks the response of the request whose GraphQL context is `c` as not cacheable. */
export function volatile(c: { responseCache?: CacheFlags } | undefined): void {
  if (c?.responseCache) c.responseCache.volatile = true;
}

/** Records that the response of the request whose context is `c` reads holder `address`'s positions (lowercase). */
export function dependsOnHolder(c: { responseCache?: CacheFlags } | undefined, address: string): void {
  if (c?.responseCache) (c.responseCache.holders ??= new Set()).add(address);
}

/** Marks the response of the request whose context is `c` as block-scoped whatever its fields. */
export function dependsOnBlock(c: { responseCache?: CacheFlags } | undefined): void {
  if (c?.responseCache) c.responseCache.block = true;
}

/**
 * A Prometheus counter with one label whose values are plain numbers in `counts` (what the returned object holds),
 * read at scrape time: no label hashing or validation per increment on the request path. Several sources (servers)
 * may share one registry's counter; their counts add up.
 */
export function plainCounter(registry: client.Registry, name: string, help: string, label: string): Record<string, number> {
  let m = registry.getSingleMetric(name) as (client.Counter<string> & { sources?: Record<string, number>[] }) | undefined;
  if (!m) {
    const sources: Record<string, number>[] = [];
    m = new client.Counter({
      name, help, labelNames: [label], registers: [registry],
      collect() {
        this.reset();
        for (const s of sources) for (const k in s) this.inc({ [label]: k }, s[k]);
      },
    });
    m.sources = sources;
  }
  const counts: Record<string, number> = {};
  m.sources!.push(counts);
  return counts;
}

const dayOf = (timestamp: number) => Math.floor(timestamp / 86_400);

/** Creates the cache of one server; `schema` is the served schema (to tell holder-scoped documents). */
export function createResponseCache(ctx: IndexerContext, schema?: GraphQLSchema) {
  /** the state the entries describe */
  let seen: { number: number; hash: string; timestamp: number; reorgs: number } | null = null;
  const entries = new Map<string, Entry>();
  const byHolder = new Map<string, Set<string>>();
  const blockScoped = new Set<string>();
  let bytes = 0;
  const size = (k: string, e: Entry) => k.length + e.body.length;
  const counter = plainCounter(ctx.metrics.registry, "indexer_graphql_response_cache_total", "POST /graphql requests looked up in the response cache, by result (hit, miss)", "result");
  const evictions = plainCounter(ctx.metrics.registry, "indexer_graphql_response_cache_evictions_total",
    "Response cache invalidations on a new checkpoint: 'holders' evicted only the moved holders' answers, 'all' emptied it", "reason");

  const drop = (k: string) => {
    const e = entries.get(k);
    if (!e) return;
    entries.delete(k);
    bytes -= size(k, e);
    if (e.holders === null) blockScoped.delete(k);
    else for (const h of e.holders) {
      const s = byHolder.get(h);
      s?.delete(k);
      if (s?.size === 0) byHolder.delete(h);
    }
  };
  const clear = () => {
    entries.clear();
    byHolder.clear();
    blockScoped.clear();
    bytes = 0;
  };
  /**
   * Brings the entries to the current state: nothing to do at the same checkpoint; evicts the moved holders' and
   * the block-scoped answers after one plain-transfer commit from the seen checkpoint; empties the cache otherwise.
   * Returns the current tag, null when nothing may be cached (no checkpoint, sync stopped).
   */
  let tag = "";
  /** the checkpoint object `tag` was made for: the writer replaces it at each commit (a replica at each poll) */
  let tagOf: object | null = null;
  const current = (): string | null => {
    const { checkpoint: cp, reorgs, fatal, commits } = ctx.state;
    if (!cp || fatal) return null;
    if (cp === tagOf && seen!.reorgs === reorgs) return tag; // the warm path: nothing to compare, nothing allocated
    tagOf = cp;
    if (seen && seen.number === cp.number && seen.hash === cp.hash && seen.reorgs === reorgs) return (tag = `${cp.number}:${cp.hash}:${reorgs}`);
    if (entries.size > 0) {
      const moved = seen && seen.reorgs === reorgs && dayOf(seen.timestamp) === dayOf(cp.timestamp) ? movedBetween(commits, seen.hash, cp.hash) : null;
      if (moved) {
        for (const k of [...blockScoped]) drop(k);
        for (const h of moved) for (const k of [...(byHolder.get(h) ?? [])]) drop(k);
        evictions.holders = (evictions.holders ?? 0) + 1;
      } else {
        clear();
        evictions.all = (evictions.all ?? 0) + 1;
      }
    }
    seen = { number: cp.number, hash: cp.hash, timestamp: cp.timestamp, reorgs };
    return (tag = `${cp.number}:${cp.hash}:${reorgs}`);
  };
  /** documents (query text) → whether they select only HOLDER_FIELDS (bounded memo) */
  const docs = new Map<string, boolean>();
  const holderDocument = (body: Buffer): boolean => {
    if (!schema) return false;
    let query: unknown;
    try {
      query = JSON.parse(body.toString("utf8"))?.query;
    } catch {
      return false;
    }
    if (typeof query !== "string") return false;
    let ok = docs.get(query);
    if (ok === undefined) {
      ok = true;
      try {
        const info = new TypeInfo(schema);
        visit(parse(query), visitWithTypeInfo(info, {
          OperationDefinition(n) {
            if (n.operation !== "query") ok = false;
          },
          Field(n) {
            const parent = info.getParentType();
            const allowed = parent ? HOLDER_FIELDS[getNamedType(parent).name] : undefined;
            if (!allowed || (allowed !== "*" && !allowed.has(n.name.value))) ok = false;
          },
        }));
      } catch {
        ok = false;
      }
      if (docs.size >= 1_000) docs.delete(docs.keys().next().value!);
      docs.set(query, ok);
    }
    return ok;
  };
  /** what the response depends on besides the state: the body, and the headers that shape it (CORS echoes Origin) */
  const keyOf = (headers: Record<string, string | string[] | undefined>, body: Buffer) =>
    shapeKeyOf(headers) + body.toString("latin1");
  return {
    /** The stored response of this request at the current state, if any. */
    get(headers: Record<string, string | string[] | undefined>, body: Buffer): Entry | undefined {
      if (current() === null) return undefined;
      const e = entries.size === 0 ? undefined : entries.get(keyOf(headers, body));
      if (e) counter.hit = (counter.hit ?? 0) + 1;
      else counter.miss = (counter.miss ?? 0) + 1;
      return e;
    },
    /** The tag to pass to `set` once the response is computed (read before computing it). */
    begin: current,
    /** Stores the response computed for this request if it is cacheable and the state is still `t`. */
    set(t: string | null, headers: Record<string, string | string[] | undefined>, body: Buffer, flags: CacheFlags, status: number, outHeaders: Record<string, string>, out: Buffer) {
      if (t === null || t !== current() || flags.volatile || out.length > RESPONSE_CACHE.maxBodyBytes || !isCleanAnswer(status, outHeaders, out)) return;
      const k = keyOf(headers, body);
      drop(k);
      const holders = !flags.block && holderDocument(body) ? [...(flags.holders ?? [])] : null;
      const e: Entry = { status, headers: outHeaders, body: out, holders };
      bytes += size(k, e);
      entries.set(k, e);
      if (holders === null) blockScoped.add(k);
      else for (const h of holders) {
        let s = byHolder.get(h);
        if (!s) byHolder.set(h, (s = new Set()));
        s.add(k);
      }
      while (entries.size > RESPONSE_CACHE.maxEntries || bytes > RESPONSE_CACHE.maxTotalBytes) drop(entries.keys().next().value!);
    },
  };
}
