/**
 * Head start (`headStart` in indexer/sync/sync.ts): a cold start on PostgreSQL asks the node for its first range while
 * the store migrates (on PGlite only after: its memory bound, `ASK_AHEAD`); a restart on a store that holds a
 * checkpoint asks for nothing before it (a head start there would fetch from `fromBlock` for nothing), resumes after
 * it and ends equal to a fresh index.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../indexer/ops/logger.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { dumpStore } from "./helpers/compare.js";
import { indexerFor, mismatches } from "./helpers/indexer.js";
import { startProxy } from "./helpers/proxy.js";
import { sharedPostgres } from "./helpers/env.js";
import type { Indexer } from "../../indexer/index.js";

describe("indexer: head start", function () {
  this.timeout(180_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(71, 20));
  });

  for (const kind of ["pglite", "postgres"] as const) {
    const when = kind === "postgres" ? "before" : "after";
    it(`${kind}: a cold start asks for its first range ${when} the migrations are applied; a restart asks from its checkpoint on`, async function () {
      const asked: { from: number; at: number }[] = [];
      const proxy = await startProxy(url, { observe: (method, params) => void (method === "eth_getLogs" && asked.push({ from: Number(params[0].fromBlock), at: Date.now() })) }, prng(72));
      let migratedAt = 0;
      const logger = createLogger("info", {
        write(line: string) {
          if (JSON.parse(line).msg === "migrations applied") migratedAt = Date.now();
        },
      });
      const dir = mkdtempSync(join(tmpdir(), "hashpower-head-start-"));
      const store = kind === "postgres" ? { databaseUrl: await (await sharedPostgres()).newDatabase() } : { dataDir: dir };
      let idx: Indexer | null = null;
      let fresh: Indexer | null = null;
      try {
        idx = await indexerFor(sys, proxy.url, kind, store, { logger });
        await idx.waitForHead();
        expect(migratedAt, "migrations applied").to.be.greaterThan(0);
        expect(asked[0].from, "the first range").to.equal(sys.fromBlock);
        if (kind === "postgres") expect(asked[0].at, "asked for before the migrations were applied").to.be.lessThan(migratedAt);
        else expect(asked[0].at, "asked for after the migrations were applied").to.be.greaterThanOrEqual(migratedAt);
        expect(await mismatches(idx)).to.equal(0);
        const checkpoint = idx.state.checkpoint!.number;
        await idx.stop();
        idx = null;

        await randomActivity(sys, prng(73), 8); // more to index after the restart
        asked.length = 0;
        idx = await indexerFor(sys, proxy.url, kind, store, { logger });
        await idx.waitForHead();
        expect(asked, "ranges asked for after the restart").to.not.be.empty;
        expect(Math.min(...asked.map((a) => a.from)), "the first block asked for after the restart").to.equal(checkpoint + 1);
        fresh = await indexerFor(sys, url, "pglite");
        await fresh.waitForBlock(idx.state.checkpoint!.number);
        await idx.waitForBlock(fresh.state.checkpoint!.number);
        expect(await dumpStore(idx.db)).to.deep.equal(await dumpStore(fresh.db));
        expect(await mismatches(idx)).to.equal(0);
      } finally {
        await idx?.stop();
        await fresh?.stop();
        await proxy.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
