/**
 * COPY text encoding (`copyRow` of indexer/store/tables.ts, streamed by `Tx.copy`): every column type, NULL, and text
 * holding the characters COPY escapes, round-tripped through PGlite and PostgreSQL.
 */
import { expect } from "chai";
import { openPglite, openPostgres, type Db } from "../../indexer/store/db.js";
import { copyRow, fromDb, type TableSpec } from "../../indexer/store/tables.js";
import { sharedPostgres } from "./helpers/env.js";

const spec: TableSpec = {
  name: "copy_probe",
  key: ["id"],
  cols: { id: "int", big: "bigint", amount: "numeric", name: "text", flag: "bool", args: "jsonb" },
};
const rows = [
  { id: 1, big: 2 ** 53 - 1, amount: 2n ** 200n + 7n, name: "tab\there, line\nbreak, cr\r, back\\slash \\N", flag: true, args: { s: "a\tb\\c\nd", n: "12" } },
  { id: 2, big: 0, amount: 0n, name: "", flag: false, args: [] },
  { id: 3, big: null, amount: null, name: null, flag: null, args: null },
];

describe("indexer COPY encoding", function () {
  this.timeout(120_000);

  it("encodes each type, escapes text and JSON, writes NULL as \\N", function () {
    const line = copyRow(spec);
    expect(line(rows[0])).to.equal(
      `1\t9007199254740991\t${2n ** 200n + 7n}\ttab\\there, line\\nbreak, cr\\r, back\\\\slash \\\\N\tt\t{"s":"a\\\\tb\\\\\\\\c\\\\nd","n":"12"}`,
    );
    expect(line(rows[2])).to.equal("3\t\\N\t\\N\t\\N\t\\N\t\\N");
  });

  for (const kind of ["pglite", "postgres"] as const) {
    it(`${kind}: rows written by COPY read back equal`, async function () {
      const db: Db = kind === "pglite" ? await openPglite("memory://") : await openPostgres(await (await sharedPostgres()).newDatabase());
      try {
        await db.exec("CREATE TABLE copy_probe (id int, big bigint, amount numeric, name text, flag boolean, args jsonb)");
        const line = copyRow(spec);
        // two chunks, as the batch writer streams them
        await db.transaction((tx) => tx.copy("copy_probe", Object.keys(spec.cols), [line(rows[0]) + "\n", `${line(rows[1])}\n${line(rows[2])}\n`]));
        const back = await db.query("SELECT * FROM copy_probe ORDER BY id");
        expect(back.map((r) => Object.fromEntries(Object.entries(spec.cols).map(([c, t]) => [c, fromDb(t, r[c])])))).to.deep.equal(rows);
        // a load larger than one PGlite COPY statement's share (several MB): every row lands once, in one transaction
        const many = Array.from({ length: 40_000 }, (_, i) => ({ ...rows[0], id: 100 + i, name: `row ${i} ${"x".repeat(80)}` }));
        const text = many.map((r) => line(r) + "\n");
        expect(text.join("").length).to.be.greaterThan(5 * 1024 * 1024);
        const chunks = Array.from({ length: 20 }, (_, k) => text.slice(k * 2_000, (k + 1) * 2_000).join(""));
        await db.transaction((tx) => tx.copy("copy_probe", Object.keys(spec.cols), chunks));
        const [n] = await db.query("SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(id) AS lo, max(id) AS hi FROM copy_probe WHERE id >= 100");
        expect(n).to.deep.equal({ n: 40_000, d: 40_000, lo: 100, hi: 40_099 });
        // a failed load leaves nothing behind, though PGlite ran it as several statements
        const bad = [...chunks.slice(0, 5), "not a number\tx\n"];
        expect(await db.transaction((tx) => tx.copy("copy_probe", Object.keys(spec.cols), bad)).catch((e) => e)).to.be.instanceOf(Error);
        expect((await db.query("SELECT count(*)::int AS n FROM copy_probe"))[0].n).to.equal(40_003);
      } finally {
        await db.close();
      }
    });
  }
});
