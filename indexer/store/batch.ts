/**
 * The in-memory working set of one block range: handlers read and change entities here, then `flush` writes
 * everything with a few set-based statements inside the range's transaction: one `UPDATE … FROM unnest(…)` closing the
 * superseded rows and one `COPY` of the new rows per table.
 *
 * Entities are versioned per block: the first change of an entity in block B clones its latest row into a new
 * version valid from B; further changes in B mutate that version. On flush the entity's open database row is
 * closed at the first new version (`block_to`) and the new versions are inserted.
 */
import type { Sql, Tx } from "./db.js";
import { arrayType, copyRow, fromDb, toDb, type TableSpec } from "./tables.js";

type Row = Record<string, any>;

/** The key of an entity (values in `spec.key` order) as a map key. */
function keyOf(values: readonly unknown[]): string {
  let k = String(values[0]);
  for (let j = 1; j < values.length; j++) k += "|" + String(values[j]);
  return k;
}

/** Rows per COPY text chunk. */
const COPY_CHUNK = 2_000;

/** COPY text chunks of `count` lines made by `line(i)`, `COPY_CHUNK` lines each. */
function* copyChunks(count: number, line: (i: number) => string): Generator<string> {
  for (let i = 0; i < count; ) {
    let text = "";
    for (const end = Math.min(count, i + COPY_CHUNK); i < end; i++) text += line(i) + "\n";
    yield text;
  }
}

/** Working copy of one versioned table. */
export class VersionedTable<T extends Row> {
  /** Current database rows of loaded keys (null: no row). */
  private readonly base = new Map<string, T | null>();
  private readonly wanted = new Map<string, readonly unknown[]>();
  private readonly versions = new Map<string, { block: number; row: T }[]>();

  constructor(readonly spec: TableSpec) {}

  /** Registers a key to load before the handlers run. */
  want(...key: unknown[]): void {
    const k = keyOf(key);
    if (!this.base.has(k) && !this.versions.has(k)) this.wanted.set(k, key);
  }

  /** Loads the current rows of all wanted keys with one query. */
  async load(sql: Sql): Promise<void> {
    if (this.wanted.size === 0) return;
    const { spec } = this;
    const keys = [...this.wanted.values()];
    const params = spec.key.map((c, j) => keys.map((k) => toDb(spec.cols[c], k[j])));
    const cond = spec.key.map((c) => `t.${c} = k.${c}`).join(" AND ");
    const unnest = spec.key.map((c, j) => `$${j + 1}::${arrayType(spec.cols[c])}`).join(", ");
    const rows = await sql.query(
      `SELECT t.* FROM ${spec.name} t JOIN unnest(${unnest}) AS k(${spec.key.join(", ")}) ON ${cond} WHERE t.block_to IS NULL`,
      params,
    );
    for (const k of this.wanted.keys()) this.base.set(k, null);
    for (const r of rows) {
      const row = this.parse(r);
      this.base.set(keyOf(spec.key.map((c) => row[c])), row);
    }
    this.wanted.clear();
  }

  private parse(r: Row): T {
    const out: Row = {};
    for (const [c, type] of Object.entries(this.spec.cols)) out[c] = fromDb(type, r[c]);
    return out as T;
  }

  /** Latest row of `key` (after this batch's changes so far), or undefined. The key must have been loaded. */
  get(...key: unknown[]): T | undefined {
    return this.latest(keyOf(key));
  }

  private latest(k: string): T | undefined {
    const list = this.versions.get(k);
    if (list) return list[list.length - 1].row;
    const b = this.base.get(k);
    if (b === undefined) throw new Error(`${this.spec.name}[${k}] read but not prefetched`);
    return b ?? undefined;
  }

  /**
   * A mutable row of `key` valid from `block`: the existing version of that block, or a copy of the latest
   * row, or `init()` when the entity does not exist yet (throws when it does not exist and no `init` is given).
   */
  touch(block: number, key: readonly unknown[], init?: () => T): T {
    const k = keyOf(key);
    let list = this.versions.get(k);
    if (list && list[list.length - 1].block === block) return list[list.length - 1].row;
    const prev = this.latest(k);
    let row: T;
    if (prev) row = { ...prev };
    else if (init) row = init();
    else throw new Error(`${this.spec.name}[${k}] does not exist`);
    if (!list) this.versions.set(k, (list = []));
    list.push({ block, row });
    return row;
  }

  /** Whether the batch changed anything in this table. */
  get dirty(): boolean {
    return this.versions.size > 0;
  }

  /** Writes the batch's versions: closes the open rows they supersede and inserts them. */
  async flush(sql: Tx): Promise<number> {
    if (this.versions.size === 0) return 0;
    const { spec } = this;
    // close superseded current rows
    const closeKeys: unknown[][] = spec.key.map(() => []);
    const closeAt: number[] = [];
    const rows: { block: number; row: T; to: number | null }[] = [];
    for (const [k, list] of this.versions) {
      if (this.base.get(k)) {
        const row = list[0].row;
        spec.key.forEach((c, j) => closeKeys[j].push(toDb(spec.cols[c], row[c])));
        closeAt.push(list[0].block);
      }
      for (let j = 0; j < list.length; j++) rows.push({ block: list[j].block, row: list[j].row, to: j + 1 < list.length ? list[j + 1].block : null });
    }
    if (closeAt.length > 0) {
      const unnest = [...spec.key.map((c, j) => `$${j + 1}::${arrayType(spec.cols[c])}`), `$${spec.key.length + 1}::bigint[]`];
      const cond = spec.key.map((c) => `t.${c} = k.${c}`).join(" AND ");
      await sql.query(
        `UPDATE ${spec.name} t SET block_to = k.block_to_ FROM unnest(${unnest.join(", ")}) AS k(${spec.key.join(", ")}, block_to_)
         WHERE ${cond} AND t.block_to IS NULL`,
        [...closeKeys, closeAt],
      );
    }
    const line = copyRow(spec);
    await sql.copy(spec.name, [...Object.keys(spec.cols), "block_from", "block_to"], copyChunks(rows.length, (i) => {
      const r = rows[i];
      return `${line(r.row)}\t${r.block}\t${r.to ?? "\\N"}`;
    }));
    return rows.length;
  }
}

/** Rows appended to one event table. */
export class EventTable<T extends Row> {
  readonly rows: T[] = [];
  constructor(readonly spec: TableSpec) {}

  add(row: T): void {
    this.rows.push(row);
  }

  /** Inserts all rows with one `COPY`. */
  async flush(sql: Tx): Promise<number> {
    if (this.rows.length === 0) return 0;
    const { spec } = this;
    const line = copyRow(spec);
    await sql.copy(spec.name, Object.keys(spec.cols), copyChunks(this.rows.length, (i) => line(this.rows[i])));
    return this.rows.length;
  }
}
