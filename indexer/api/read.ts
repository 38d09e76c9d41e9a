/**
 * Read helpers of the GraphQL API: input validation (errors are GraphQL errors with a code, never a 500 or a
 * silent null), as-of-block conditions, and cursor pagination over one ordering column plus the primary key.
 */
import { GraphQLError } from "graphql";
import { isAddress } from "viem";
import type { IndexerContext } from "../context.js";
import type { Snapshots } from "./snapshot.js";

/** Per-request read context. */
export interface ReadContext {
  ctx: IndexerContext;
  /** per-block caches */
  snaps: Snapshots;
  /** block of `block: { number }`, or null for the latest indexed state */
  asOf: number | null;
}

/** A GraphQL error for bad input (`BAD_USER_INPUT`) or a missing entity (`NOT_FOUND`). */
export function userError(message: string, code: "BAD_USER_INPUT" | "NOT_FOUND" = "BAD_USER_INPUT"): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** Validates and lowercases an address. */
export function parseAddress(s: string, field = "address"): string {
  if (typeof s !== "string" || !isAddress(s, { strict: false })) throw userError(`${field}: invalid address "${s}"`);
  return s.toLowerCase();
}

/** Validates a uint256 decimal id. */
export function parseId(s: string, field = "id"): string {
  if (typeof s !== "string" || !/^\d{1,78}$/.test(s) || BigInt(s) >= 2n ** 256n) throw userError(`${field}: invalid id "${s}" (a uint256 in decimal)`);
  return BigInt(s).toString();
}

/** Validates a non-negative integer amount given as a decimal string. */
export function parseAmount(s: string, field: string): bigint {
  if (typeof s !== "string" || !/^\d{1,78}$/.test(s)) throw userError(`${field}: invalid amount "${s}" (a non-negative integer in decimal)`);
  return BigInt(s);
}

/** Validates a UTC day number. */
export function parseDay(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 4_000_000) throw userError(`${field}: invalid day ${n}`);
  return n;
}

/** Resolves the `block` argument against the indexed range. */
export function resolveBlock(ctx: IndexerContext, block: { number: number } | null | undefined): number | null {
  if (!block) return null;
  const cp = ctx.state.checkpoint;
  if (!Number.isInteger(block.number) || block.number < 0) throw userError(`block.number: invalid block ${block.number}`);
  if (!cp || block.number > cp.number) {
    throw userError(`block.number: block ${block.number} is not indexed yet (indexed up to ${cp?.number ?? "none"})`);
  }
  return block.number;
}

/** SQL condition selecting the version of alias `a` valid at `asOf` (the current row when null). */
export function live(a: string, asOf: number | null): string {
  return asOf === null ? `${a}.block_to IS NULL` : `${a}.block_from <= ${asOf} AND (${a}.block_to IS NULL OR ${a}.block_to > ${asOf})`;
}

/** SQL condition selecting event rows of alias `a` up to `asOf`. */
export function upTo(a: string, asOf: number | null): string {
  return asOf === null ? "TRUE" : `${a}.block_number <= ${asOf}`;
}

/** One orderable column: SQL expression, its SQL type, and how to read it from a row for the cursor. */
export interface OrderCol {
  expr: string;
  type: "numeric" | "bigint" | "int" | "text";
  /** result column holding the value */
  field: string;
}

/** A paginated list query. */
export interface ListQuery {
  /** SELECT list and FROM/JOIN clause, e.g. `t.*, s.supply FROM positions t JOIN ...` */
  select: string;
  where: string[];
  params: unknown[];
  order: OrderCol;
  /** unique tiebreak columns (primary key), compared in the same direction */
  pk: OrderCol[];
  direction: "asc" | "desc";
  first: number | null | undefined;
  after: string | null | undefined;
}

/** A page of results. */
export interface Page<T> {
  items: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Validates `first` against the maximum page size. */
export function pageSize(first: number | null | undefined, max: number): number {
  const n = first ?? Math.min(100, max);
  if (!Number.isInteger(n) || n < 1 || n > max) throw userError(`first: must be between 1 and ${max} (got ${n})`);
  return n;
}

/** Runs a keyset-paginated query: `after` is the opaque cursor of the previous page's last item. */
export async function paginate(rc: ReadContext, q: ListQuery): Promise<Page<Record<string, any>>> {
  const n = pageSize(q.first, rc.ctx.config.maxPageSize);
  const cols = [q.order, ...q.pk.filter((c) => c.expr !== q.order.expr)];
  const where = [...q.where];
  const params = [...q.params];
  if (q.after) {
    let values: unknown[];
    try {
      values = JSON.parse(Buffer.from(q.after, "base64url").toString("utf8"));
      if (!Array.isArray(values) || values.length !== cols.length || values.some((v) => typeof v !== "string")) throw new Error();
    } catch {
      throw userError(`after: invalid cursor "${q.after}"`);
    }
    const ph = cols.map((c, j) => `$${params.length + j + 1}::${c.type}`);
    params.push(...values);
    where.push(`(${cols.map((c) => c.expr).join(", ")}) ${q.direction === "asc" ? ">" : "<"} (${ph.join(", ")})`);
  }
  const sql =
    `SELECT ${q.select} WHERE ${where.length ? where.join(" AND ") : "TRUE"} ` +
    `ORDER BY ${cols.map((c) => `${c.expr} ${q.direction}`).join(", ")} LIMIT ${n + 1}`;
  let rows: Record<string, any>[];
  try {
    rows = await rc.ctx.db.query(sql, params);
  } catch (e: any) {
    // a malformed cursor value can only fail the cast
    if (q.after && /invalid input syntax/.test(String(e?.message))) throw userError(`after: invalid cursor "${q.after}"`);
    throw e;
  }
  const more = rows.length > n;
  const items = more ? rows.slice(0, n) : rows;
  const lastRow = items[items.length - 1];
  const endCursor = lastRow ? Buffer.from(JSON.stringify(cols.map((c) => String(lastRow[c.field])))).toString("base64url") : null;
  return { items, pageInfo: { hasNextPage: more, endCursor } };
}

/** A memoised async value (computed on first use, shared by sibling resolvers). */
export function lazy<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/**
 * Batches calls of `load` (keys → values, same order): the keys asked in one turn of the event loop (until
 * `setImmediate`), at most `max` per call, are loaded together; equal keys share one slot. A failed load rejects
 * every call of its batch.
 */
export function batched<K, V>(load: (keys: K[]) => Promise<V[]>, max = 500): (key: K) => Promise<V> {
  let queue: Map<K, { resolve: (v: V) => void; reject: (e: unknown) => void }[]> | null = null;
  const flush = (q: typeof queue) => {
    const keys = [...q!.keys()];
    for (let i = 0; i < keys.length; i += max) {
      const part = keys.slice(i, i + max);
      load(part).then(
        (values) => part.forEach((k, j) => q!.get(k)!.forEach((w) => w.resolve(values[j]))),
        (e) => part.forEach((k) => q!.get(k)!.forEach((w) => w.reject(e))),
      );
    }
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (!queue) {
        const q = (queue = new Map());
        setImmediate(() => {
          queue = null;
          flush(q);
        });
      }
      const waiting = queue.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else queue.set(key, [{ resolve, reject }]);
    });
}
