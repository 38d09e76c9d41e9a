/**
 * Regression tests of issue 10 ("no key can void, redirect or freeze what holders earned"): each scenario is
 * written as the attacker (or the careless admin) would run it, and each failed against the contracts before the
 * fix. The README's trust section names these tests line by line.
 */
import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY,
  createSeries,
  deployAll,
  deposit,
  type Fixture,
  goToDay,
  postCollateral,
  seriesTerms,
  submitDaily,
  submitUptimes,
  timelocked,
} from "../helpers/deploy.js";
import { dailyReportOf, loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";

const DATA = loadDays();
const S = dayOfDate("2024-03-25");
const TRAILING_DAY = S - 2;

const conn = await network.create({ override: { initialDate: "2024-03-20T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

/** The real daily report of `day`, fees 0 (as the Settlement tests), with optional overrides. */
function dailyOf(day: number, over: Partial<{ subsidySats: bigint; btcUsdE8: bigint }> = {}) {
  const x = DATA.get(day)!;
  return { ...dailyReportOf(x), feesPerBlockSats: 0n, ...over };
}

async function report(f: Fixture, day: number, uptimeBps?: number) {
  if ((await f.oracle.dailyValues(day)).status === 0n) await submitDaily(f, dailyOf(day));
  if (uptimeBps !== undefined) await submitUptimes(f, [{ farm: f.farm.address, day, uptimeBps }]);
}

/** Wired, now is day S + 20, a final report for S − 2; coverDays 1 so that debt is quick to create. */
async function base(): Promise<Fixture> {
  const f = await deployAll(conn, { feedPriceE8: null, coverDays: 1 });
  await goToDay(conn, S + 20);
  await report(f, TRAILING_DAY);
  return f;
}

/** Fresh deployment: the oracle has no final day yet. */
async function fresh(): Promise<Fixture> {
  const f = await deployAll(conn, { feedPriceE8: null, coverDays: 30 });
  await goToDay(conn, S + 20);
  return f;
}

/** Creates a series of the fixture's farm (posting what `quoteCollateral`-free math needs) and mints it all. */
async function issue(f: Fixture, over = {}) {
  const terms = await seriesTerms(f, S, over);
  await postCollateral(f, 10n ** 9n);
  const id = await createSeries(f, terms);
  await f.token.connect(f.farm).mint(f.holders[0].address, id, terms.hashrateThs * BigInt(terms.termDays), "0x");
  return { id, terms };
}

describe("Hardening (issue 10): no key can void, redirect or freeze what holders earned", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(base);
  });

  describe("oracle", () => {
    it("a rejected report can never come back: resubmitting it reverts ReportRejected, a corrected one is accepted", async () => {
      const wild = dailyOf(S, { subsidySats: (DATA.get(S)!.subsidySats * 16n) / 10n }); // +60 %: pending
      await expect(submitDaily(f, wild)).to.emit(f.oracle, "DailyReportPending");
      await f.oracle.connect(f.guardian).rejectPending(S);
      // anyone replays the rejected signatures
      await expect(submitDaily(f, wild)).to.be.revertedWithCustomError(f.oracle, "ReportRejected");
      // even after the trailing value moved close to it (the reproduced attack), it stays refused
      await report(f, S + 1);
      await expect(submitDaily(f, wild)).to.be.revertedWithCustomError(f.oracle, "ReportRejected");
      // the corrected report is final
      await expect(submitDaily(f, dailyOf(S))).to.emit(f.oracle, "DailyReportFinalized");
    });

    it("the admin cannot revoke the guardian (only the guardian hands its role over)", async () => {
      const g = await f.oracle.GUARDIAN_ROLE();
      for (const c of [f.oracle, f.token, f.settlement]) {
        await expect(c.connect(f.admin).revokeRole(g, f.guardian.address)).to.be.revertedWithCustomError(
          c,
          "AccessControlUnauthorizedAccount",
        );
        expect(await c.hasRole(g, f.guardian.address)).to.equal(true);
      }
      await f.oracle.connect(f.guardian).grantRole(g, f.holders[2].address);
      await f.oracle.connect(f.guardian).renounceRole(g, f.guardian.address);
      expect(await f.oracle.hasRole(g, f.holders[2].address)).to.equal(true);
    });

    it("the admin cannot swap the BTC/USD feed at once: it waits the delay and the guardian can cancel it", async () => {
      const bad = await ethers.deployContract("TestPriceFeed", [8, 1n * 10n ** 8n]); // a $1 feed
      await expect(f.oracle.connect(f.admin).setPriceFeed(bad, DAY)).to.be.revertedWithCustomError(f.oracle, "NotTimelocked");
      const data = f.oracle.interface.encodeFunctionData("setPriceFeed", [await bad.getAddress(), DAY]);
      const id = ethers.keccak256(data);
      await expect(f.oracle.connect(f.admin).proposeChange(data)).to.emit(f.oracle, "ChangeProposed");
      await expect(f.oracle.connect(f.admin).executeChange(data)).to.be.revertedWithCustomError(f.oracle, "ChangeNotReady");
      await expect(f.oracle.connect(f.admin).cancelChange(id)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(f.guardian).cancelChange(id)).to.emit(f.oracle, "ChangeCancelled").withArgs(id);
      await networkHelpers.time.increase(3 * DAY);
      await expect(f.oracle.connect(f.admin).executeChange(data)).to.be.revertedWithCustomError(f.oracle, "UnknownChange");
      expect(await f.oracle.priceFeed()).to.equal(ethers.ZeroAddress);
      // not cancelled: it applies after the delay
      await timelocked(conn, f.oracle, f.admin, "setPriceFeed", [await bad.getAddress(), DAY]);
      expect(await f.oracle.priceFeed()).to.equal(await bad.getAddress());
    });

    it("uptime is a trust assumption: a reporter quorum sets any value in [0, 10,000] bps, final at once", async () => {
      await submitUptimes(f, [{ farm: f.farm.address, day: S, uptimeBps: 0 }]);
      expect(await f.oracle.uptimeBps(f.farm.address, S)).to.equal(0n);
      await submitUptimes(f, [{ farm: f.farm.address, day: S + 1, uptimeBps: 10_000 }]);
      expect(await f.oracle.uptimeBps(f.farm.address, S + 1)).to.equal(10_000n);
      await expect(submitUptimes(f, [{ farm: f.farm.address, day: S + 2, uptimeBps: 10_001 }])).to.be.revertedWithCustomError(
        f.oracle,
        "InvalidUptime",
      );
    });
  });

  describe("token", () => {
    it("no role can name the claimer of a holder: setClaimerFor and CLAIMER_ADMIN_ROLE are gone", async () => {
      const { id } = await issue(f);
      await deposit(f, 10n ** 8n);
      await report(f, S, 10_000);
      await f.settlement.settle([id], [S]);
      const victim = f.holders[0].address;
      // the old attack: the admin grants itself the claimer admin role and names itself the victim's claimer
      const setClaimerFor = ethers.id("setClaimerFor(address,address)").slice(0, 10);
      const data = setClaimerFor + ethers.AbiCoder.defaultAbiCoder().encode(["address", "address"], [victim, f.admin.address]).slice(2);
      await expect(f.admin.sendTransaction({ to: f.token, data })).to.revert(ethers);
      await expect(f.token.connect(f.admin).claimOnBehalf(victim, [id], f.admin.address))
        .to.be.revertedWithCustomError(f.token, "NotClaimer")
        .withArgs(victim, f.admin.address);
      expect(await f.token.claimable(victim, id)).to.be.greaterThan(0n);
    });

    it("the admin cannot grant DISTRIBUTOR_ROLE and void a day with distribute(id, day, 0)", async () => {
      const { id } = await issue(f);
      const role = await f.token.DISTRIBUTOR_ROLE();
      await expect(f.token.connect(f.admin).grantRole(role, f.admin.address)).to.be.revertedWithCustomError(
        f.token,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.token.connect(f.admin).distribute(id, S, 0)).to.be.revertedWithCustomError(
        f.token,
        "AccessControlUnauthorizedAccount",
      );
      // nor swap the distributor or the issuance guard at once
      await expect(f.token.connect(f.admin).setDistributor(f.admin.address)).to.be.revertedWithCustomError(f.token, "NotTimelocked");
      await expect(f.token.connect(f.admin).setIssuanceGuard(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.token,
        "NotTimelocked",
      );
      expect(await f.token.distributor()).to.equal(await f.settlement.getAddress());
      expect(await f.token.isDistributed(id, S)).to.equal(false);
    });

    it("a distributor change waits the delay; the guardian cancels it; executed, the old distributor loses the role", async () => {
      const data = f.token.interface.encodeFunctionData("setDistributor", [f.admin.address]);
      await f.token.connect(f.admin).proposeChange(data);
      await f.token.connect(f.guardian).cancelChange(ethers.keccak256(data));
      await timelocked(conn, f.token, f.admin, "setDistributor", [f.admin.address]);
      const role = await f.token.DISTRIBUTOR_ROLE();
      expect(await f.token.hasRole(role, f.admin.address)).to.equal(true);
      expect(await f.token.hasRole(role, await f.settlement.getAddress())).to.equal(false);
    });

    it("renaming a farm emits the ERC-1155 URI event for each of its series", async () => {
      const a = await issue(f);
      const b = await issue(f, { startDay: S + 40 });
      const tx = await f.token.connect(f.admin).registerFarm(f.farm.address, 1_000_000n, "Renamed farm");
      await expect(tx).to.emit(f.token, "URI").withArgs(await f.token.uri(a.id), a.id);
      await expect(tx).to.emit(f.token, "URI").withArgs(await f.token.uri(b.id), b.id);
      expect(Buffer.from((await f.token.uri(a.id)).split(",")[1], "base64").toString()).to.contain("Renamed farm");
    });
  });

  describe("settlement", () => {
    /** A series (SLA 0) whose farm drew its collateral down to the requirement and stopped funding until the
     *  series owed debt (`d` sats); then its only holder burns the whole supply. */
    async function indebtedSeriesBurned(): Promise<{ id: bigint; d: bigint }> {
      const { id } = await issue(f, { slaBps: 0 });
      const coll = await f.settlement.collateral(f.farm.address, f.wbtc);
      await f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, coll - (await f.settlement.requiredCollateral(f.farm.address, f.wbtc)), f.farm.address);
      let day = S;
      while ((await f.settlement.debt(id)) === 0n) {
        await report(f, day, 10_000);
        await f.settlement.settle([id], [day]);
        day++;
      }
      const d = await f.settlement.debt(id);
      await f.token.connect(f.holders[0]).burn(f.holders[0], id, await f.token.balanceOf(f.holders[0], id));
      return { id, d };
    }

    it("collateral never freezes: debt owed to a series whose supply is 0 is written off", async () => {
      // the whole series is held by one holder, who burns it: no holder is owed anything any more
      const { id, d } = await indebtedSeriesBurned();
      await expect(f.settlement.writeOffDebt(id))
        .to.emit(f.settlement, "DebtWrittenOff")
        .withArgs(id, f.farm.address, d);
      expect(await f.settlement.farmDebt(f.farm.address, f.wbtc)).to.equal(0n);
      // the farm's other collateral in that asset is free again (the series still counts until its days are settled)
      const need = await f.settlement.requiredCollateral(f.farm.address, f.wbtc);
      await postCollateral(f, need + 5_000n - (await f.settlement.collateral(f.farm.address, f.wbtc)));
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, 5_000n, f.farm.address)).to.emit(
        f.settlement,
        "CollateralWithdrawn",
      );
    });

    it("a deposit writes off the debt of a series with no supply instead of skipping it forever", async () => {
      const { id, d } = await indebtedSeriesBurned();
      await expect(deposit(f, 1000n)).to.emit(f.settlement, "DebtWrittenOff").withArgs(id, f.farm.address, d);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(1000n);
      expect(await f.settlement.debt(id)).to.equal(0n);
      await expect(f.settlement.writeOffDebt(id)).to.be.revertedWithCustomError(f.settlement, "NothingToWriteOff");
    });

    it("writeOffDebt refuses a series that still has holders", async () => {
      const { id } = await issue(f, { slaBps: 0 });
      await expect(f.settlement.writeOffDebt(id)).to.be.revertedWithCustomError(f.settlement, "NothingToWriteOff").withArgs(id);
    });

    it("issuance needs collateral before the first final report (bootstrap hashprice); quoteCollateral is exact", async () => {
      const g = await networkHelpers.loadFixture(fresh);
      const terms = await seriesTerms(g, S);
      const need = await g.settlement.quoteCollateral(terms);
      expect(need).to.be.greaterThan(0n);
      await expect(g.token.connect(g.farm).createSeries(terms)).to.be.revertedWithCustomError(g.settlement, "InsufficientCollateral");
      await postCollateral(g, need - 1n);
      await expect(g.token.connect(g.farm).createSeries(terms))
        .to.be.revertedWithCustomError(g.settlement, "InsufficientCollateral")
        .withArgs(g.farm.address, need - 1n, need);
      await postCollateral(g, 1n);
      await createSeries(g, terms);
      expect(await g.settlement.requiredCollateral(g.farm.address, g.wbtc)).to.equal(need);
      // a second series: the quote is the farm's total requirement with it
      const t2 = await seriesTerms(g, S + 40, { hashrateThs: 7n, poolFeeBps: 0, termDays: 3 });
      const need2 = await g.settlement.quoteCollateral(t2);
      expect(need2).to.be.greaterThan(need);
      await postCollateral(g, need2 - need);
      await createSeries(g, t2);
      expect(await g.settlement.requiredCollateral(g.farm.address, g.wbtc)).to.equal(need2);
    });

    it("settle skips a pair already settled (SettleSkipped) instead of reverting the keeper's batch", async () => {
      const { id } = await issue(f);
      await deposit(f, 10n ** 8n);
      await report(f, S, 10_000);
      await report(f, S + 1, 10_000);
      await f.settlement.settle([id], [S]); // the griefer front-runs one pair of the batch
      const tx = f.settlement.settle([id, id], [S, S + 1]);
      await expect(tx)
        .to.emit(f.settlement, "SettleSkipped")
        .withArgs(id, S, f.settlement.interface.getError("AlreadySettled")!.selector);
      await expect(tx).to.emit(f.settlement, "Settled");
      expect(await f.token.isDistributed(id, S + 1)).to.equal(true);
    });

    it("the admin cannot change coverDays at once; the change waits the delay and the guardian can cancel it", async () => {
      await expect(f.settlement.connect(f.admin).setCoverDays(0)).to.be.revertedWithCustomError(f.settlement, "NotTimelocked");
      const data = f.settlement.interface.encodeFunctionData("setCoverDays", [0]);
      await f.settlement.connect(f.admin).proposeChange(data);
      await f.settlement.connect(f.guardian).cancelChange(ethers.keccak256(data));
      await timelocked(conn, f.settlement, f.admin, "setCoverDays", [7]);
      expect(await f.settlement.coverDays()).to.equal(7n);
    });
  });
});
