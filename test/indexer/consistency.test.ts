/**
 * After random activity on a Hardhat node (JSON-RPC), every balance and claimable the GraphQL API reports equals the
 * token's own `balanceOf` / `claimable`, and series state, farm pools and debts equal the contracts' views: in
 * backfill and then in live mode, on PGlite and on PostgreSQL.
 */
import { expect } from "chai";
import { connect, sharedNode } from "./helpers/env.js";
import { deploySystem, prng, randomActivity, type System } from "./helpers/system.js";
import { expectApiEqualsContracts } from "./helpers/compare.js";
import { indexerFor, mismatches, type DbKind } from "./helpers/indexer.js";

describe("indexer: GraphQL equals the contracts' views", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    url = (await sharedNode()).url;
    sys = await deploySystem(await connect(url));
    await randomActivity(sys, prng(1), 50);
  });

  for (const kind of ["pglite", "postgres"] as DbKind[]) {
    it(`${kind}: backfill, then live mode`, async function () {
      const idx = await indexerFor(sys, url, kind);
      try {
        await idx.waitForHead();
        const checked = await expectApiEqualsContracts(idx.url!, sys);
        expect(checked).to.be.greaterThan(30);
        await randomActivity(sys, prng(kind === "pglite" ? 2 : 3), 15);
        await idx.waitForHead();
        expect(idx.state.phase).to.equal("live");
        await expectApiEqualsContracts(idx.url!, sys);
        expect(await mismatches(idx)).to.equal(0);
      } finally {
        await idx.stop();
      }
    });
  }
});
