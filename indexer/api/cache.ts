/**
 * Per-block response cache of `POST /graphql`: the exact response (status, headers, body) of a request, keyed by
 * its body and the headers that shape the response (Accept, Content-Type, Origin: CORS echoes it), valid for one indexed state: the
 * checkpoint (number AND hash) and the reorg epoch. Any commit, rollback or reorg changes that tag and empties the
 * cache, so a response is never older than the checkpoint the server reports when it is served.
 *
 * A response is stored only when it is a success without `errors` (errors may be transient: a database that is
 * down), none of its fields read state outside the checkpoint (`_meta`: head, lag, phase, readiness; its resolver
 * calls `volatile()`), the sync has not stopped (`fatal`), and the tag did not change while it was computed (the
 * rows it read are then at least as new as the tag it is stored under).
 */
import client from "prom-client";
import type { IndexerContext } from "../context.js";

/** Limits: at most `maxEntries` responses of at most `maxBodyBytes` each, `maxTotalBytes` of keys and bodies in all (oldest out first). */
export const RESPONSE_CACHE = { maxEntries: 20_000, maxBodyBytes: 64 * 1024, maxTotalBytes: 32 * 1024 * 1024 } as const;

interface Entry {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Per-request flags that resolvers set through the GraphQL context (`context.responseCache`). */
export interface CacheFlags {
  /** the response reads state that changes without a new checkpoint: do not store it */
  volatile: boolean;
}

/** Marks the response of the request whose GraphQL context is `c` as not cacheable. */
export function volatile(c: { responseCache?: CacheFlags } | undefined): void {
  if (c?.responseCache) c.responseCache.volatile = true;
}

/** Creates the cache of one server. */
export function createResponseCache(ctx: IndexerContext) {
  let tag = "";
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const size = (k: string, e: Entry) => k.length + e.body.length;
  const name = "indexer_graphql_response_cache_total";
  const counter = (ctx.metrics.registry.getSingleMetric(name) as client.Counter<"result"> | undefined) ??
    new client.Counter({ name, help: "POST /graphql requests looked up in the per-block response cache, by result (hit, miss)", labelNames: ["result"], registers: [ctx.metrics.registry] });
  /** The tag of the current indexed state (null: do not cache). */
  const current = (): string | null => {
    const { checkpoint: cp, reorgs, fatal } = ctx.state;
    if (!cp || fatal) return null;
    return `${cp.number}:${cp.hash}:${reorgs}`;
  };
  /** what the response depends on besides the state: the body, and the headers that shape it (CORS echoes Origin) */
  const keyOf = (headers: Record<string, string | string[] | undefined>, body: Buffer) =>
    `${headers.accept ?? ""}\n${headers["content-type"] ?? ""}\n${headers.origin ?? ""}\n${body.toString("latin1")}`;
  return {
    /** The stored response of this request at the current state, if any. */
    get(headers: Record<string, string | string[] | undefined>, body: Buffer): Entry | undefined {
      const t = current();
      if (t === null) return undefined;
      if (t !== tag) return void counter.inc({ result: "miss" });
      const e = entries.get(keyOf(headers, body));
      counter.inc({ result: e ? "hit" : "miss" });
      return e;
    },
    /** The tag to pass to `set` once the response is computed (read before computing it). */
    begin: current,
    /** Stores the response computed for this request if it is cacheable and the state is still `t`. */
    set(t: string | null, headers: Record<string, string | string[] | undefined>, body: Buffer, flags: CacheFlags, status: number, outHeaders: Record<string, string>, out: Buffer) {
      if (t === null || t !== current() || flags.volatile || status !== 200 || out.length > RESPONSE_CACHE.maxBodyBytes) return;
      const type = Object.entries(outHeaders).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
      if (!/^application\/(graphql-response\+)?json/.test(type) || out.includes('"errors":')) return;
      if (t !== tag) {
        entries.clear();
        bytes = 0;
        tag = t;
      }
      const k = keyOf(headers, body);
      const e: Entry = { status, headers: outHeaders, body: out };
      const old = entries.get(k);
      if (old) {
        bytes -= size(k, old);
        entries.delete(k);
      }
      bytes += size(k, e);
      entries.set(k, e);
      while (entries.size > RESPONSE_CACHE.maxEntries || bytes > RESPONSE_CACHE.maxTotalBytes) {
        const [ok, oe] = entries.entries().next().value!;
        bytes -= size(ok, oe);
        entries.delete(ok);
      }
    },
  };
}
