/**
 * The short stateful invariant campaign that `npm test` runs (see `campaign.ts` for the commands and the
 * invariants I1–I5). The long one: `npm run fuzz -- --runs 10000 [--steps 12] [--seed S]`.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { runCampaign } from "./campaign.js";

const conn = await network.create({ override: { initialDate: "2024-01-20T00:00:00Z" } });

describe("Stateful invariant campaign (token + settlement + oracle)", () => {
  it("holds I1–I5 after every step of 40 random sequences of up to 25 commands", async () => {
    const seed = Number(process.env.CAMPAIGN_SEED ?? 20_261_201);
    const r = await runCampaign(conn, { runs: 40, maxSteps: 25, seed });
    expect(r.runs).to.be.greaterThanOrEqual(40);
    // the commands that move money actually ran
    for (const name of ["createSeries", "mint", "settle", "deposit", "claim", "report"]) {
      expect(r.byCommand[name] ?? 0, name).to.be.greaterThan(0);
    }
  });
});
