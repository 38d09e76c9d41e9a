/**
 * Reorgs on a Hardhat node: `evm_snapshot`, activity the indexers follow live, `evm_revert`, then different
 * activity (more blocks, other transactions). The indexers must roll back what the orphaned blocks produced and end
 * with exactly the data of a fresh index of the final chain (every table row, every API answer) and the contracts'
 * views. A reorg deeper than the finality depth must stop the indexer loudly instead of serving wrong data.
 */
import { expect } from "chai";
import { rpc, until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { apiSnapshot, dumpStore, expectApiEqualsContracts, gqlRaw } from "./helpers/compare.js";
import { indexerFor, mismatches } from "./helpers/indexer.js";
import { DeepReorgError, type Indexer } from "../../indexer/index.js";

describe("indexer: reorgs", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(10, 20));
  });

  it("rolls back orphaned blocks and ends equal to a fresh index (PGlite and PostgreSQL)", async function () {
    const live: Indexer[] = [
      await indexerFor(sys, url, "pglite", { finality: 200 }),
      await indexerFor(sys, url, "postgres", { finality: 200 }),
    ];
    let fresh: Indexer | null = null;
    try {
      for (const idx of live) await idx.waitForHead();
      for (let round = 0; round < 2; round++) {
        const snap = await rpc(url, "evm_snapshot");
        const nextDay = sys.nextDay;
        const headBefore = Number(await rpc(url, "eth_blockNumber"));
        await randomActivity(sys, prng(20 + round), 12); // the branch that will be orphaned
        for (const idx of live) await idx.waitForHead();
        const orphanedTip = Number(await rpc(url, "eth_blockNumber"));
        expect(orphanedTip).to.be.greaterThan(headBefore);
        expect(await rpc(url, "evm_revert", [snap])).to.equal(true);
        sys.nextDay = nextDay;
        await randomActivity(sys, prng(30 + round), 18); // the canonical branch: other transactions, more blocks
        const head = Number(await rpc(url, "eth_blockNumber"));
        expect(head).to.be.greaterThan(orphanedTip);
        for (const idx of live) {
          await idx.waitForBlock(head);
          await until(async () => idx.state.checkpoint!.hash === (await rpc<{ hash: string }>(url, "eth_getBlockByNumber", [`0x${head.toString(16)}`, false])).hash, "canonical tip");
        }
      }
      for (const idx of live) {
        expect((await idx.metrics.reorgs.get()).values[0].value, "reorgs handled").to.be.greaterThanOrEqual(2);
        await expectApiEqualsContracts(idx.url!, sys);
        expect(await mismatches(idx)).to.equal(0);
      }
      fresh = await indexerFor(sys, url, "pglite", { finality: 200 });
      await fresh.waitForHead();
      const want = await dumpStore(fresh.db);
      const wantApi = await apiSnapshot(fresh.url!, sys);
      expect(want.transfers.length).to.be.greaterThan(20);
      for (const idx of live) {
        expect(await dumpStore(idx.db), `${idx.db.kind} tables`).to.deep.equal(want);
        expect(await apiSnapshot(idx.url!, sys), `${idx.db.kind} API`).to.deep.equal(wantApi);
      }
    } finally {
      for (const idx of [...live, fresh]) await idx?.stop();
    }
  });

  it("a reorg deeper than the finality depth stops the indexer (DeepReorgError, /health 503, the API serves nothing)", async function () {
    const idx = await indexerFor(sys, url, "pglite", { finality: 2 });
    try {
      await idx.waitForHead();
      const snap = await rpc(url, "evm_snapshot");
      const nextDay = sys.nextDay;
      await randomActivity(sys, prng(40), 10);
      await idx.waitForHead();
      expect(await rpc(url, "evm_revert", [snap])).to.equal(true);
      sys.nextDay = nextDay;
      await randomActivity(sys, prng(41), 14);
      const err = await idx.done.then(() => null, (e) => e);
      expect(err).to.be.instanceOf(DeepReorgError);
      expect(idx.state.phase).to.equal("failed");
      const health = await fetch(idx.url!.replace("/graphql", "/health"));
      expect(health.status).to.equal(503);
      expect((await health.json()).error).to.match(/deeper than the finality depth/);
      // the store still holds the orphaned branch: the API serves none of it
      const q = await gqlRaw(idx.url!, `{ series(id: "${sys.ids[0]}") { supply } }`);
      expect(q.errors?.[0]?.extensions?.code).to.equal("INDEXER_STOPPED");
      expect(q.data ?? null).to.equal(null);
      const ready = await fetch(idx.url!.replace("/graphql", "/ready"));
      expect(ready.status).to.equal(503);
      expect((await ready.json()).reasons).to.include("fatal");
    } finally {
      await idx.stop();
    }
  });
});
