/**
 * A real Morpho Blue market (Morpho's own `Morpho` and `IrmMock`, compiled from @morpho-org/morpho-blue) with a
 * wrapped hash-power series as collateral and TestWBTC as loan token, driven by the real days around the
 * 2024-04-20 halving from data/: the borrower keeps earning while borrowed, the halving makes the position
 * liquidatable, Morpho's own `liquidate` seizes wrapped units, and the yield follows the new owners.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type Fixture, type Terms, goToDay } from "../helpers/deploy.js";
import {
  type CollateralFixture,
  LLTV_77,
  type SeriesMarket,
  deploySeriesMarket,
  openMarket,
  reportDay,
  subsidyOnly,
} from "../helpers/collateral.js";
import { loadDays } from "../../indexer/domain/data.js";
import { dayOfDate } from "../../indexer/domain/units.js";
import { owedForDay, perThDay } from "../../indexer/domain/settlement.js";
import {
  type HolderAcc,
  type SeriesAcc,
  claim as accClaim,
  claimable as accClaimable,
  distribute as accDistribute,
  settle as accSettle,
} from "../../indexer/domain/accumulator.js";
import type { TestERC20Decimals } from "../../types/ethers-contracts/index.js";

// subsidy-only inputs: the scenario was calibrated without fees (see subsidyOnly in test/helpers/collateral.ts)
const DATA = subsidyOnly(loadDays());
const D = (date: string) => dayOfDate(date);
const START = D("2024-03-20");
const UPTIME = 10_000;
const WAD = 10n ** 18n;
const E36 = 10n ** 36n;

const conn = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

/**
 * TS model of the two-level yield routing, from the agreed domain modules only: the token's series accumulator
 * (accumulator.ts), Morpho's address as a holder of the wrapper (whose per-unit accumulator is the token's), and
 * the adapter's pool over recorded collateral (same accumulator functions, denominator max(recorded, held)).
 */
class RoutingModel {
  series: SeriesAcc = { supply: 0n, accPerUnitE36: 0n, carryE36: 0n };
  /** holders of wrapped units outside Morpho, and Morpho's address, against the series accumulator */
  wrapped = new Map<string, HolderAcc>();
  pool = { accPerUnitE36: 0n, carryE36: 0n, unallocatedE36: 0n, received: 0n };
  records = new Map<string, HolderAcc>();

  holder(map: Map<string, HolderAcc>, a: string, acc: bigint): HolderAcc {
    if (!map.has(a)) map.set(a, { balance: 0n, paidE36: acc, accruedE36: 0n });
    return map.get(a)!;
  }
  /** moves wrapped units (Morpho's address included) — settles both sides first, as the wrapper's `_update` */
  move(from: string | null, to: string | null, units: bigint) {
    for (const [a, d] of [[from, -units], [to, units]] as const) {
      if (!a) continue;
      const h = this.holder(this.wrapped, a, this.series.accPerUnitE36);
      accSettle(this.series, h);
      h.balance += d;
    }
  }
  day(amount: bigint) {
    accDistribute(this.series, amount);
  }
  recorded(): bigint {
    let s = 0n;
    for (const r of this.records.values()) s += r.balance;
    return s;
  }
  /** the adapter's `_harvest` */
  harvest(morpho: string) {
    const x = accClaim(this.series, this.holder(this.wrapped, morpho, this.series.accPerUnitE36));
    if (x === 0n) return;
    this.pool.received += x;
    const recorded = this.recorded();
    const held = this.wrapped.get(morpho)!.balance;
    const den = recorded > held ? recorded : held;
    const acc: SeriesAcc = { supply: den, accPerUnitE36: this.pool.accPerUnitE36, carryE36: this.pool.carryE36 };
    const before = acc.accPerUnitE36;
    accDistribute(acc, x);
    this.pool.unallocatedE36 += (acc.accPerUnitE36 - before) * (den - recorded);
    this.pool.accPerUnitE36 = acc.accPerUnitE36;
    this.pool.carryE36 = acc.carryE36;
  }
  poolAcc(): SeriesAcc {
    return { supply: 0n, accPerUnitE36: this.pool.accPerUnitE36, carryE36: this.pool.carryE36 };
  }
  /** the adapter's `_sync` (after a harvest) */
  sync(user: string, units: bigint) {
    const r = this.holder(this.records, user, this.pool.accPerUnitE36);
    accSettle(this.poolAcc(), r);
    r.balance = units;
  }
  /** the adapter's `claimable` view: a simulated harvest, then the record's accrual */
  claimable(morpho: string, user: string): bigint {
    const copy = structuredClone({ series: this.series, wrapped: this.wrapped, pool: this.pool, records: this.records });
    const m = Object.assign(new RoutingModel(), copy);
    m.harvest(morpho);
    const r = m.records.get(user);
    return r ? accClaimable(m.poolAcc(), r) : 0n;
  }
  /** the adapter's `_claim` after harvest and sync */
  claim(user: string): bigint {
    const r = this.records.get(user)!;
    accSettle(this.poolAcc(), r);
    const paid = r.accruedE36 / E36;
    r.accruedE36 -= paid * E36;
    return paid;
  }
  wrappedClaimable(a: string): bigint {
    const h = this.wrapped.get(a);
    return h ? accClaimable(this.series, h) : 0n;
  }
}

interface M extends Fixture, CollateralFixture {
  id: bigint;
  terms: Terms;
  mk: SeriesMarket;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  model: RoutingModel;
  morphoAddr: string;
}

/**
 * Series: 100 TH/s for 365 days from 2024-03-20 (cap 36,500 units). Units: borrower 10,000 and carol 5,000
 * (both wrapped and supplied as collateral through the adapter), bob 5,000 (wrapped, held), alice 5,000
 * (unwrapped). The supplier lends 1 BTC of TestWBTC. Days 2024-03-15 .. 2024-04-17 are reported and settled.
 */
async function base(): Promise<M> {
  const { f, c, terms, id, mk } = await deploySeriesMarket(conn, START);
  const [alice, bob, carol] = f.holders;
  const model = new RoutingModel();
  const morphoAddr = await c.morpho.getAddress();
  const m: M = { ...f, ...c, id, terms, mk, alice, bob, carol, model, morphoAddr };

  for (const [h, n] of [[c.borrower, 10_000n], [carol, 5_000n], [bob, 5_000n], [alice, 5_000n]] as const) {
    await f.token.connect(f.farm).mint(h.address, id, n, "0x");
  }
  model.series.supply = 25_000n;
  await f.token.connect(bob).setApprovalForAll(mk.wrapper, true);
  await mk.wrapper.connect(bob).wrap(5_000n, bob.address);
  model.move(null, bob.address, 5_000n);
  for (const [u, n] of [[c.borrower, 10_000n], [carol, 5_000n]] as const) await supplyViaAdapter(m, u, n);

  await f.wbtc.mint(c.supplier.address, 10n ** 8n);
  await f.wbtc.connect(c.supplier).approve(c.morpho, ethers.MaxUint256);
  await c.morpho.connect(c.supplier).supply(mk.params, 10n ** 8n, 0n, c.supplier.address, "0x");

  await goToDay(conn, D("2024-04-18"), 600);
  let last = 0n;
  for (let d = D("2024-03-15"); d <= D("2024-04-17"); d++) {
    await reportAndSettle(m, d);
    // Every settled day adds to the borrower's claimable, exactly as the model says.
    const now = await c.adapter.claimable(mk.marketId, c.borrower.address);
    expect(now).to.equal(model.claimable(morphoAddr, c.borrower.address));
    if (d >= START) expect(now > last, `claimable grows on ${d}`).to.equal(true);
    last = now;
  }
  return m;
}

async function supplyViaAdapter(m: M, u: HardhatEthersSigner, n: bigint) {
  const { mk, adapter, model } = m;
  await m.token.connect(u).setApprovalForAll(mk.wrapper, true);
  await mk.wrapper.connect(u).wrap(n, u.address);
  model.move(null, u.address, n);
  await mk.wrapper.connect(u).approve(adapter, n);
  model.harvest(m.morphoAddr);
  await expect(adapter.connect(u).supplyCollateral(mk.params, n, u.address))
    .to.emit(adapter, "CollateralSupplied")
    .withArgs(mk.marketId, u.address, u.address, n);
  model.move(u.address, m.morphoAddr, n);
  model.sync(u.address, (model.records.get(u.address)?.balance ?? 0n) + n);
  expect((await adapter.accountOf(mk.marketId, u.address))[0]).to.equal(model.records.get(u.address)!.balance);
}

/** Reports real day `d` and settles it for the series when inside the term; mirrors the payout in the model. */
async function reportAndSettle(m: M, d: number) {
  const x = DATA.get(d)!;
  await reportDay(m, x, UPTIME);
  if (d < START) return;
  await m.settlement.settle([m.id], [d]);
  const p = perThDay(m.terms, x.hashpriceE18, UPTIME, x.btcUsdE8);
  m.model.day(owedForDay(m.terms, p, m.model.series.supply).owed);
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

describe("Morpho Blue market with wrapped hash-power collateral", () => {
  let m: M;
  beforeEach(async () => {
    const f = await networkHelpers.loadFixture(base);
    m = { ...f, model: Object.assign(new RoutingModel(), structuredClone({ ...f.model })) };
  });

  it("borrows near the LLTV, keeps earning while borrowed, and is liquidated by Morpho after the halving", async () => {
    const { morpho, mk, adapter, borrower, liquidator, keeper, carol, model, morphoAddr } = m;
    const b = borrower.address;
    expect(await adapter.claimable(mk.marketId, b)).to.equal(model.claimable(morphoAddr, b));
    expect(await adapter.claimable(mk.marketId, b) > 0n).to.equal(true);

    // Borrow 99 % of the max on 2024-04-18 (latest final day: 04-17).
    const before = await position(m, b);
    const borrowed = (before.maxBorrow * 99n) / 100n;
    await morpho.connect(borrower).borrow(mk.params, borrowed, 0n, b, b);
    expect(await m.wbtc.balanceOf(b)).to.equal(borrowed);
    expect((await position(m, b)).healthy).to.equal(true);
    await expect(morpho.connect(liquidator).liquidate(mk.params, b, 1n, 0n, "0x")).to.be.revertedWith(
      "position is healthy",
    );

    // Days before the halving: still healthy, and the yield keeps accruing to the borrower, day by day.
    let last = await adapter.claimable(mk.marketId, b);
    for (const date of ["2024-04-18", "2024-04-19"]) {
      await goToDay(conn, D(date) + 1, 600);
      await reportAndSettle(m, D(date));
      const now = await adapter.claimable(mk.marketId, b);
      expect(now).to.equal(model.claimable(morphoAddr, b));
      expect(now > last).to.equal(true);
      last = now;
      const p = await position(m, b);
      expect(p.healthy, `healthy after ${date}`).to.equal(true);
      await expect(morpho.connect(liquidator).liquidate(mk.params, b, 1n, 0n, "0x")).to.be.revertedWith(
        "position is healthy",
      );
    }

    // The halving day: the subsidy halves, the trailing average falls, the LTV crosses 77 %.
    await goToDay(conn, D("2024-04-21"), 600);
    await reportAndSettle(m, D("2024-04-20"));
    const after = await position(m, b);
    expect(after.healthy).to.equal(false);
    expect(after.price < before.price).to.equal(true);
    expect(await adapter.claimable(mk.marketId, b)).to.equal(model.claimable(morphoAddr, b));

    // Morpho's own liquidate: the liquidator repays and seizes 5,000 wrapped units.
    await m.wbtc.mint(liquidator.address, 10n ** 8n);
    await m.wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
    const seized = 5_000n;
    const debtBefore = (await position(m, b)).borrowed;
    // (Morpho's events live in EventsLib; solc 0.8.19 leaves library events out of the ABI, so check state.)
    await morpho.connect(liquidator).liquidate(mk.params, b, seized, 0n, "0x");
    const repaid = 10n ** 8n - (await m.wbtc.balanceOf(liquidator.address));
    expect(repaid > 0n).to.equal(true);
    expect((await position(m, b)).borrowed < debtBefore).to.equal(true);
    model.move(morphoAddr, liquidator.address, seized);
    expect(await mk.wrapper.balanceOf(liquidator.address)).to.equal(seized);
    expect((await morpho.position(mk.marketId, b)).collateral).to.equal(10_000n - seized);

    // A keeper syncs the borrower before the next settled day: nothing is misallocated.
    model.harvest(morphoAddr);
    await expect(adapter.connect(keeper).sync(mk.marketId, b))
      .to.emit(adapter, "CollateralSynced")
      .withArgs(mk.marketId, b, 10_000n, 5_000n, 10_000n);
    model.sync(b, 5_000n);

    // Yield after the liquidation follows the new owners: the liquidator in the wrapper, the borrower on 5,000.
    for (const date of ["2024-04-21", "2024-04-22"]) {
      const bBefore = await adapter.claimable(mk.marketId, b);
      const lBefore = await mk.wrapper.claimable(liquidator.address);
      const cBefore = await adapter.claimable(mk.marketId, carol.address);
      await goToDay(conn, D(date) + 1, 600);
      await reportAndSettle(m, D(date));
      expect(await adapter.claimable(mk.marketId, b)).to.equal(model.claimable(morphoAddr, b));
      expect(await mk.wrapper.claimable(liquidator.address)).to.equal(model.wrappedClaimable(liquidator.address));
      expect(await adapter.claimable(mk.marketId, carol.address)).to.equal(model.claimable(morphoAddr, carol.address));
      const db = (await adapter.claimable(mk.marketId, b)) - bBefore;
      const dl = (await mk.wrapper.claimable(liquidator.address)) - lBefore;
      const dc = (await adapter.claimable(mk.marketId, carol.address)) - cBefore;
      // Borrower (5,000 in Morpho), carol (5,000 in Morpho), liquidator (5,000 held): the same day's share each.
      for (const x of [db, dc]) expect(x - dl <= 2n && dl - x <= 2n).to.equal(true);
      expect(dl > 0n).to.equal(true);
    }

    // Claims pay exactly the claimable amounts.
    const due = await adapter.claimable(mk.marketId, b);
    const wb = await m.wbtc.balanceOf(b);
    await expect(adapter.connect(borrower).claim(mk.marketId, b))
      .to.emit(adapter, "Claimed")
      .withArgs(mk.marketId, b, b, b, due);
    expect((await m.wbtc.balanceOf(b)) - wb).to.equal(due);
    const ldue = await mk.wrapper.claimable(liquidator.address);
    await mk.wrapper.connect(liquidator).claim(liquidator.address);
    expect(await m.wbtc.balanceOf(liquidator.address)).to.equal(10n ** 8n - repaid + ldue);

    // Conservation in the adapter: what it received = paid + still owed (+ sub-sat dust), never more.
    await expectAdapterSolvent(m, [b, carol.address]);
  });

  it("liquidation window: a day settled before the sync is split over the stale record, never overpaid", async () => {
    const { morpho, mk, adapter, borrower, liquidator, carol, model, morphoAddr } = m;
    const b = borrower.address;
    const p = await position(m, b);
    await morpho.connect(borrower).borrow(mk.params, (p.maxBorrow * 99n) / 100n, 0n, b, b);
    for (const date of ["2024-04-18", "2024-04-19", "2024-04-20"]) {
      await goToDay(conn, D(date) + 1, 600);
      await reportAndSettle(m, D(date));
    }
    await m.wbtc.mint(liquidator.address, 10n ** 8n);
    await m.wbtc.connect(liquidator).approve(morpho, ethers.MaxUint256);
    await morpho.connect(liquidator).liquidate(mk.params, b, 5_000n, 0n, "0x");
    model.move(morphoAddr, liquidator.address, 5_000n);

    // Nobody syncs; 2024-04-21 is settled. Morpho holds 10,000 units, the records still say 15,000.
    const cBefore = await adapter.claimable(mk.marketId, carol.address);
    const bBefore = await adapter.claimable(mk.marketId, b);
    await goToDay(conn, D("2024-04-22"), 600);
    await reportAndSettle(m, D("2024-04-21"));
    const dc = (await adapter.claimable(mk.marketId, carol.address)) - cBefore;
    const db = (await adapter.claimable(mk.marketId, b)) - bBefore;
    expect(dc).to.equal(model.claimable(morphoAddr, carol.address) - cBefore);
    expect(db).to.equal(model.claimable(morphoAddr, b) - bBefore);
    // The stale record takes 10/15 of what Morpho earned on 10,000 units, carol 5/15 instead of 5/10.
    const morphoEarned = dc + db;
    expect(db * 3n >= morphoEarned * 2n - 3n && db * 3n <= morphoEarned * 2n + 3n).to.equal(true);
    // Then a sync closes the window; later days are split right again.
    model.harvest(morphoAddr);
    await adapter.sync(mk.marketId, b);
    model.sync(b, 5_000n);
    await goToDay(conn, D("2024-04-23"), 600);
    await reportAndSettle(m, D("2024-04-22"));
    expect(await adapter.claimable(mk.marketId, b)).to.equal(model.claimable(morphoAddr, b));
    expect(await adapter.claimable(mk.marketId, carol.address)).to.equal(model.claimable(morphoAddr, carol.address));
    await expectAdapterSolvent(m, [b, carol.address]);
  });

  it("withdraws through the adapter with Morpho authorisation; claimFor by authorised addresses", async () => {
    const { morpho, mk, adapter, carol, bob, keeper, model, morphoAddr } = m;
    await expect(adapter.connect(carol).withdrawCollateral(mk.params, 1_000n, carol.address)).to.be.revertedWith(
      "unauthorized",
    );
    await morpho.connect(carol).setAuthorization(adapter, true);
    model.harvest(morphoAddr);
    await expect(adapter.connect(carol).withdrawCollateral(mk.params, 1_000n, bob.address))
      .to.emit(adapter, "CollateralWithdrawn")
      .withArgs(mk.marketId, carol.address, bob.address, 1_000n)
      .and.to.emit(adapter, "CollateralSynced")
      .withArgs(mk.marketId, carol.address, 5_000n, 4_000n, 14_000n);
    model.move(morphoAddr, bob.address, 1_000n);
    model.sync(carol.address, 4_000n);
    expect(await mk.wrapper.balanceOf(bob.address)).to.equal(6_000n);

    await goToDay(conn, D("2024-04-19"), 600);
    await reportAndSettle(m, D("2024-04-18"));
    expect(await adapter.claimable(mk.marketId, carol.address)).to.equal(model.claimable(morphoAddr, carol.address));
    expect(await mk.wrapper.claimable(bob.address)).to.equal(model.wrappedClaimable(bob.address));

    await expect(adapter.connect(keeper).claimFor(mk.marketId, carol.address, keeper.address))
      .to.be.revertedWithCustomError(adapter, "NotAuthorized")
      .withArgs(carol.address, keeper.address);
    await morpho.connect(carol).setAuthorization(keeper, true);
    const due = await adapter.claimable(mk.marketId, carol.address);
    await expect(adapter.connect(keeper).claimFor(mk.marketId, carol.address, keeper.address))
      .to.emit(adapter, "Claimed")
      .withArgs(mk.marketId, carol.address, keeper.address, keeper.address, due);
    expect(await m.wbtc.balanceOf(keeper.address)).to.equal(due);
    expect(await adapter.claimable(mk.marketId, carol.address)).to.equal(0n);
  });

  it("sets aside the yield of collateral deposited around the adapter until it is synced; the owner returns it", async () => {
    const { morpho, mk, adapter, bob, keeper, admin, model, morphoAddr, borrower } = m;
    // Bob supplies 2,000 wrapped units to Morpho directly, bypassing the adapter.
    await mk.wrapper.connect(bob).approve(morpho, 2_000n);
    await morpho.connect(bob).supplyCollateral(mk.params, 2_000n, bob.address, "0x");
    model.move(bob.address, morphoAddr, 2_000n);
    await goToDay(conn, D("2024-04-19"), 600);
    await reportAndSettle(m, D("2024-04-18"));
    // Recorded 15,000, held 17,000: recorded users still get exactly a wrapped unit's yield.
    const dueB = await adapter.claimable(mk.marketId, borrower.address);
    expect(dueB).to.equal(model.claimable(morphoAddr, borrower.address));
    model.harvest(morphoAddr);
    await expect(adapter.connect(keeper).sync(mk.marketId, bob.address)).to.emit(adapter, "Harvested");
    model.sync(bob.address, 2_000n);
    const [recorded, , , unallocatedE36] = await adapter.poolOf(mk.wrapper);
    expect(recorded).to.equal(17_000n);
    expect(unallocatedE36).to.equal(model.pool.unallocatedE36);
    expect(unallocatedE36 / E36 > 0n).to.equal(true);
    // Bob is recorded from now on; what accrued before is the owner's to return.
    await expect(adapter.connect(bob).sweepUnallocated(mk.wrapper, bob.address)).to.be.revertedWithCustomError(
      adapter,
      "OwnableUnauthorizedAccount",
    );
    await expect(adapter.connect(admin).sweepUnallocated(mk.wrapper, bob.address))
      .to.emit(adapter, "UnallocatedSwept")
      .withArgs(await mk.wrapper.getAddress(), bob.address, unallocatedE36 / E36);
    await goToDay(conn, D("2024-04-20"), 600);
    await reportAndSettle(m, D("2024-04-19"));
    expect(await adapter.claimable(mk.marketId, bob.address)).to.equal(model.claimable(morphoAddr, bob.address));
    expect(await adapter.claimable(mk.marketId, bob.address) > 0n).to.equal(true);
    await expectAdapterSolvent(m, [borrower.address, m.carol.address, bob.address]);
  });

  it("serves several markets of one wrapper from one pool, and refuses markets of foreign collateral", async () => {
    const { morpho, mk, adapter, alice, model, morphoAddr, irm, feed } = m;
    // A second market on the same wrapper: loan token a 6-decimal USD stablecoin, USD-quoted valuation.
    const usdc = (await ethers.deployContract("TestERC20Decimals", [6])) as TestERC20Decimals;
    const usdMk = await openMarket(m, m, m.id, { loanToken: usdc, quote: 1 });
    expect(usdMk.wrapper.target).to.equal(mk.wrapper.target);
    await m.token.connect(alice).setApprovalForAll(mk.wrapper, true);
    await mk.wrapper.connect(alice).wrap(5_000n, alice.address);
    model.move(null, alice.address, 5_000n);
    await mk.wrapper.connect(alice).approve(adapter, 5_000n);
    model.harvest(morphoAddr);
    await adapter.connect(alice).supplyCollateral(usdMk.params, 5_000n, alice.address);
    model.move(alice.address, morphoAddr, 5_000n);
    model.sync(alice.address, 5_000n);
    expect((await adapter.poolOf(mk.wrapper))[0]).to.equal(20_000n);
    // The yield pending before alice's units arrived went to the existing records, none set aside.
    expect((await adapter.poolOf(mk.wrapper))[3]).to.equal(0n);
    for (const u of [m.borrower.address, m.carol.address]) {
      expect(await adapter.claimable(mk.marketId, u)).to.equal(model.claimable(morphoAddr, u));
    }

    // Alice borrows USD against the USD price: Morpho uses the feed-converted price.
    await usdc.mint(m.supplier.address, 10n ** 12n);
    await usdc.connect(m.supplier).approve(morpho, ethers.MaxUint256);
    await morpho.connect(m.supplier).supply(usdMk.params, 10n ** 12n, 0n, m.supplier.address, "0x");
    await feed.setPrice(DATA.get(D("2024-04-17"))!.btcUsdE8);
    const price = await usdMk.oracle.price();
    const max = (((5_000n * price) / E36) * LLTV_77) / WAD;
    expect(max > 0n).to.equal(true);
    await morpho.connect(alice).borrow(usdMk.params, max, 0n, alice.address, alice.address);
    expect(await usdc.balanceOf(alice.address)).to.equal(max);
    await expect(morpho.connect(alice).borrow(usdMk.params, 1n, 0n, alice.address, alice.address)).to.be.revertedWith(
      "insufficient collateral",
    );

    await goToDay(conn, D("2024-04-19"), 600);
    await reportAndSettle(m, D("2024-04-18"));
    // Per recorded unit, both markets earn the same.
    const a = await adapter.claimable(usdMk.marketId, alice.address);
    expect(a).to.equal(model.claimable(morphoAddr, alice.address));
    expect(a > 0n).to.equal(true);

    // A market whose collateral is not one of the factory's wrappers is refused.
    const foreign = { ...mk.params, collateralToken: await usdc.getAddress() };
    await morpho.createMarket(foreign);
    await expect(adapter.supplyCollateral(foreign, 1n, alice.address)).to.be.revertedWithCustomError(
      adapter,
      "UnsupportedMarket",
    );
    const unknown = { ...mk.params, lltv: 1n };
    await expect(adapter.supplyCollateral(unknown, 1n, alice.address)).to.be.revertedWithCustomError(
      adapter,
      "UnsupportedMarket",
    );
    await expect(adapter.supplyCollateral(mk.params, 0n, alice.address)).to.be.revertedWithCustomError(adapter, "ZeroAmount");
    expect(await irm.getAddress()).to.equal(mk.params.irm);
  });
});

/** received · 1e36 = paid · 1e36 + Σ accruals + carry + unallocated, and the adapter holds what it owes. */
async function expectAdapterSolvent(m: M, users: string[]) {
  const { adapter, mk } = m;
  // Force a harvest so stored values are current.
  await adapter.sync(mk.marketId, users[0]);
  m.model.harvest(m.morphoAddr);
  m.model.sync(users[0], (await m.morpho.position(mk.marketId, users[0])).collateral);
  const [, acc, carry, unallocated, received, paid] = await adapter.poolOf(mk.wrapper);
  let sum = 0n;
  for (const u of users) {
    const [units, paidE36, accrued] = await adapter.accountOf(mk.marketId, u);
    sum += accrued + units * (acc - paidE36);
  }
  expect(received * E36).to.equal(paid * E36 + sum + carry + unallocated);
  expect(await m.wbtc.balanceOf(adapter)).to.equal(received - paid);
  expect(received).to.equal(m.model.pool.received);
}
