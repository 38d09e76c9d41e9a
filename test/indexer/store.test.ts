/**
 * The store on both databases: migrations, per-block entity versions written by the batch writer, as-of-block
 * reads, rollback to a fork block (equal to never having written the later blocks), the settings fingerprint,
 * and PGlite's clean close (data survives a reopen).
 */
import { expect } from "chai";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDb, type Db } from "../../indexer/store/db.js";
import { checkFingerprint, deferIndexes, deferredIndexCount, migrate, migrationFiles, readCheckpoint, restoreIndexes, rollback, writeCheckpoint } from "../../indexer/store/store.js";
import { createBatch, flushBatch, loadBatch } from "../../indexer/store/entities.js";
import { sharedPostgres } from "./helpers/env.js";
import { dumpStore, indexDefinitions } from "./helpers/compare.js";

/** This version's migrations. */
const SQL = fileURLToPath(new URL("../../indexer/store/sql/", import.meta.url));

const pos = (id: bigint, holder: string, balance: bigint) => ({ series_id: id, holder, balance, paid_e36: 0n, accrued_e36: 0n, claimed: 0n });

/** Writes `balance` changes of (series 1, holder) at the given blocks, one batch per call. */
async function writeBalances(db: Db, changes: [block: number, holder: string, balance: bigint][]): Promise<void> {
  await db.transaction(async (tx) => {
    const b = createBatch();
    for (const [, h] of changes) b.positions.want(1n, h);
    await loadBatch(tx, b);
    for (const [block, h, bal] of changes) b.positions.touch(block, [1n, h], () => pos(1n, h, 0n)).balance = bal;
    await flushBatch(tx, b);
    const last = changes[changes.length - 1][0];
    await writeCheckpoint(tx, { number: last, hash: `0x${last}`, timestamp: last });
  });
}

for (const kind of ["pglite", "postgres"] as const) {
  describe(`indexer store (${kind})`, function () {
    this.timeout(120_000);
    let db: Db;
    const open = async () => (kind === "pglite" ? openDb({ dataDir: "memory://" }) : openDb({ databaseUrl: await (await sharedPostgres()).newDatabase(), dataDir: "" }));

    beforeEach(async () => {
      db = await open();
      await migrate(db);
    });
    afterEach(async () => db.close());

    it("migrations apply once", async function () {
      expect(await migrate(db)).to.deep.equal([]);
      const tables = await db.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()`);
      expect(tables[0].n).to.be.greaterThanOrEqual(18);
    });

    it("a failing migration applies none of the pending ones, and the store works on", async function () {
      const dir = mkdtempSync(join(tmpdir(), "hashpower-sql-"));
      const fresh = await open();
      try {
        for (const f of migrationFiles()) copyFileSync(join(SQL, f), join(dir, f));
        writeFileSync(join(dir, "900_broken.sql"), "CREATE TABLE broken_a (x int);\n-- a comment on the last line\nSELECT 1 / 0");
        const err = await migrate(fresh, dir).catch((e) => e);
        expect(err.message).to.match(/division by zero/);
        const tables = await fresh.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`);
        expect(tables.map((r) => r.t)).to.deep.equal(["_migrations"]);
        expect(await migrate(fresh)).to.deep.equal(migrationFiles());
        expect(await migrate(fresh)).to.deep.equal([]);
      } finally {
        await fresh.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("address columns compare byte by byte (COLLATE \"C\"), the indexes over them too", async function () {
      const cols = await db.query(
        `SELECT table_name || '.' || column_name AS c, collation_name AS k FROM information_schema.columns
         WHERE table_schema = current_schema() AND (table_name, column_name) IN (('positions', 'holder'), ('transfers', 'to_address'), ('kv', 'key'), ('farm_pools', 'asset'))
         ORDER BY 1`,
      );
      expect(cols).to.deep.equal(["farm_pools.asset", "kv.key", "positions.holder", "transfers.to_address"].map((c) => ({ c, k: "C" })));
      const ix = await db.query(
        `SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_collation k ON k.oid = ANY(i.indcollation::oid[])
         WHERE c.relname IN ('positions_pkey', 'positions_current', 'transfers_to') AND k.collname = 'C'`,
      );
      expect(ix[0].n).to.equal(3);
    });

    it("keeps one version per entity per block; as-of reads see each block's value", async function () {
      await writeBalances(db, [[10, "0xa", 5n], [10, "0xa", 7n], [12, "0xa", 9n], [12, "0xb", 1n]]);
      await writeBalances(db, [[15, "0xa", 0n]]);
      const rows = await db.query(`SELECT holder, balance, block_from, block_to FROM positions ORDER BY holder, block_from`);
      expect(rows).to.deep.equal([
        { holder: "0xa", balance: "7", block_from: 10, block_to: 12 },
        { holder: "0xa", balance: "9", block_from: 12, block_to: 15 },
        { holder: "0xa", balance: "0", block_from: 15, block_to: null },
        { holder: "0xb", balance: "1", block_from: 12, block_to: null },
      ]);
      const at = async (n: number) =>
        (await db.query(`SELECT balance FROM positions WHERE holder = '0xa' AND block_from <= $1 AND (block_to IS NULL OR block_to > $1)`, [n]))[0]?.balance;
      expect([await at(9), await at(10), await at(11), await at(12), await at(14), await at(15), await at(99)]).to.deep.equal([
        undefined, "7", "7", "9", "9", "0", "0",
      ]);
    });

    it("rollback to a fork block equals never having written the later blocks", async function () {
      const other = await open();
      try {
        await migrate(other);
        await writeBalances(db, [[10, "0xa", 5n], [11, "0xb", 2n]]);
        await writeBalances(other, [[10, "0xa", 5n], [11, "0xb", 2n]]);
        await writeBalances(db, [[12, "0xa", 6n], [13, "0xc", 3n], [14, "0xb", 0n]]);
        await db.transaction((tx) => rollback(tx, { number: 11, hash: "0x11", parentHash: "0x10", timestamp: 11 }));
        expect(await dumpStore(db)).to.deep.equal(await dumpStore(other));
        expect(await readCheckpoint(db)).to.deep.equal({ number: 11, hash: "0x11", timestamp: 11 });
      } finally {
        await other.close();
      }
    });

    it("a failed range leaves nothing behind (one transaction)", async function () {
      await writeBalances(db, [[10, "0xa", 5n]]);
      const before = await dumpStore(db);
      const err = await db
        .transaction(async (tx) => {
          const b = createBatch();
          b.positions.want(1n, "0xa");
          await loadBatch(tx, b);
          b.positions.touch(11, [1n, "0xa"]).balance = 1n;
          await flushBatch(tx, b);
          await writeCheckpoint(tx, { number: 11, hash: "0x11", timestamp: 11 });
          throw new Error("crash before commit");
        })
        .catch((e) => e);
      expect(err.message).to.equal("crash before commit");
      expect(await dumpStore(db)).to.deep.equal(before);
      expect((await readCheckpoint(db))!.number).to.equal(10);
    });

    it("a cold backfill sets the API-only indexes aside and rebuilds exactly them; the writer's own indexes stay", async function () {
      const before = await indexDefinitions(db);
      const n = await deferIndexes(db);
      const during = await indexDefinitions(db);
      expect(n).to.be.greaterThan(10);
      expect(Object.keys(before).length - Object.keys(during).length).to.equal(n);
      for (const [name, def] of Object.entries(before)) {
        // kept: primary keys and unique indexes (the writer loads and closes current rows through them)
        if (/UNIQUE|_pkey$/.test(def) || name.endsWith("_pkey")) expect(during[name], name).to.equal(def);
      }
      expect(during).to.not.have.property("transfers_from");
      expect(during).to.have.property("positions_current");
      expect(await deferIndexes(db), "idempotent (a crash after the first call)").to.equal(n);
      expect(await deferredIndexCount(db)).to.equal(n);
      // the writer works without them, and the rebuilt indexes cover what it wrote meanwhile
      await writeBalances(db, [[10, "0xa", 5n], [11, "0xb", 2n]]);
      await writeBalances(db, [[12, "0xa", 6n]]);
      expect(await restoreIndexes(db)).to.equal(n);
      expect(await indexDefinitions(db)).to.deep.equal(before);
      expect(await deferredIndexCount(db)).to.equal(0);
      expect(await restoreIndexes(db)).to.equal(0);
      const rows = await db.query(`SELECT holder, balance FROM positions WHERE holder = '0xa' AND block_to IS NULL`);
      expect(rows).to.deep.equal([{ holder: "0xa", balance: "6" }]);
    });

    it("refuses to continue an index made with other settings, naming the setting", async function () {
      const fp = { chainId: 1, token: "0xt", oracle: "0xo", settlement: "0xs", fromBlock: 5 };
      await checkFingerprint(db, fp);
      await checkFingerprint(db, fp);
      const err = await checkFingerprint(db, { ...fp, token: "0xu" }).catch((e) => e);
      expect(err.message).to.match(/indexed with token = 0xt, the configuration says 0xu/);
      // a store made before the DeFi settings existed continues without them, and refuses them (needs --reset)
      await checkFingerprint(db, { ...fp, wrapperFactory: "", morpho: "" });
      const defi = await checkFingerprint(db, { ...fp, wrapperFactory: "0xf", morpho: "" }).catch((e) => e);
      expect(defi.message).to.match(/indexed with wrapperFactory = \(none\), the configuration says 0xf/);
    });
  });
}

describe("indexer store (PGlite on disk)", function () {
  it("closes with a checkpoint; a reopened data folder has the data", async function () {
    const dir = mkdtempSync(join(tmpdir(), "hashpower-pglite-"));
    try {
      let db = await openDb({ dataDir: dir });
      await migrate(db);
      await writeBalances(db, [[3, "0xa", 4n]]);
      await db.close();
      db = await openDb({ dataDir: dir });
      expect(await migrate(db)).to.deep.equal([]);
      expect((await db.query("SELECT balance FROM positions"))[0].balance).to.equal("4");
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
