/**
 * A real Morpho Blue market (Morpho's own `Morpho` and `IrmMock`, compiled from @morpho-org/morpho-blue) whose
 * collateral is the accumulating share of a hash-power series (`SeriesWrapper`) and whose loan token is TestWBTC,
 * driven by the real days around the 2024-04-20 halving from ../shared/data. Attacks first, each as the attacker would run
 * it: Morpho's own `flashLoan` of every share around `Settlement.settle`, the same with the shares unwrapped inside
 * the loan, a raw ERC-1155 flash lender around `settle`, supply/withdraw/transfer sequences for throw-away
 * accounts, donations; then the borrower's yield across Morpho's own `liquidate`, exact to the sat.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type Fixture, type Terms, goToDay, timelocked } from "../helpers/deploy.js";
import { type CollateralFixture, type SeriesMarket, deploySeriesMarket, reportDay } from "../helpers/collateral.js";
import { loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";
import type { FlashSettleAttacker, RawUnitFlashLender } from "../../types/ethers-contracts/index.js";

// the real days, fees included
const DATA = loadDays();
const D = (date: string) => dayOfDate(date);
const START = D("2024-03-20");
const UPTIME = 10_000;
const WAD = 10n ** 18n;
const E36 = 10n ** 36n;

const conn = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

interface M extends Fixture, CollateralFixture {
  id: bigint;
  terms: Terms;
  mk: SeriesMarket;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  attacker: FlashSettleAttacker;
  lender: RawUnitFlashLender;
}

/**
 * Series: 100 TH/s for 365 days from 2024-03-20 (cap 36,500 units). Units: borrower 10,000 and carol 5,000 (wrapped
 * before the first settled day, so at index 0, and supplied to Morpho directly), bob 5,000 (wrapped, held), alice
 * 5,000 (raw ERC-1155; she deposits 2,000 of them in a raw flash lender). The supplier lends 1 BTC of TestWBTC.
 * Days 2024-03-15 .. 2024-04-17 are reported and settled; 04-18 and 04-19 are reported, not settled.
 */
async function base(): Promise<M> {
  const { f, c, terms, id, mk } = await deploySeriesMarket(conn, START);
  const [alice, bob, carol] = f.holders;
  for (const [h, n] of [[c.borrower, 10_000n], [carol, 5_000n], [bob, 5_000n], [alice, 5_000n]] as const) {
    await f.token.connect(f.farm).mint(h.address, id, n, "0x");
  }
  for (const [u, n] of [[c.borrower, 10_000n], [carol, 5_000n], [bob, 5_000n]] as const) {
    await f.token.connect(u).setApprovalForAll(mk.wrapper, true);
    await mk.wrapper.connect(u).wrap(n, u.address);
  }
  for (const [u, n] of [[c.borrower, 10_000n], [carol, 5_000n]] as const) {
    await mk.wrapper.connect(u).approve(c.morpho, n);
    await c.morpho.connect(u).supplyCollateral(mk.params, n, u.address, "0x");
  }
  const lender = (await ethers.deployContract("RawUnitFlashLender", [f.token])) as unknown as RawUnitFlashLender;
  await f.token.connect(alice).safeTransferFrom(alice.address, lender, id, 2_000n, "0x");
  const attacker = (await ethers.deployContract("FlashSettleAttacker", [f.token, f.settlement, f.wbtc])) as unknown as FlashSettleAttacker;
  await f.wbtc.mint(await attacker.getAddress(), 10n ** 6n); // to pay the index in when wrapping back
  await attacker.start();

  await f.wbtc.mint(c.supplier.address, 10n ** 8n);
  await f.wbtc.connect(c.supplier).approve(c.morpho, ethers.MaxUint256);
  await c.morpho.connect(c.supplier).supply(mk.params, 10n ** 8n, 0n, c.supplier.address, "0x");

  await goToDay(conn, D("2024-04-20"), 600);
  for (let d = D("2024-03-15"); d <= D("2024-04-19"); d++) {
    await reportDay(f, DATA.get(d)!, UPTIME, [mk.oracle]);
    if (d >= START && d <= D("2024-04-17")) await f.settlement.settle([id], [d]);
  }
  return { ...f, ...c, id, terms, mk, alice, bob, carol, attacker, lender };
}

/** Morpho's health check, recomputed: borrowed ≤ collateral · price / 1e36 · lltv (Morpho's rounding). */
async function position(m: M, user: string) {
  const { morpho, mk } = m;
  await morpho.accrueInterest(mk.params);
  const pos = await morpho.position(mk.marketId, user);
  const mkt = await morpho.market(mk.marketId);
  const borrowed =
    mkt.totalBorrowShares === 0n
      ? 0n
      : (pos.borrowShares * (mkt.totalBorrowAssets + 1n) + (mkt.totalBorrowShares + 10n ** 6n) - 1n) /
        (mkt.totalBorrowShares + 10n ** 6n); // SharesMathLib.toAssetsUp
  const price = await mk.oracle.price();
  const maxBorrow = (((pos.collateral * price) / E36) * mk.params.lltv) / WAD;
  return { collateral: pos.collateral, borrowed, price, maxBorrow, healthy: borrowed <= maxBorrow };
}

/** Reports and settles each day from 2024-04-20 until `user`'s position turns unhealthy (or 2024-05-10); that day. */
async function reportUntilUnhealthy(m: M, user: string): Promise<number> {
  let day = D("2024-04-20");
  for (; day < D("2024-05-10"); day++) {
    await goToDay(conn, day + 1, 600);
    await reportDay(m, DATA.get(day)!, UPTIME, [m.mk.oracle]);
    await m.settlement.settle([m.id], [day]);
    if (!(await position(m, user)).healthy) break;
  }
  return day;
}

/** What every party is owed, sats: a raw holder's claimable, a share holder's floor(shares · index). */
async function snapshot(m: M) {
  const { token, mk, id } = m;
  const index = await mk.wrapper.indexE36();
  const acc = await token.accPerUnitE36(id);
  const shares = async (a: string) => ((await mk.wrapper.balanceOf(a)) * index) / E36;
  const collateral = async (a: string) => ((await m.morpho.position(mk.marketId, a)).collateral * index) / E36;
  return {
    index,
    acc,
    borrower: await collateral(m.borrower.address),
    carol: await collateral(m.carol.address),
    bob: await shares(m.bob.address),
    alice: await token.claimable(m.alice.address, id),
    lender: await token.claimable(await m.lender.getAddress(), id),
    attacker: await m.attacker.gained(id),
  };
}

const DAYS = () => [D("2024-04-18"), D("2024-04-19")];

describe("Morpho Blue market on accumulating hash-power shares", () => {
  let m: M;
  beforeEach(async () => {
    m = await networkHelpers.loadFixture(base);
  });

  describe("attacks around settlement", () => {
    it("flash-borrowing every share Morpho holds around settle gains 0 sats; every borrower is credited in full", async () => {
      const { attacker, morpho, mk, id } = m;
      const before = await snapshot(m);
      const held = await mk.wrapper.balanceOf(morpho);
      expect(held).to.equal(15_000n);
      await attacker.attackMorpho(morpho, mk.wrapper, [id, id], DAYS(), false);
      const after = await snapshot(m);
      // The settlement happened inside the loan, and the attacker walked away with nothing.
      for (const d of DAYS()) expect(await m.token.isDistributed(id, d)).to.equal(true);
      expect(after.attacker).to.equal(0n);
      expect(await mk.wrapper.balanceOf(attacker)).to.equal(0n);
      expect(await mk.wrapper.balanceOf(morpho)).to.equal(held);
      // Each share gained exactly what a raw unit gained (index follows the accumulator), so every borrower is
      // credited in full: floor(shares · Δacc) up to the sub-sat floor of the before/after values.
      expect(after.index - before.index).to.equal(after.acc - before.acc);
      const perUnitE36 = after.acc - before.acc;
      expect(perUnitE36 > 0n).to.equal(true);
      for (const [who, n] of [["borrower", 10_000n], ["carol", 5_000n], ["bob", 5_000n]] as const) {
        const gain = after[who] - before[who];
        const exact = (n * perUnitE36) / E36;
        expect(gain >= exact && gain <= exact + 1n, `${who}: ${gain} vs ${exact}`).to.equal(true);
      }
      // And a share earned what a raw unit earned: carol's 5,000 shares vs alice's 3,000 raw units, per unit.
      const aliceGain = after.alice - before.alice;
      expect(aliceGain >= (3_000n * perUnitE36) / E36 - 1n && aliceGain <= (3_000n * perUnitE36) / E36 + 1n).to.equal(true);
    });

    it("flash-borrowing the shares and unwrapping them inside the loan: settle reverts, the attacker gains 0", async () => {
      const { attacker, morpho, mk, id, token } = m;
      const before = await snapshot(m);
      await expect(attacker.attackMorpho(morpho, mk.wrapper, [id, id], DAYS(), true))
        .to.be.revertedWithCustomError(token, "SeriesMovedInTransaction")
        .withArgs(id);
      expect(await attacker.gained(id)).to.equal(0n);
      for (const d of DAYS()) expect(await token.isDistributed(id, d)).to.equal(false);
      // The keeper's own settle transaction, which moves nothing, goes through and credits the real holders.
      await m.settlement.connect(m.keeper).settle([id, id], DAYS());
      const after = await snapshot(m);
      expect(after.index - before.index).to.equal(after.acc - before.acc);
      expect(after.borrower - before.borrower >= (10_000n * (after.acc - before.acc)) / E36).to.equal(true);
    });

    it("a raw ERC-1155 flash lender around settle: settle reverts, the lender (the real holder) keeps the yield", async () => {
      const { attacker, lender, id, token } = m;
      await expect(attacker.attackRaw(lender, id, 2_000n, DAYS()))
        .to.be.revertedWithCustomError(token, "SeriesMovedInTransaction")
        .withArgs(id);
      expect(await attacker.gained(id)).to.equal(0n);
      const before = await snapshot(m);
      await m.settlement.connect(m.keeper).settle([id, id], DAYS());
      const after = await snapshot(m);
      const lenderGain = after.lender - before.lender;
      expect(lenderGain >= (2_000n * (after.acc - before.acc)) / E36 - 1n).to.equal(true);
      expect(lenderGain > 0n).to.equal(true);
    });

    it("the flag does not outlive its transaction: a transfer, then a distribution in the next transaction, goes through", async () => {
      const { token, id, admin, alice, bob, wbtc } = m;
      await timelocked(conn, token, admin, "setDistributor", [admin.address]);
      await wbtc.mint(admin.address, 10n ** 8n);
      await wbtc.connect(admin).approve(token, ethers.MaxUint256);
      // (In one transaction the distribution reverts: the raw flash lender test above.)
      await token.connect(alice).safeTransferFrom(alice.address, bob.address, id, 1n, "0x");
      await expect(token.connect(admin).distributeRepayment(id, 1_000n)).to.emit(token, "RepaymentDistributed");
    });

    it("supply, withdraw, transfer for throw-away accounts within and across blocks credit nobody for shares not held", async () => {
      const { morpho, mk, bob, alice, id } = m;
      const signers = await ethers.getSigners();
      const fakes = signers.slice(16, 20);
      // Bob parks his shares as collateral of four throw-away accounts, then takes them back and passes them on.
      for (const fk of fakes) {
        await mk.wrapper.connect(bob).approve(morpho, 1_000n);
        await morpho.connect(bob).supplyCollateral(mk.params, 1_000n, fk.address, "0x");
      }
      for (const fk of fakes) await morpho.connect(fk).withdrawCollateral(mk.params, 1_000n, fk.address, fk.address);
      for (const fk of fakes) await mk.wrapper.connect(fk).transfer(alice.address, 1_000n);
      const before = await snapshot(m);
      await m.settlement.settle([id, id], DAYS());
      const after = await snapshot(m);
      // The borrowers are credited exactly per share held; the throw-away accounts hold nothing and get nothing.
      const per = after.acc - before.acc;
      for (const fk of fakes) {
        expect(await mk.wrapper.balanceOf(fk.address)).to.equal(0n);
        expect((await morpho.position(mk.marketId, fk.address)).collateral).to.equal(0n);
      }
      expect(after.borrower - before.borrower).to.be.within((10_000n * per) / E36, (10_000n * per) / E36 + 1n);
      expect(after.carol - before.carol).to.be.within((5_000n * per) / E36, (5_000n * per) / E36 + 1n);
      // Solvency: what the wrapper holds and is owed by the token covers every share at the index.
      const supply = await mk.wrapper.totalSupply();
      const owed = (supply * after.index) / E36;
      const assets = (await mk.wrapper.reserve()) + (await m.token.claimable(mk.wrapper, id));
      expect(assets >= owed).to.equal(true);
    });

    it("donations of sats or units to the wrapper move nothing", async () => {
      const { mk, wbtc, alice, token, id, bob } = m;
      const before = await snapshot(m);
      const reserve = await mk.wrapper.reserve();
      await wbtc.mint(alice.address, 10n ** 8n);
      await wbtc.connect(alice).transfer(mk.wrapper, 10n ** 8n);
      await expect(token.connect(alice).safeTransferFrom(alice.address, mk.wrapper, id, 100n, "0x"))
        .to.be.revertedWithCustomError(mk.wrapper, "DirectDepositRefused")
        .withArgs(alice.address);
      const after = await snapshot(m);
      expect(after).to.deep.equal(before);
      expect(await mk.wrapper.reserve()).to.equal(reserve);
      expect(await mk.wrapper.previewUnwrap(5_000n)).to.equal((5_000n * before.index) / E36);
      // Unwrapping pays the index, not the donation.
      const [u0, s0] = [await token.balanceOf(bob.address, id), await wbtc.balanceOf(bob.address)];
      await mk.wrapper.connect(bob).unwrap(5_000n, bob.address);
      expect((await token.balanceOf(bob.address, id)) - u0).to.equal(5_000n);
      expect((await wbtc.balanceOf(bob.address)) - s0).to.equal((5_000n * before.index) / E36);
    });
  });

  describe("liquidation across the 2024 halving", () => {

    it("a position that turned unhealthy while the oracle was fresh stays liquidatable when reports stop", async () => {
      const { morpho, mk, borrower, liquidator, id, wbtc } = m;
      const b = borrower.address;
      await m.settlement.settle([id, id], DAYS());
      await morpho.connect(borrower).borrow(mk.params, ((await position(m, b)).maxBorrow * 999n) / 1000n, 0n, b, b);
      const day = await reportUntilUnhealthy(m, b);
      // The reports stop. Grace (the last value), then decay: price() never reverts and never rises.
      await wbtc.mint(liquidator.address, 10n ** 8n);
      await wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
      const fresh = await mk.oracle.price();
      const states = new Set<bigint>();
      let seized = 0n;
      for (const k of [3, 5, 7, 9]) {
        await goToDay(conn, day + k, 600);
        const v = await mk.oracle.valuation();
        states.add(v.freshness);
        expect(v.price <= fresh).to.equal(true);
        // Morpho is never frozen: whenever the position is unhealthy at the served price, liquidate goes through
        if (!(await position(m, b)).healthy) {
          await morpho.connect(liquidator).liquidate(mk.params, b, 10n, 0n, "0x");
          seized += 10n;
        }
      }
      expect([...states].sort()).to.deep.equal([1n, 2n]); // grace, decaying
      expect(seized >= 20n, "liquidated during grace and decay").to.equal(true);
      expect(await mk.wrapper.balanceOf(liquidator.address)).to.equal(seized);
    });
    it("the liquidated borrower's accrued yield is priced into the seized value; what it keeps is exact to the sat", async () => {
      const { morpho, mk, borrower, liquidator, id, wbtc } = m;
      const b = borrower.address;
      await m.settlement.settle([id, id], DAYS());
      // Borrow 99.9 % of the max on 2024-04-20 (latest recorded day: 04-19). The price counts the accrued sats.
      const before = await position(m, b);
      const v = await mk.oracle.valuation();
      expect(v.accruedE18).to.equal((await mk.wrapper.indexE36()) / WAD);
      expect(v.shareValueE18).to.equal(v.unitValueE18 + v.accruedE18);
      expect(v.accruedE18 > 0n).to.equal(true);
      const borrowed = (before.maxBorrow * 999n) / 1000n;
      await morpho.connect(borrower).borrow(mk.params, borrowed, 0n, b, b);
      await expect(morpho.connect(liquidator).liquidate(mk.params, b, 1n, 0n, "0x")).to.be.revertedWith("position is healthy");

      // Across the halving (2024-04-20), day by day: the unit value runs down (the halving was priced in ahead,
      // from the retarget count), the accrued sats grow; the position turns unhealthy within days.
      const day = await reportUntilUnhealthy(m, b);
      expect(day < D("2024-05-10"), "liquidatable after the halving").to.equal(true);

      // Morpho's own liquidate seizes 5,000 shares: the liquidator pays for units and their accrued sats.
      await wbtc.mint(liquidator.address, 10n ** 8n);
      await wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
      const seized = 5_000n;
      const price = await mk.oracle.price();
      const index = await mk.wrapper.indexE36();
      await morpho.connect(liquidator).liquidate(mk.params, b, seized, 0n, "0x");
      const repaid = 10n ** 8n - (await wbtc.balanceOf(liquidator.address));
      // Morpho: repaid = seized · price / 1e36 / LIF (rounded up); LIF = min(1.15, 1 / (1 − 0.3 · (1 − LLTV))).
      const lif = (WAD * WAD) / (WAD - (3n * (WAD - mk.params.lltv)) / 10n);
      const quoted = (seized * price + E36 - 1n) / E36;
      const expected = (quoted * WAD + lif - 1n) / lif;
      expect(repaid).to.be.within(expected - 2n, expected + 2n);
      const accruedPart = (seized * index) / E36;
      const unitOnly = (seized * (price - (index / WAD) * 10n ** 18n)) / E36;
      // (quoted is rounded up, unitOnly down, the index floored to 1e-18 sat: ≤ 2 sats apart)
      expect(quoted - unitOnly).to.be.within(accruedPart - 2n, accruedPart + 2n);
      expect(accruedPart > 0n).to.equal(true);

      // The liquidator unwraps what it seized: units + floor(seized · index) sats, exactly.
      const l0 = await wbtc.balanceOf(liquidator.address);
      await mk.wrapper.connect(liquidator).unwrap(seized, liquidator.address);
      expect(await m.token.balanceOf(liquidator.address, id)).to.equal(seized);
      expect((await wbtc.balanceOf(liquidator.address)) - l0).to.equal((seized * index) / E36);

      // The borrower keeps 5,000 shares; it repays, withdraws and unwraps them: units + floor(5,000 · index).
      const left = (await morpho.position(mk.marketId, b)).collateral;
      expect(left).to.equal(10_000n - seized);
      await wbtc.mint(b, 10n ** 8n);
      await wbtc.connect(borrower).approve(morpho, ethers.MaxUint256);
      const pos = await morpho.position(mk.marketId, b);
      await morpho.connect(borrower).repay(mk.params, 0n, pos.borrowShares, b, "0x");
      await morpho.connect(borrower).withdrawCollateral(mk.params, left, b, b);
      const idx = await mk.wrapper.indexE36();
      const s0 = await wbtc.balanceOf(b);
      await mk.wrapper.connect(borrower).unwrap(left, b);
      expect((await wbtc.balanceOf(b)) - s0).to.equal((left * idx) / E36);
      // …which is what a raw unit earned since the wrapper was created, per unit, floored.
      expect(idx).to.equal((await m.token.accPerUnitE36(id)) - (await mk.wrapper.acc0()));
      // The wrapper stays solvent for the shares left.
      const supply = await mk.wrapper.totalSupply();
      const assets = (await mk.wrapper.reserve()) + (await m.token.claimable(mk.wrapper, id));
      expect(assets >= (supply * idx) / E36).to.equal(true);
    });
  });
});
