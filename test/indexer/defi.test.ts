/**
 * The owner view of units held through the DeFi contracts, on a Hardhat node whose clock starts on 2024-03-28 (real
 * days around the 2024-04-20 halving from data/): the series' accumulating SeriesWrapper, a real Morpho Blue market
 * on its share with its SeriesValuationOracle (`deploySeriesMarket`). Two indexers (PGlite and PostgreSQL) follow
 * live while holders wrap (paying the index in), transfer shares, unwrap, supply collateral, borrow, days are
 * settled and recorded by the valuation oracle, the halving makes the loan unhealthy and Morpho liquidates it.
 * After each phase every owner-view and lender-view amount in GraphQL equals the contracts' own views (token,
 * `SeriesWrapper.balanceOf/indexE36/previewUnwrap`, Morpho `position`/`market`, the oracle's `valuation()`); then a
 * reorg across a wrap ends equal to a fresh index, table for table and answer for answer.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { connect, rpc, startHardhatNode, until, type HardhatNode } from "./helpers/env.js";
import { allPages, dumpStore, gql } from "./helpers/compare.js";
import { mismatches, type DbKind } from "./helpers/indexer.js";
import { startIndexer, type Indexer } from "../../indexer/index.js";
import { sharedPostgres } from "./helpers/env.js";
import { type SeriesMarketScenario, deploySeriesMarket, reportDay } from "../helpers/collateral.js";
import { createSeries, goToDay, seriesTerms } from "../helpers/deploy.js";
import { loadDays } from "../../domain/data.js";
import { dayOfDate, formatScaled } from "../../domain/units.js";
import { toAssetsUp } from "../../domain/morpho.js";

// the real days, fees included
const DATA = loadDays();
const D = (date: string) => dayOfDate(date);
const START = D("2024-04-01");
const E36 = 10n ** 36n;
const WAD = 10n ** 18n;
const FRESHNESS = ["fresh", "grace", "decaying", "expired", "ended"];

type Conn = Awaited<ReturnType<typeof connect>>;

interface World extends SeriesMarketScenario {
  conn: Conn;
  fromBlock: number;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  actors: HardhatEthersSigner[];
  addr: { morpho: string; wrapper: string; factory: string };
  /** sats paid out by unwraps so far (the wrapper row's claimedSats) */
  unwrapped: { sats: bigint };
}

const OWNER = `query($a: String!) { account(address: $a) { kind positions(includeEmpty: true) {
  seriesId kind balance claimableSats totalUnits totalClaimableSats updatedBlock
  valuation { balance valueSats source }
  lendingValuations { oracle units valueSats priceE36 }
  wrapped { wrapper balance claimableSats indexE36 valuation { balance valueSats } lendingValuations { units valueSats } }
  collateral { marketId wrapper collateral borrowShares borrowedAssets claimableSats
    collateralValueLoanAssets maxBorrowAssets ltvBps lltvBps healthy healthFactor collateralSats debtSats liquidationPriceSats
    lendingValuation { oracle freshness units unitValueE18 shareValueE18 priceE36 valueLoanAssets latestDay } }
} } }`;

const SERIES = `query($id: ID!) { series(id: $id) {
  wrapper { address supply holderCount harvestedSats claimedSats indexE36 acc0E36
    markets { id lltv oracle totalSupplyAssets totalSupplyShares totalBorrowAssets totalBorrowShares fee } }
  lendingValuations { oracle freshness asOfDay latestDay daysUsed remainingDays halvingDay postHalvingDays avgNetE18 avgNetHalvedE18
    rawValueE18 recordedUnitValueE18 unitValueE18 accruedE18 shareValueE18 priceE36 answer units valueSats marketIds }
} }`;

/** Sends a transaction and waits for it. */
async function tx(p: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await p).wait();
}

/** Reports real day `d` (and settles it inside the term). */
async function reportAndSettle(w: World, d: number): Promise<void> {
  await reportDay(w.f, DATA.get(d)!, 10_000, [w.mk.oracle]);
  if (d >= START) await tx(w.f.settlement.settle([w.id], [d]));
}

/** Goes to `day` (10 minutes in) and reports and settles every day before it from `from`. */
async function settleUntil(w: World, from: number, day: number): Promise<void> {
  await goToDay(w.conn, day, 600);
  for (let d = from; d < day; d++) await reportAndSettle(w, d);
}

/** Morpho's borrow limit of `user` now, by Morpho's own rule. */
async function maxBorrow(w: World, user: string): Promise<bigint> {
  const pos = await w.c.morpho.position(w.mk.marketId, user);
  return (((pos.collateral * (await w.mk.oracle.price())) / E36) * w.mk.params.lltv) / WAD;
}

/** Wraps `units` of `u` (to itself), paying the index in. */
async function wrapUnits(w: World, u: HardhatEthersSigner, units: bigint): Promise<void> {
  if (!(await w.f.token.isApprovedForAll(u.address, w.mk.wrapper))) await tx(w.f.token.connect(u).setApprovalForAll(w.mk.wrapper, true));
  await tx(w.f.wbtc.mint(u.address, 10n ** 6n));
  await tx(w.f.wbtc.connect(u).approve(w.mk.wrapper, 2n ** 255n));
  await tx(w.mk.wrapper.connect(u).wrap(units, u.address));
}

/** `u` supplies `units` of its shares as collateral to Morpho. */
async function supply(w: World, u: HardhatEthersSigner, units: bigint): Promise<void> {
  await tx(w.mk.wrapper.connect(u).approve(w.c.morpho, units));
  await tx(w.c.morpho.connect(u).supplyCollateral(w.mk.params, units, u.address, "0x"));
}

/** `u` unwraps `units` shares (tracked for the wrapper's claimedSats). */
async function unwrap(w: World, u: HardhatEthersSigner, units: bigint): Promise<void> {
  w.unwrapped.sats += await w.mk.wrapper.previewUnwrap(units);
  await tx(w.mk.wrapper.connect(u).unwrap(units, u.address));
}

async function deploy(node: HardhatNode): Promise<World> {
  const conn = await connect(node.url);
  const fromBlock = (await conn.ethers.provider.getBlockNumber()) + 1;
  const sc = await deploySeriesMarket(conn as any, START);
  const signers = await conn.ethers.getSigners();
  const [alice, bob, carol] = sc.f.holders;
  const dave = signers[17];
  const { f, id, c, mk } = sc;
  for (const [h, n] of [[c.borrower, 10_000n], [alice, 5_000n], [bob, 5_000n], [carol, 5_000n], [dave, 1_000n]] as const) {
    await tx(f.token.connect(f.farm).mint(h.address, id, n, "0x"));
  }
  return {
    ...sc, conn, fromBlock, alice, bob, carol, dave,
    actors: [c.borrower, alice, bob, carol, dave, c.liquidator, c.supplier, c.keeper],
    addr: {
      morpho: (await c.morpho.getAddress()).toLowerCase(), wrapper: (await mk.wrapper.getAddress()).toLowerCase(),
      factory: (await c.factory.getAddress()).toLowerCase(),
    },
    unwrapped: { sats: 0n },
  };
}

/**
 * An indexer of the whole system (token, oracle, settlement and the DeFi contracts) on a fresh database, or on
 * the PostgreSQL database `databaseUrl` it continues.
 */
async function indexerOf(w: World, url: string, kind: DbKind, databaseUrl?: string): Promise<Indexer> {
  const db =
    kind === "postgres" ? { databaseUrl: databaseUrl ?? (await (await sharedPostgres()).newDatabase()) } : { dataDir: "memory://" };
  return startIndexer({
    rpcUrl: url,
    ...db,
    contracts: {
      token: await w.f.token.getAddress(), oracle: await w.f.oracle.getAddress(), settlement: await w.f.settlement.getAddress(),
      wrapperFactory: w.addr.factory, morpho: w.addr.morpho,
    },
    fromBlock: w.fromBlock,
    finality: 200,
    port: 0,
    pollIntervalMs: 50,
    logLevel: (process.env.INDEXER_LOG ?? "silent") as "silent",
    progress: false,
  });
}

/**
 * Every owner-view and lender-view amount equals the contracts' views at the same (latest) block. Returns the
 * borrower's position as GraphQL reports it.
 */
async function expectOwnerViewsEqualContracts(url: string, w: World): Promise<any> {
  const { f, c, mk, id } = w;
  const mkt = await c.morpho.market(mk.marketId);
  const v = await mk.oracle.valuation().catch(() => null);
  const price = v?.price ?? null;
  const index = await mk.wrapper.indexE36();
  let borrowerPos: any = null;
  for (const u of w.actors) {
    const a = u.address.toLowerCase();
    const { account } = await gql(url, OWNER, { a });
    expect(account.kind, a).to.equal("holder");
    const p = account.positions.find((x: any) => x.seriesId === id.toString());
    const direct = await f.token.balanceOf(a, id);
    const wrapped = await mk.wrapper.balanceOf(a);
    const pos = await c.morpho.position(mk.marketId, a);
    if (p === undefined) {
      expect([direct, wrapped, pos.collateral], `${a} holds nothing`).to.deep.equal([0n, 0n, 0n]);
      continue;
    }
    expect(p.kind).to.equal("holder");
    expect(p.balance, `${a} direct`).to.equal(String(direct));
    expect(p.claimableSats, `${a} direct claimable`).to.equal(String(await f.token.claimable(a, id)));
    // shares: the wrapper's own views
    if (p.wrapped === null) expect(wrapped).to.equal(0n);
    else {
      expect(p.wrapped.wrapper).to.equal(w.addr.wrapper);
      expect(p.wrapped.balance, `${a} shares`).to.equal(String(wrapped));
      expect(p.wrapped.claimableSats, `${a} sats the shares carry`).to.equal(String(await mk.wrapper.previewUnwrap(wrapped)));
      expect(p.wrapped.indexE36).to.equal(String(index));
      expect(p.wrapped.valuation.balance).to.equal(String(wrapped));
    }
    // collateral: Morpho's position, the market's valuation and the lender's view
    const col = p.collateral.find((x: any) => x.marketId === mk.marketId);
    if (!col) expect([pos.collateral, pos.borrowShares]).to.deep.equal([0n, 0n]);
    else {
      expect(col.collateral, `${a} Morpho collateral`).to.equal(String(pos.collateral));
      expect(col.borrowShares, `${a} borrow shares`).to.equal(String(pos.borrowShares));
      expect(col.claimableSats, `${a} sats in the collateral shares`).to.equal(String(await mk.wrapper.previewUnwrap(pos.collateral)));
      const borrowed = toAssetsUp(pos.borrowShares, mkt.totalBorrowAssets, mkt.totalBorrowShares);
      expect(col.borrowedAssets, `${a} borrowed`).to.equal(String(borrowed));
      expect(col.lltvBps).to.equal(7_700);
      expect(col.lendingValuation.oracle).to.equal((await mk.oracle.getAddress()).toLowerCase());
      expect(col.lendingValuation.priceE36, "oracle price()").to.equal(price === null ? null : String(price));
      expect(col.debtSats).to.equal(formatScaled(borrowed * WAD, 18, 8));
      if (price !== null) {
        const value = (pos.collateral * price) / E36;
        const max = (value * mk.params.lltv) / WAD;
        expect(col.collateralValueLoanAssets).to.equal(String(value));
        expect(col.maxBorrowAssets).to.equal(String(await maxBorrow(w, a)));
        expect(col.healthy, `${a} healthy`).to.equal(pos.borrowShares === 0n || max >= borrowed);
        expect(col.ltvBps).to.equal(value === 0n ? null : Number((borrowed * 10_000n + value - 1n) / value));
        expect(col.healthFactor).to.equal(borrowed === 0n ? null : formatScaled((max * WAD) / borrowed, 18, 4));
        expect(col.collateralSats).to.equal(formatScaled(pos.collateral * v!.shareValueE18, 18, 8));
        if (borrowed > 0n) {
          // at the liquidation price the position is exactly at the LLTV
          const liq = (borrowed * WAD * WAD) / (pos.collateral * mk.params.lltv);
          expect(col.liquidationPriceSats).to.equal(formatScaled(liq, 18, 8));
        }
      }
    }
    expect(p.totalUnits, `${a} total units`).to.equal(String(direct + wrapped + pos.collateral));
    const carried = (await mk.wrapper.previewUnwrap(wrapped)) + (await mk.wrapper.previewUnwrap(pos.collateral));
    expect(p.totalClaimableSats).to.equal(String((await f.token.claimable(a, id)) + carried));
    if (u === c.borrower) borrowerPos = p;
  }
  // the DeFi contracts are flagged, and hold what the contracts say
  expect((await gql(url, OWNER, { a: w.addr.morpho })).account.kind).to.equal("morpho");
  expect((await gql(url, OWNER, { a: w.addr.wrapper })).account.kind).to.equal("wrapper");
  const holders = await allPages(url, "holders", `seriesId: "${id}"`, "holder kind balance");
  const wh = holders.find((h: any) => h.holder === w.addr.wrapper);
  expect(wh, "the wrapper in holders(seriesId)").to.deep.equal({ holder: w.addr.wrapper, kind: "wrapper", balance: String(await f.token.balanceOf(w.addr.wrapper, id)) });
  expect(holders.filter((h: any) => h.kind !== "holder").length).to.equal(1);
  // where.kind: the owners only, or the contracts only
  const owners = await allPages(url, "holders", `seriesId: "${id}", where: { kind: holder }`, "holder kind balance");
  expect(owners).to.deep.equal(holders.filter((h: any) => h.kind === "holder"));
  expect(await allPages(url, "holders", `seriesId: "${id}", where: { kind: wrapper }`, "holder kind balance")).to.deep.equal([wh]);
  // annualisedYieldBps is priced by the on-chain valuation when the series has one
  const { series: sv, yieldHistory: y } = await gql(url, `query($id: ID!) { series(id: $id) { lendingValuations { unitValueE18 } }
    yieldHistory(seriesId: $id) { unitPriceSatsE18 priceSource days { annualisedNetPerUnitSatsE18 annualisedYieldBps } } }`, { id: String(id) });
  const unit = sv.lendingValuations.map((l: any) => l.unitValueE18).find((x: string | null) => x !== null && BigInt(x) > 0n);
  if (unit) {
    expect([y.priceSource, y.unitPriceSatsE18]).to.deep.equal(["lendingOracle", unit]);
    for (const d of y.days) expect(d.annualisedYieldBps).to.equal(Number((BigInt(d.annualisedNetPerUnitSatsE18) * 10_000n) / BigInt(unit)));
  } else expect(y.priceSource).to.not.equal("lendingOracle");
  const { series } = await gql(url, SERIES, { id: id.toString() });
  expect(series.wrapper).to.include({
    address: w.addr.wrapper, supply: String(await mk.wrapper.totalSupply()), harvestedSats: String(await mk.wrapper.totalHarvested()),
    claimedSats: String(w.unwrapped.sats), indexE36: String(index), acc0E36: String(await mk.wrapper.acc0()),
  });
  expect(series.wrapper.markets).to.deep.equal([
    {
      id: mk.marketId, lltv: String(mk.params.lltv), oracle: (await mk.oracle.getAddress()).toLowerCase(),
      totalSupplyAssets: String(mkt.totalSupplyAssets), totalSupplyShares: String(mkt.totalSupplyShares),
      totalBorrowAssets: String(mkt.totalBorrowAssets), totalBorrowShares: String(mkt.totalBorrowShares), fee: String(mkt.fee),
    },
  ]);
  // the valuation the market uses, per share: the oracle's valuation(), field for field
  const [lv] = series.lendingValuations;
  if (v) {
    expect(lv).to.include({
      freshness: FRESHNESS[Number(v.freshness)], latestDay: Number(v.latestDay), recordedUnitValueE18: String(v.recordedUnitValueE18),
      unitValueE18: String(v.unitValueE18), accruedE18: String(v.accruedE18), shareValueE18: String(v.shareValueE18), priceE36: String(v.price),
      answer: String(v.answer), units: "1",
    });
  }
  expect(lv.marketIds).to.deep.equal([mk.marketId]);
  return borrowerPos;
}

describe("indexer: owner view through the wrapper and Morpho Blue (PGlite and PostgreSQL)", function () {
  this.timeout(600_000);
  let node: HardhatNode;
  let w: World;
  let live: Indexer[] = [];

  /** Both live indexers catch up; each one's API equals the contracts; the model never disagreed with an event. */
  async function check(): Promise<any[]> {
    const out = [];
    for (const idx of live) {
      await idx.waitForHead();
      out.push(await expectOwnerViewsEqualContracts(idx.url!, w));
      expect(await mismatches(idx), `${idx.db.kind}: model mismatches`).to.equal(0);
    }
    return out;
  }

  before(async function () {
    node = await startHardhatNode({ initialDate: "2024-03-28T00:00:00Z" });
    w = await deploy(node);
    live = [await indexerOf(w, node.url, "pglite"), await indexerOf(w, node.url, "postgres")];
  });
  after(async function () {
    for (const idx of live) await idx.stop();
    await node?.stop();
  });

  it("wrap, share transfers, unwrap, collateral supplied to Morpho, settled and recorded days", async function () {
    const { c, mk, alice, bob, carol, dave } = w;
    await settleUntil(w, D("2024-03-28"), D("2024-04-08")); // final days for the valuation window
    await wrapUnits(w, bob, 5_000n); // pays the index in
    await tx(mk.wrapper.connect(bob).transfer(alice.address, 1_200n));
    await unwrap(w, alice, 200n);
    await wrapUnits(w, c.borrower, 10_000n);
    await supply(w, c.borrower, 10_000n);
    await wrapUnits(w, carol, 5_000n);
    await supply(w, carol, 3_000n);
    await wrapUnits(w, dave, 1_000n);
    await supply(w, dave, 1_000n);
    await tx(w.f.wbtc.mint(c.supplier.address, 10n ** 8n));
    await tx(w.f.wbtc.connect(c.supplier).approve(c.morpho, 2n ** 255n));
    await tx(c.morpho.connect(c.supplier).supply(mk.params, 10n ** 8n, 0n, c.supplier.address, "0x"));
    await settleUntil(w, D("2024-04-08"), D("2024-04-14"));
    const [b] = await check();
    expect(b.collateral[0].collateral).to.equal("10000");
    expect(BigInt(b.collateral[0].claimableSats)).to.be.greaterThan(0n); // yield kept accruing inside the shares
    expect(b.wrapped.balance).to.equal("0");
  });

  it("withdraw collateral, a wrap paying the index, borrow near the LLTV: health factor and liquidation price", async function () {
    const { c, mk, alice, bob, carol } = w;
    const b = c.borrower.address;
    await tx(c.morpho.connect(carol).withdrawCollateral(mk.params, 1_000n, carol.address, carol.address));
    await unwrap(w, bob, 1_000n);
    await tx(mk.wrapper.connect(alice).transfer(carol.address, 500n));
    await settleUntil(w, D("2024-04-14"), D("2024-04-18"));
    await tx(c.morpho.connect(c.borrower).borrow(mk.params, ((await maxBorrow(w, b)) * 999n) / 1000n, 0n, b, b));
    const [p] = await check();
    expect(BigInt(p.collateral[0].borrowedAssets)).to.be.greaterThan(0n);
    expect(p.collateral[0].healthy, "healthy when borrowed").to.equal(true);
    expect(Number(p.collateral[0].healthFactor)).to.be.within(1, 1.01);
    // the PostgreSQL indexer stops and a new one continues its database (the wrapper set comes from the store)
    const pgUrl = live[1].config.databaseUrl!;
    await live[1].stop();
    live[1] = await indexerOf(w, node.url, "postgres", pgUrl);
  });

  it("across the halving the loan turns unhealthy; Morpho liquidates; views as of the block before", async function () {
    const { c, mk, f } = w;
    const b = c.borrower.address;
    let day = D("2024-04-18");
    let p: any;
    for (; day < D("2024-05-05"); day++) {
      await settleUntil(w, day, day + 1);
      [p] = await check();
      if (!p.collateral[0].healthy) break;
    }
    expect(p.collateral[0].healthy, "unhealthy after the halving").to.equal(false);
    expect(p.collateral[0].ltvBps).to.be.greaterThan(7_700);
    expect(Number(p.collateral[0].healthFactor)).to.be.lessThan(1);
    await tx(f.wbtc.mint(c.liquidator.address, 10n ** 8n));
    await tx(f.wbtc.connect(c.liquidator).approve(c.morpho, 2n ** 255n));
    const before = Number(await rpc(node.url, "eth_blockNumber"));
    await tx(c.morpho.connect(c.liquidator).liquidate(mk.params, b, 5_000n, 0n, "0x"));
    [p] = await check();
    expect(p.collateral[0].collateral).to.equal("5000");
    await settleUntil(w, day + 1, day + 2);
    await tx(f.wbtc.connect(c.borrower).approve(c.morpho, 2n ** 255n));
    const debt = BigInt(p.collateral[0].borrowedAssets);
    await tx(c.morpho.connect(c.borrower).repay(mk.params, debt / 3n, 0n, b, "0x"));
    await unwrap(w, c.liquidator, 5_000n); // the liquidator takes the units and the sats they carried
    [p] = await check();

    // as of the block before the liquidation: the contracts' views at that block
    for (const idx of live) {
      const q = `query($a: String!, $n: Int!) { account(address: $a, block: { number: $n }) { positions { seriesId totalUnits
        wrapped { balance claimableSats } collateral { collateral claimableSats borrowShares healthy } } } }`;
      for (const u of [c.borrower, w.carol, w.bob]) {
        const { account } = await gql(idx.url!, q, { a: u.address.toLowerCase(), n: before });
        const [x] = account.positions;
        const at = { blockTag: before };
        const shares = await mk.wrapper.balanceOf(u.address, at);
        expect(x.wrapped?.balance ?? "0").to.equal(String(shares));
        expect(x.wrapped?.claimableSats ?? "0").to.equal(String(await mk.wrapper.previewUnwrap(shares, at)));
        const pos = await c.morpho.position(mk.marketId, u.address, at);
        expect(x.collateral[0]?.collateral ?? "0").to.equal(String(pos.collateral));
        expect(x.collateral[0]?.borrowShares ?? "0").to.equal(String(pos.borrowShares));
        expect(x.collateral[0]?.claimableSats ?? "0").to.equal(String(await mk.wrapper.previewUnwrap(pos.collateral, at)));
        if (u === c.borrower) expect(x.collateral[0].healthy, "liquidatable at that block").to.equal(false);
      }
    }
  });

  it("a reorg across a wrap and a wrapper's creation ends equal to a fresh index (every table, every owner view)", async function () {
    const { c, mk, f, alice, bob, carol } = w;
    // a second series; its wrapper is created on both branches, at the same CREATE2 address, in other blocks
    const id2 = await createSeries(f, await seriesTerms(f, START, { termDays: 365 }));
    await tx(f.token.connect(f.farm).mint(alice.address, id2, 1_000n, "0x"));
    await tx(f.token.connect(alice).setApprovalForAll(await c.factory.predictWrapper(id2), true));
    const wrap2 = async (units: bigint) => {
      const wr = await w.conn.ethers.getContractAt("SeriesWrapper", await c.factory.wrapperOf(id2));
      await tx(wr.connect(alice).wrap(units, alice.address));
    };
    const snap = await rpc(node.url, "evm_snapshot");
    await tx(c.factory.createWrapper(id2));
    await wrap2(100n);
    await wrapUnits(w, alice, 300n);
    await tx(mk.wrapper.connect(alice).transfer(bob.address, 100n));
    await supply(w, alice, 200n);
    const orphanedTip = Number(await rpc(node.url, "eth_blockNumber"));
    for (const idx of live) await idx.waitForBlock(orphanedTip);
    expect(await rpc(node.url, "evm_revert", [snap])).to.equal(true);
    await unwrap(w, bob, 100n);
    await supply(w, carol, 500n);
    await wrapUnits(w, alice, 50n);
    await tx(c.factory.createWrapper(id2));
    await wrap2(70n);
    await tx(c.morpho.connect(c.borrower).accrueInterest(mk.params));
    for (let i = 0; i < 4; i++) await rpc(node.url, "evm_mine");
    const head = Number(await rpc(node.url, "eth_blockNumber"));
    expect(head).to.be.greaterThan(orphanedTip);
    const tip = (await rpc<{ hash: string }>(node.url, "eth_getBlockByNumber", [`0x${head.toString(16)}`, false])).hash;
    for (const idx of live) {
      await idx.waitForBlock(head);
      await until(() => idx.state.checkpoint!.hash === tip, "canonical tip");
      expect((await idx.metrics.reorgs.get()).values[0].value, "reorg handled").to.be.greaterThanOrEqual(1);
    }
    await check();
    const fresh = await indexerOf(w, node.url, "pglite");
    try {
      await fresh.waitForHead();
      const want = await dumpStore(fresh.db);
      expect(want.wrapper_positions.length).to.be.greaterThan(5);
      expect(want.wrappers.filter((r: any) => r.series_id === String(id2)).map((r: any) => r.supply)).to.deep.equal(["0", "70"]); // created, then wrapped
      const owner = async (url: string) => Promise.all([...w.actors, alice].map(async (u) => (await gql(url, OWNER, { a: u.address.toLowerCase() })).account));
      const wantApi = [await owner(fresh.url!), await gql(fresh.url!, SERIES, { id: w.id.toString() })];
      for (const idx of live) {
        expect(await dumpStore(idx.db), `${idx.db.kind} tables`).to.deep.equal(want);
        expect([await owner(idx.url!), await gql(idx.url!, SERIES, { id: w.id.toString() })], `${idx.db.kind} API`).to.deep.equal(wantApi);
      }
    } finally {
      await fresh.stop();
    }
  });
});
