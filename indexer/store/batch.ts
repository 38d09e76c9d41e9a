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
import { arrayType, copyRow, fromDb, toDb, type ColType, type TableSpec } from "./tables.js";

type Row = Record<string, any>;

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

/** One entity of a batch: its key, its current database row (undefined: not loaded yet; null: none), this batch's versions. */
interface Entity<T> {
  key: readonly unknown[];
  base: T | null | undefined;
  versions: { block: number; row: T }[] | null;
}

/** A key column's value in one form per column type, so that a key from an event and the same key read back are one. */
const KEY_FORM: Record<ColType, (v: any) => unknown> = {
  numeric: (v) => (typeof v === "bigint" ? v : BigInt(v)),
  int: (v) => (typeof v === "number" ? v : Number(v)),
  bigint: (v) => (typeof v === "number" ? v : Number(v)),
  text: (v) => (typeof v === "string" ? v : String(v)),
  bool: Boolean,
  jsonb: (v) => JSON.stringify(v),
};

/** Working copy of one versioned table. */
export class VersionedTable<T extends Row> {
  /** Entities by key: nested maps, one level per key column (no key strings to build and hash on the hot path). */
  private readonly entities = new Map<unknown, any>();
  private readonly keyForm: ((v: any) => unknown)[];
  /** entities to load before the handlers run */
  private wanted: Entity<T>[] = [];
  /** entities with versions, in the order of their first change */
  private readonly changed: Entity<T>[] = [];

  constructor(readonly spec: TableSpec) {
    this.keyForm = spec.key.map((c) => KEY_FORM[spec.cols[c]]);
  }

  /** The entity of `key` (created when `create`; else undefined when the batch never saw it). */
  private entity(key: readonly unknown[], create: boolean): Entity<T> | undefined {
    const last = this.keyForm.length - 1;
    let m = this.entities;
    for (let j = 0; j < last; j++) {
      const k = this.keyForm[j](key[j]);
      let next = m.get(k);
      if (next === undefined) {
        if (!create) return undefined;
        m.set(k, (next = new Map()));
      }
      m = next;
    }
    const k = this.keyForm[last](key[last]);
    let e = m.get(k);
    if (e === undefined && create) m.set(k, (e = { key, base: undefined, versions: null }));
    return e;
  }

  /** Registers a key to load before the handlers run. */
  want(...key: unknown[]): void {
    const e = this.entity(key, true)!;
    if (e.base === undefined && e.versions === null) {
      e.base = null; // loading: stays null when the database has no row
      this.wanted.push(e);
    }
  }

  /** Loads the current rows of all wanted keys with one query. */
  async load(sql: Sql): Promise<void> {
    if (this.wanted.length === 0) return;
    const { spec } = this;
    const keys = this.wanted.map((e) => e.key);
    this.wanted = [];
    const params = spec.key.map((c, j) => keys.map((k) => toDb(spec.cols[c], k[j])));
    const cond = spec.key.map((c) => `t.${c} = k.${c}`).join(" AND ");
    const unnest = spec.key.map((c, j) => `$${j + 1}::${arrayType(spec.cols[c])}`).join(", ");
    const rows = await sql.query(
      `SELECT t.* FROM ${spec.name} t JOIN unnest(${unnest}) AS k(${spec.key.join(", ")}) ON ${cond} WHERE t.block_to IS NULL`,
      params,
    );
    for (const r of rows) {
      const row = this.parse(r);
      this.entity(spec.key.map((c) => row[c]), false)!.base = row;
    }
  }

  private parse(r: Row): T {
    const out: Row = {};
    for (const [c, type] of Object.entries(this.spec.cols)) out[c] = fromDb(type, r[c]);
    return out as T;
  }

  /** Latest row of `key` (after this batch's changes so far), or undefined. The key must have been loaded. */
  get(...key: unknown[]): T | undefined {
    return this.latest(key, this.entity(key, false));
  }

  private latest(key: readonly unknown[], e: Entity<T> | undefined): T | undefined {
    if (e?.versions) return e.versions[e.versions.length - 1].row;
    if (e === undefined || e.base === undefined) throw new Error(`${this.spec.name}[${key.join("|")}] read but not prefetched`);
    return e.base ?? undefined;
  }

  /**
   * A mutable row of `key` valid from `block`: the existing version of that block, or a copy of the latest
   * row, or `init()` when the entity does not exist yet (throws when it does not exist and no `init` is given).
   */
  touch(block: number, key: readonly unknown[], init?: () => T): T {
    const e = this.entity(key, false);
    const list = e?.versions;
    if (list && list[list.length - 1].block === block) return list[list.length - 1].row;
    const prev = this.latest(key, e);
    let row: T;
    if (prev) row = { ...prev };
    else if (init) row = init();
    else throw new Error(`${this.spec.name}[${key.join("|")}] does not exist`);
    if (list) list.push({ block, row });
    else {
      e!.versions = [{ block, row }];
      this.changed.push(e!);
    }
    return row;
  }

  /** Whether the batch changed anything in this table. */
  get dirty(): boolean {
    return this.changed.length > 0;
  }

  /** Writes the batch's versions: closes the open rows they supersede and inserts them. */
  async flush(sql: Tx): Promise<number> {
    if (this.changed.length === 0) return 0;
    const { spec } = this;
    // close superseded current rows
    const closeKeys: unknown[][] = spec.key.map(() => []);
    const closeAt: number[] = [];
    const rows: { block: number; row: T; to: number | null }[] = [];
    for (const { base, versions } of this.changed) {
      const list = versions!;
      if (base) {
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
