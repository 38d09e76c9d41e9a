import { expect } from "chai";
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  createSeries,
  deployAll,
  deposit,
  type Fixture,
  goToDay,
  postCollateral,
  seriesTerms,
  submitDaily,
  submitUptimes,
  type Terms,
  timelocked,
  BOOTSTRAP_HASHPRICE_E18,
} from "../helpers/deploy.js";
import { FarmModel, modelBreakdown, parseSettled, requiredCollateral as required, toBreakdown } from "../helpers/model.js";
import { dailyReportOf, loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";
import { perThDay } from "../../domain/settlement.js";
import { hashpriceE18 } from "../../domain/hashprice.js";

const DATA = loadDays();
const S = dayOfDate("2024-03-25"); // first day of the series used below
const TRAILING_DAY = S - 2;

const conn = await network.create({ override: { initialDate: "2024-03-20T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

/** Deployed and wired; now is day S + 20; the oracle has a final report for S − 2 (the trailing value). */
async function base(): Promise<Fixture> {
  const f = await deployAll(conn, { feedPriceE8: null, coverDays: 30 });
  await goToDay(conn, S + 20);
  await report(f, TRAILING_DAY);
  return f;
}

/** Submits the real daily report of `day` (once) and the farm's uptime for it. */
async function report(f: Fixture, day: number, uptimeBps?: number) {
  if ((await f.oracle.dailyValues(day)).status === 0n) {
    const x = DATA.get(day)!;
    await submitDaily(f, dailyReportOf(x));
  }
  if (uptimeBps !== undefined) await submitUptimes(f, [{ farm: f.farm.address, day, uptimeBps }]);
}

/** The `Settled` events of a transaction. */
async function settledEvents(f: Fixture, tx: ContractTransactionResponse) {
  return parseSettled(f.settlement, (await tx.wait())!);
}

describe("Settlement", () => {
  let f: Fixture;
  let trailingE18: bigint;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(base);
    trailingE18 = DATA.get(TRAILING_DAY)!.hashpriceE18;
  });

  /** Creates a series (posting the collateral it needs first) and mints `units` (default: all) to holders[0]. */
  async function issue(over: Partial<Terms> = {}, units?: bigint) {
    const terms = await seriesTerms(f, S, over);
    const need = required([{ terms, left: terms.termDays }], trailingE18, Number(await f.settlement.coverDays()));
    const have = await f.settlement.collateral(f.farm.address, f.wbtc);
    const before = await f.settlement.requiredCollateral(f.farm.address, f.wbtc);
    if (have < before + need) await postCollateral(f, before + need - have);
    const id = await createSeries(f, terms);
    const n = units ?? terms.hashrateThs * BigInt(terms.termDays);
    if (n > 0n) await f.token.connect(f.farm).mint(f.holders[0].address, id, n, "0x");
    return { id, terms };
  }

  describe("issuance guard", () => {
    it("only the token may call checkNewSeries", async () => {
      const terms = await seriesTerms(f, S);
      await expect(f.settlement.checkNewSeries(1, terms)).to.be.revertedWithCustomError(f.settlement, "OnlyToken");
    });

    it("refuses payout assets without 8 decimals, without code or without decimals()", async () => {
      const tokenAddr = await f.token.getAddress();
      await networkHelpers.impersonateAccount(tokenAddr);
      await networkHelpers.setBalance(tokenAddr, 10n ** 18n);
      const asToken = f.settlement.connect(await ethers.getSigner(tokenAddr));
      const dec6 = await ethers.deployContract("TestERC20Decimals", [6]);
      for (const asset of [await dec6.getAddress(), f.holders[0].address, await f.oracle.getAddress()]) {
        await expect(asToken.checkNewSeries(99, await seriesTerms(f, S, { payoutAsset: asset })))
          .to.be.revertedWithCustomError(f.settlement, "UnsupportedAsset")
          .withArgs(asset);
      }
      await networkHelpers.stopImpersonatingAccount(tokenAddr);
    });

    it("requires collateral ≥ coverDays at the trailing hashprice, the new series included; records the series", async () => {
      const t1 = await seriesTerms(f, S);
      const r1 = required([{ terms: t1, left: 30 }], trailingE18, 30);
      expect(r1).to.be.greaterThan(0n);
      await postCollateral(f, r1 - 1n);
      await expect(f.token.connect(f.farm).createSeries(t1))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientCollateral")
        .withArgs(f.farm.address, r1 - 1n, r1);
      expect(await f.settlement.farmSeries(f.farm.address)).to.deep.equal([]);
      await postCollateral(f, 1n);
      await expect(f.token.connect(f.farm).createSeries(t1)).to.emit(f.settlement, "SeriesRegistered").withArgs(1n, f.farm.address);
      expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(r1);

      const t2 = await seriesTerms(f, S + 5, { hashrateThs: 250n, poolFeeBps: 0, termDays: 10 });
      const r12 = required([{ terms: t1, left: 30 }, { terms: t2, left: 10 }], trailingE18, 30);
      await expect(f.token.connect(f.farm).createSeries(t2))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientCollateral")
        .withArgs(f.farm.address, r1, r12);
      await postCollateral(f, r12 - r1);
      await createSeries(f, t2);
      expect(await f.settlement.farmSeries(f.farm.address)).to.deep.equal([1n, 2n]);
      expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(r12);
      const reg = await f.settlement.registeredTerms(2n);
      expect(reg.hashrateThs).to.equal(250n);
      expect(reg.startDay).to.equal(BigInt(S + 5));
      // another asset needs nothing
      expect(await f.settlement.requiredCollateral(f.farm.address, f.holders[0].address)).to.equal(0n);
      await expect(f.settlement.registeredTerms(3n)).to.be.revertedWithCustomError(f.settlement, "UnregisteredSeries").withArgs(3n);
    });

    it("uses the bootstrap hashprice while the oracle has no final day; quoteCollateral says what a series needs", async () => {
      const g = await deployAll(conn, { feedPriceE8: null });
      const terms = await seriesTerms(g, S);
      expect(await g.settlement.bootstrapHashpriceE18()).to.equal(BOOTSTRAP_HASHPRICE_E18);
      expect(await g.settlement.requiredCollateral(g.farm.address, g.wbtc)).to.equal(0n);
      const need = required([{ terms, left: 30 }], BOOTSTRAP_HASHPRICE_E18, 30);
      expect(await g.settlement.quoteCollateral(terms)).to.equal(need);
      await postCollateral(g, need);
      await createSeries(g, terms);
      expect(await g.settlement.requiredCollateral(g.farm.address, g.wbtc)).to.equal(need);
    });

    it("counts a series for at most its unsettled days, and not at all once every day is settled", async () => {
      const { id, terms } = await issue({ termDays: 3 });
      expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(
        required([{ terms, left: 3 }], trailingE18, 30),
      );
      await deposit(f, 10n ** 8n);
      for (let k = 0; k < 3; k++) {
        await report(f, S + k, 10_000);
        await f.settlement.settle([id], [S + k]);
        expect(await f.settlement.settledDays(id)).to.equal(BigInt(k + 1));
        // the trailing hashprice is now day S + k's (with its own fees)
        expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(
          required([{ terms, left: 2 - k }], DATA.get(S + k)!.hashpriceE18, 30),
        );
      }
      expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(0n);
    });
  });

  describe("funds", () => {
    it("deposit and postCollateral pull tokens, credit the farm and emit; zero amount and farm 0 revert", async () => {
      const [payer] = f.holders;
      await expect(deposit(f, 1234n, payer))
        .to.emit(f.settlement, "Deposited")
        .withArgs(f.farm.address, await f.wbtc.getAddress(), payer.address, 1234n);
      await expect(postCollateral(f, 777n, payer))
        .to.emit(f.settlement, "CollateralPosted")
        .withArgs(f.farm.address, await f.wbtc.getAddress(), payer.address, 777n);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(1234n);
      expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(777n);
      expect(await f.wbtc.balanceOf(f.settlement)).to.equal(2011n);
      await expect(f.settlement.deposit(f.farm.address, f.wbtc, 0)).to.be.revertedWithCustomError(f.settlement, "ZeroAmount");
      await expect(f.settlement.postCollateral(f.farm.address, f.wbtc, 0)).to.be.revertedWithCustomError(f.settlement, "ZeroAmount");
      await expect(f.settlement.deposit(ethers.ZeroAddress, f.wbtc, 1))
        .to.be.revertedWithCustomError(f.settlement, "NotFarm")
        .withArgs(ethers.ZeroAddress);
      await expect(f.settlement.postCollateral(ethers.ZeroAddress, f.wbtc, 1)).to.be.revertedWithCustomError(f.settlement, "NotFarm");
    });

    it("withdrawFunding: only the farm's own balance, with event; InsufficientBalance, ZeroAmount", async () => {
      await deposit(f, 1000n);
      const to = f.holders[2].address;
      await expect(f.settlement.connect(f.holders[0]).withdrawFunding(f.wbtc, 1n, to))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientBalance")
        .withArgs(0n, 1n);
      await expect(f.settlement.connect(f.farm).withdrawFunding(f.wbtc, 1001n, to))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientBalance")
        .withArgs(1000n, 1001n);
      await expect(f.settlement.connect(f.farm).withdrawFunding(f.wbtc, 0n, to)).to.be.revertedWithCustomError(
        f.settlement,
        "ZeroAmount",
      );
      await expect(f.settlement.connect(f.farm).withdrawFunding(f.wbtc, 400n, to))
        .to.emit(f.settlement, "FundingWithdrawn")
        .withArgs(f.farm.address, await f.wbtc.getAddress(), to, 400n);
      expect(await f.wbtc.balanceOf(to)).to.equal(400n);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(600n);
    });

    it("withdrawCollateral keeps the required coverage; reverts InsufficientBalance, InsufficientCollateral, ZeroAmount", async () => {
      const { terms } = await issue();
      const req = required([{ terms, left: 30 }], trailingE18, 30);
      const have = await f.settlement.collateral(f.farm.address, f.wbtc);
      expect(have).to.equal(req);
      await postCollateral(f, 500n);
      const to = f.holders[1].address;
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, 0n, to)).to.be.revertedWithCustomError(
        f.settlement,
        "ZeroAmount",
      );
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, req + 501n, to))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientBalance")
        .withArgs(req + 500n, req + 501n);
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, 501n, to))
        .to.be.revertedWithCustomError(f.settlement, "InsufficientCollateral")
        .withArgs(f.farm.address, req - 1n, req);
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, 500n, to))
        .to.emit(f.settlement, "CollateralWithdrawn")
        .withArgs(f.farm.address, await f.wbtc.getAddress(), to, 500n);
      expect(await f.wbtc.balanceOf(to)).to.equal(500n);
      expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(req);
    });
  });

  describe("settle", () => {
    it("a funded full-uptime day: breakdown equals settlement.ts, paid from the balance, distributed by the token", async () => {
      const { id, terms } = await issue({}, 1_500n);
      await f.token.connect(f.holders[0]).safeTransferFrom(f.holders[0], f.holders[1], id, 500n, "0x");
      await deposit(f, 10n ** 8n);
      await report(f, S, 10_000);
      const x = DATA.get(S)!;
      const coll = await f.settlement.collateral(f.farm.address, f.wbtc);
      const pools = { balance: 10n ** 8n, collateral: coll };
      const want = modelBreakdown(terms, x.hashpriceE18, 10_000, x.btcUsdE8, 1_500n, pools);
      expect(want.owed).to.be.greaterThan(0n);
      expect(want.compensation).to.equal(0n);
      expect(toBreakdown(await f.settlement.quote(id, S))).to.deep.equal(want);
      const tx = await f.settlement.settle([id], [S]);
      const [ev] = await settledEvents(f, tx);
      expect(ev).to.deep.equal({ id, day: S, b: want });
      await expect(tx).to.emit(f.settlement, "Settled");
      const acc = (want.owed * 10n ** 36n) / 1_500n;
      await expect(tx).to.emit(f.token, "Distributed").withArgs(id, S, want.owed, 1_500n, acc);
      expect(want.fromBalance).to.equal(want.owed);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(10n ** 8n - want.owed);
      expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(coll);
      expect(await f.token.isDistributed(id, S)).to.equal(true);
      expect(await f.token.claimable(f.holders[0], id)).to.equal((1_000n * acc) / 10n ** 36n);
      expect(await f.token.claimable(f.holders[1], id)).to.equal((500n * acc) / 10n ** 36n);
    });

    it("below the SLA: the compensation comes from collateral first, the rest from the balance", async () => {
      const { id, terms } = await issue({}, 1_500n);
      await deposit(f, 10n ** 8n);
      await report(f, S, 8_000);
      const x = DATA.get(S)!;
      const coll = await f.settlement.collateral(f.farm.address, f.wbtc);
      const want = modelBreakdown(terms, x.hashpriceE18, 8_000, x.btcUsdE8, 1_500n, { balance: 10n ** 8n, collateral: coll });
      expect(want.compensation).to.be.greaterThan(0n);
      expect(want.fromCollateral).to.equal(want.compensation);
      expect(want.fromBalance).to.equal(want.owed - want.compensation);
      const [ev] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(ev.b).to.deep.equal(want);
      expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(coll - want.compensation);
    });

    it("balance short: the shortfall is slashed from collateral; both short: the rest becomes debt", async () => {
      await timelocked(conn, f.settlement, f.admin, "setCoverDays", [1]);
      const { id, terms } = await issue({ slaBps: 0 });
      const x = DATA.get(S)!;
      const owedFull = modelBreakdown(terms, x.hashpriceE18, 10_000, x.btcUsdE8, 3_000n, { balance: 10n ** 12n, collateral: 0n }).owed;
      await deposit(f, owedFull / 3n);
      await report(f, S, 10_000);
      const coll = await f.settlement.collateral(f.farm.address, f.wbtc);
      const [e1] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(e1.b.fromBalance).to.equal(owedFull / 3n);
      expect(e1.b.fromCollateral).to.equal(owedFull - owedFull / 3n);
      expect(e1.b.debtAdded).to.equal(0n);

      // drain the collateral: withdrawing is not possible (coverage), so settle days until it is gone
      let debt = 0n;
      let day = S + 1;
      while (debt === 0n) {
        await report(f, day, 10_000);
        const [e] = await settledEvents(f, await f.settlement.settle([id], [day]));
        expect(e.b.fromBalance).to.equal(0n);
        debt = e.b.debtAdded;
        if (debt > 0n) expect(e.b.fromCollateral + e.b.debtAdded).to.equal(e.b.owed);
        day++;
      }
      expect(coll).to.be.greaterThan(0n);
      expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(0n);
      expect(await f.settlement.debt(id)).to.equal(debt);
      expect(await f.settlement.farmDebt(f.farm.address, f.wbtc)).to.equal(debt);
      await expect(f.settlement.connect(f.farm).withdrawCollateral(f.wbtc, 1n, f.farm.address))
        .to.be.revertedWithCustomError(f.settlement, "OutstandingDebt")
        .withArgs(f.farm.address, debt);
      // a later day with nothing in either pool is all debt; the token still marks the day
      await report(f, day, 10_000);
      const [e3] = await settledEvents(f, await f.settlement.settle([id], [day]));
      expect(e3.b.debtAdded).to.equal(e3.b.owed);
      expect(await f.token.isDistributed(id, day)).to.equal(true);
      expect(await f.settlement.debt(id)).to.equal(debt + e3.b.owed);
    });

    it("deposit repays debts first, oldest series first, through the token to current holders", async () => {
      await timelocked(conn, f.settlement, f.admin, "setCoverDays", [1]);
      const a = await issue({ slaBps: 0 });
      const b = await issue({ slaBps: 0, hashrateThs: 50n }, 0n);
      await f.token.connect(f.farm).mint(f.holders[1].address, b.id, 700n, "0x");
      // drain the collateral so both series go into debt
      const coll = await f.settlement.collateral(f.farm.address, f.wbtc);
      let day = S;
      while ((await f.settlement.debt(b.id)) === 0n) {
        await report(f, day, 10_000);
        await f.settlement.settle([a.id, b.id], [day, day]);
        day++;
      }
      expect(coll).to.be.greaterThan(0n);
      const da = await f.settlement.debt(a.id);
      const db = await f.settlement.debt(b.id);
      expect(da).to.be.greaterThan(0n);
      // a deposit smaller than the first debt repays only series a
      const before = await f.token.seriesState(a.id);
      const tx1 = deposit(f, da - 1n);
      await expect(tx1).to.emit(f.settlement, "DebtRepaid").withArgs(a.id, f.farm.address, da - 1n);
      await expect(tx1).to.emit(f.token, "RepaymentDistributed");
      expect(await f.settlement.debt(a.id)).to.equal(1n);
      expect(await f.settlement.debt(b.id)).to.equal(db);
      const after = await f.token.seriesState(a.id);
      expect(after.distributed).to.equal(before.distributed + da - 1n);
      // holders[0] holds every unit of a: it can claim all that was distributed but the carried sub-sat dust
      expect(await f.token.claimable(f.holders[0], a.id)).to.equal((after.distributed * 10n ** 36n - after.carryE36) / 10n ** 36n);
      // the next deposit finishes a, repays b and leaves the rest in the balance
      const tx2 = deposit(f, 1n + db + 42n);
      await expect(tx2).to.emit(f.settlement, "DebtRepaid").withArgs(a.id, f.farm.address, 1n);
      await expect(tx2).to.emit(f.settlement, "DebtRepaid").withArgs(b.id, f.farm.address, db);
      expect(await f.settlement.debt(a.id)).to.equal(0n);
      expect(await f.settlement.debt(b.id)).to.equal(0n);
      expect(await f.settlement.farmDebt(f.farm.address, f.wbtc)).to.equal(0n);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(42n);
    });

    it("repayment writes off the debt of a series whose units were all burned (no holder is owed it)", async () => {
      await timelocked(conn, f.settlement, f.admin, "setCoverDays", [1]);
      const a = await issue({ slaBps: 0 });
      let day = S;
      while ((await f.settlement.debt(a.id)) === 0n) {
        await report(f, day, 10_000);
        await f.settlement.settle([a.id], [day]);
        day++;
      }
      const da = await f.settlement.debt(a.id);
      await f.token.connect(f.holders[0]).burn(f.holders[0], a.id, 3_000n);
      const tx = deposit(f, 1000n);
      await expect(tx).not.to.emit(f.settlement, "DebtRepaid");
      await expect(tx).to.emit(f.settlement, "DebtWrittenOff").withArgs(a.id, f.farm.address, da);
      expect(await f.settlement.debt(a.id)).to.equal(0n);
      expect(await f.settlement.farmDebt(f.farm.address, f.wbtc)).to.equal(0n);
      expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(1000n);
    });

    it("net is floored at 0 when costs exceed the yield: nothing owed, the day is still marked", async () => {
      const { id } = await issue({ powerCostUsdPerKWhE6: 5_000_000 }); // 5 USD/kWh
      await report(f, S, 10_000);
      const [e] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(e.b.netE18).to.equal(0n);
      expect(e.b.owed).to.equal(0n);
      expect(e.b.electricityE18).to.be.greaterThan(e.b.grossE18);
      expect(await f.token.isDistributed(id, S)).to.equal(true);
    });

    it("a series without supply owes nothing", async () => {
      const { id } = await issue({}, 0n);
      await report(f, S, 10_000);
      const [e] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(e.b.supply).to.equal(0n);
      expect(e.b.owed).to.equal(0n);
      expect(e.b.netE18).to.be.greaterThan(0n);
    });

    it("record date: the day's yield goes to who holds the units when it is settled", async () => {
      const { id } = await issue();
      await deposit(f, 10n ** 8n);
      await report(f, S, 10_000);
      // holder 0 held all units during day S; they move to holder 2 before settlement
      await f.token.connect(f.holders[0]).safeTransferFrom(f.holders[0], f.holders[2], id, 3_000n, "0x");
      const [e] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(await f.token.claimable(f.holders[0], id)).to.equal(0n);
      expect(await f.token.claimable(f.holders[2], id)).to.equal(e.b.owed);
    });

    it("batches many series-days atomically; skips settled pairs; reverts LengthMismatch, DayOutsideTerm, NotFinal, NoUptime, UnregisteredSeries", async () => {
      const { id } = await issue();
      await deposit(f, 10n ** 8n);
      for (let k = 0; k < 3; k++) await report(f, S + k, 9_000 + k);
      await expect(f.settlement.settle([id], [])).to.be.revertedWithCustomError(f.settlement, "LengthMismatch");
      await expect(f.settlement.settle([id], [S - 1]))
        .to.be.revertedWithCustomError(f.settlement, "DayOutsideTerm")
        .withArgs(id, S - 1);
      await expect(f.settlement.settle([id], [S + 30]))
        .to.be.revertedWithCustomError(f.settlement, "DayOutsideTerm")
        .withArgs(id, S + 30);
      await expect(f.settlement.settle([id], [S + 3]))
        .to.be.revertedWithCustomError(f.oracle, "NotFinal")
        .withArgs(S + 3);
      await report(f, S + 3);
      await expect(f.settlement.settle([id], [S + 3]))
        .to.be.revertedWithCustomError(f.oracle, "NoUptime")
        .withArgs(f.farm.address, S + 3);
      // one bad pair reverts the whole batch
      await expect(f.settlement.settle([id, id, id], [S, S + 1, S + 3])).to.be.revertedWithCustomError(f.oracle, "NoUptime");
      expect(await f.token.isDistributed(id, S)).to.equal(false);
      const tx = await f.settlement.settle([id, id, id], [S, S + 1, S + 2]);
      expect((await settledEvents(f, tx)).map((e) => [e.day, e.b.uptimeBps])).to.deep.equal([
        [S, 9_000n],
        [S + 1, 9_001n],
        [S + 2, 9_002n],
      ]);
      const skip = f.settlement.interface.getError("AlreadySettled")!.selector;
      await expect(f.settlement.settle([id], [S + 1]))
        .to.emit(f.settlement, "SettleSkipped")
        .withArgs(id, S + 1, skip);
      await expect(f.settlement.quote(id, S + 1)).to.be.revertedWithCustomError(f.settlement, "AlreadySettled");
      await expect(f.settlement.settle([99n], [S]))
        .to.be.revertedWithCustomError(f.settlement, "UnregisteredSeries")
        .withArgs(99n);
    });

    it("the same pair twice in one batch is settled once and skipped once", async () => {
      const { id } = await issue();
      await report(f, S, 10_000);
      const tx = await f.settlement.settle([id, id], [S, S]);
      expect((await settledEvents(f, tx)).length).to.equal(1);
      await expect(tx)
        .to.emit(f.settlement, "SettleSkipped")
        .withArgs(id, S, f.settlement.interface.getError("AlreadySettled")!.selector);
      expect(await f.settlement.settledDays(id)).to.equal(1n);
    });

    it("a pending report cannot be settled until the guardian confirms it", async () => {
      const { id } = await issue();
      const x = DATA.get(S)!;
      await submitDaily(f, { ...dailyReportOf(x), subsidySats: x.subsidySats * 4n }); // not the heights' subsidy: pending
      await submitUptimes(f, [{ farm: f.farm.address, day: S, uptimeBps: 10_000 }]);
      await expect(f.settlement.settle([id], [S])).to.be.revertedWithCustomError(f.oracle, "NotFinal").withArgs(S);
      await f.oracle.connect(f.guardian).confirmPending(S);
      const [e] = await settledEvents(f, await f.settlement.settle([id], [S]));
      expect(e.b.hashpriceE18).to.equal(hashpriceE18(x.bits, x.subsidySats * 4n, x.feesPerBlockSats));
    });

    it("a series created while the settlement was not the guard cannot be settled", async () => {
      await timelocked(conn, f.token, f.admin, "setIssuanceGuard", [ethers.ZeroAddress]);
      const id = await createSeries(f, await seriesTerms(f, S));
      await timelocked(conn, f.token, f.admin, "setIssuanceGuard", [await f.settlement.getAddress()]);
      await report(f, S, 10_000);
      await expect(f.settlement.settle([id], [S])).to.be.revertedWithCustomError(f.settlement, "UnregisteredSeries").withArgs(id);
    });

    it("while the token is paused, settle and a deposit that repays debt revert; plain deposits work", async () => {
      await timelocked(conn, f.settlement, f.admin, "setCoverDays", [1]);
      const { id } = await issue({ slaBps: 0 });
      let day = S;
      while ((await f.settlement.debt(id)) === 0n) {
        await report(f, day, 10_000);
        await f.settlement.settle([id], [day]);
        day++;
      }
      await report(f, day, 10_000);
      await f.token.connect(f.admin).pause();
      await expect(f.settlement.settle([id], [day])).to.be.revertedWithCustomError(f.token, "EnforcedPause");
      await expect(deposit(f, 10n)).to.be.revertedWithCustomError(f.token, "EnforcedPause");
      await expect(postCollateral(f, 10n)).to.emit(f.settlement, "CollateralPosted");
      await f.token.connect(f.admin).unpause();
      await expect(deposit(f, 10n)).to.emit(f.settlement, "DebtRepaid");
    });

    it("perThDay view equals settlement.ts for the series terms", async () => {
      const terms = await seriesTerms(f, S, { slaBps: 9_800, serviceFeeUsdPerThDayE6: 3_000 });
      const x = DATA.get(S)!;
      const got = await f.settlement.perThDay(terms, x.hashpriceE18, 9_100, x.btcUsdE8);
      const want = perThDay(terms, x.hashpriceE18, 9_100, x.btcUsdE8);
      for (const k of Object.keys(want) as (keyof typeof want)[]) expect(got[k]).to.equal(want[k], k);
      await expect(f.settlement.perThDay(terms, 1n, 10_001, 1n)).to.be.revertedWithCustomError(f.oracle, "InvalidUptime");
      await expect(f.settlement.perThDay(terms, 1n, 1, 0n)).to.be.revertedWithCustomError(f.oracle, "NoPrice");
    });
  });

  describe("admin", () => {
    it("setCoverDays: only through the admin's timelocked proposal, with event; it changes the required collateral", async () => {
      const { terms } = await issue();
      for (const s of [f.farm, f.admin, f.guardian]) {
        await expect(f.settlement.connect(s).setCoverDays(7)).to.be.revertedWithCustomError(f.settlement, "NotTimelocked");
      }
      const data = f.settlement.interface.encodeFunctionData("setCoverDays", [7]);
      await expect(f.settlement.connect(f.farm).proposeChange(data)).to.be.revertedWithCustomError(
        f.settlement,
        "AccessControlUnauthorizedAccount",
      );
      await expect(timelocked(conn, f.settlement, f.admin, "setCoverDays", [7])).to.emit(f.settlement, "CoverDaysSet").withArgs(7);
      expect(await f.settlement.coverDays()).to.equal(7);
      expect(await f.settlement.requiredCollateral(f.farm.address, f.wbtc)).to.equal(required([{ terms, left: 30 }], trailingE18, 7));
    });

    it("constructor names a zero admin, token, oracle or bootstrap hashprice; refuses a zero guardian", async () => {
      const F = await ethers.getContractFactory("Settlement");
      const Z = ethers.ZeroAddress;
      const g = f.guardian;
      const hp = BOOTSTRAP_HASHPRICE_E18;
      await expect(F.deploy(Z, g, 0, f.token, f.oracle, 1, hp)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("admin");
      await expect(F.deploy(f.admin, g, 0, Z, f.oracle, 1, hp)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("token");
      await expect(F.deploy(f.admin, g, 0, f.token, Z, 1, hp)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("oracle");
      await expect(F.deploy(f.admin, g, 0, f.token, f.oracle, 1, 0)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("bootstrapHashpriceE18");
      await expect(F.deploy(f.admin, Z, 0, f.token, f.oracle, 1, hp)).to.be.revertedWithCustomError(F, "ZeroGuardian");
    });
  });

  it("model sanity: FarmModel matches a short settled history exactly", async () => {
    const m = new FarmModel();
    const { id, terms } = await issue({}, 1_500n);
    m.addSeries(id, terms);
    m.mint(id, f.holders[0].address, 1_500n);
    m.postCollateral(await f.settlement.collateral(f.farm.address, f.wbtc));
    await deposit(f, 5_000n);
    m.deposit(5_000n);
    for (let k = 0; k < 4; k++) {
      await report(f, S + k, 9_000 + 300 * k);
      const x = DATA.get(S + k)!;
      const want = m.settleDay(id, x.hashpriceE18, 9_000 + 300 * k, x.btcUsdE8);
      const [e] = await settledEvents(f, await f.settlement.settle([id], [S + k]));
      expect(e.b).to.deep.equal(want);
    }
    expect(await f.token.claimable(f.holders[0], id)).to.equal(m.claimable(id, f.holders[0].address));
  });
});
