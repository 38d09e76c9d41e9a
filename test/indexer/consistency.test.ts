/**
 * After random activity on a Hardhat node (JSON-RPC), every balance and claimable the GraphQL API reports equals the
 * token's own `balanceOf` / `claimable`, and series state, farm pools and debts equal the contracts' views: in
 * backfill and then in live mode, on PGlite and on PostgreSQL.
 */
import { expect } from "chai";
import { until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { allPages, expectApiEqualsContracts } from "./helpers/compare.js";
import { indexerFor, mismatches, type DbKind } from "./helpers/indexer.js";

describe("indexer: GraphQL equals the contracts' views", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(1, 50));
  });

  for (const kind of ["pglite", "postgres"] as DbKind[]) {
    it(`${kind}: backfill, then live mode`, async function () {
      const idx = await indexerFor(sys, url, kind);
      try {
        await idx.waitForHead();
        const checked = await expectApiEqualsContracts(idx.url!, sys);
        expect(checked).to.be.greaterThan(30);
        // the activity covered every accounting path: burns, collateral draws, debt, repayments, claims by a claimer
        const zero = "0x0000000000000000000000000000000000000000";
        expect(await allPages(idx.url!, "transfers", `where: { to: "${zero}" }`, "amount"), "burns").to.not.be.empty;
        const settled = await allPages(idx.url!, "settlements", "", "fromCollateralSats debtAddedSats");
        expect(settled.some((x: any) => x.fromCollateralSats !== "0"), "collateral drawn").to.equal(true);
        expect(settled.some((x: any) => x.debtAddedSats !== "0"), "debt").to.equal(true);
        expect(await allPages(idx.url!, "distributions", "where: { kind: repayment }", "amountSats"), "repayments").to.not.be.empty;
        const claims = await allPages(idx.url!, "claims", "", "holder caller");
        expect(claims.some((c: any) => c.caller !== c.holder), "claims on behalf").to.equal(true);
        await randomActivity(sys, prng(kind === "pglite" ? 2 : 3), 15);
        await idx.waitForHead();
        await until(() => idx.state.phase === "live", "live mode");
        await expectApiEqualsContracts(idx.url!, sys);
        expect(await mismatches(idx)).to.equal(0);
      } finally {
        await idx.stop();
      }
    });
  }
});
