/**
 * The owner view of units held through the DeFi contracts, on a Hardhat node whose clock starts on 2024-03-28 (real
 * days around the 2024-04-20 halving from data/): the series' SeriesWrapper, a real Morpho Blue market on it with
 * its SeriesValuationOracle, and the MorphoCollateralAdapter (`deploySeriesMarket`). Two indexers (PGlite and
 * PostgreSQL) follow live while holders wrap, transfer wrapped units, unwrap, supply collateral through the
 * adapter and directly, borrow, claim, days are settled, the halving makes the loan unhealthy, Morpho liquidates it
 * and a keeper syncs the stale record. After each phase every owner-view amount in GraphQL equals the contracts'
 * own views (token, `SeriesWrapper.balanceOf/claimable/checkpoint`, Morpho `position`/`market`, the adapter's
 * `accountOf`/`claimable`/`poolOf`, the oracle's `valuation()`); then a reorg across a wrap ends equal to a fresh
 * index, table for table and answer for answer.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { connect, rpc, startHardhatNode, until, type HardhatNode } from "./helpers/env.js";
import { allPages, dumpStore, gql } from "./helpers/compare.js";
import { mismatches, type DbKind } from "./helpers/indexer.js";
import { startIndexer, type Indexer } from "../../indexer/index.js";
import { sharedPostgres } from "./helpers/env.js";
import { type SeriesMarketScenario, deploySeriesMarket, reportDay, subsidyOnly } from "../helpers/collateral.js";
import { createSeries, goToDay, seriesTerms } from "../helpers/deploy.js";
import { loadDays } from "../../indexer/domain/data.js";
import { dayOfDate } from "../../indexer/domain/units.js";
import { toAssetsUp } from "../../indexer/domain/morpho.js";

// subsidy-only inputs: the halving scenario was calibrated without fees (see subsidyOnly in test/helpers/collateral.ts)
const DATA = subsidyOnly(loadDays());
const D = (date: string) => dayOfDate(date);
const START = D("2024-04-01");
const E36 = 10n ** 36n;
const WAD = 10n ** 18n;

type Conn = Awaited<ReturnType<typeof connect>>;

interface World extends SeriesMarketScenario {
  conn: Conn;
  fromBlock: number;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  actors: HardhatEthersSigner[];
  addr: { morpho: string; adapter: string; wrapper: string; factory: string };
}

const OWNER = `query($a: String!) { account(address: $a) { kind positions(includeEmpty: true) {
  seriesId kind balance claimableSats totalUnits totalClaimableSats updatedBlock
  valuation { balance valueSats source }
  lendingValuations { oracle units valueSats priceE36 }
  wrapped { wrapper balance claimableSats claimedSats paidE36 accruedE36 accPerUnitE36 valuation { balance valueSats } lendingValuations { units valueSats } }
  collateral { marketId wrapper collateral borrowShares borrowedAssets recordedCollateral claimableSats claimedSats
    collateralValueLoanAssets maxBorrowAssets ltvBps lltvBps healthy valuation { balance valueSats }
    lendingValuation { oracle status units unitValueE18 priceE36 valueLoanAssets latestDay } }
} } }`;

const SERIES = `query($id: ID!) { series(id: $id) {
  wrapper { address supply holderCount harvestedSats claimedSats accPerUnitE36
    adapterPool { totalRecorded accPerUnitE36 carryE36 unallocatedE36 receivedSats paidSats }
    markets { id lltv oracle totalSupplyAssets totalSupplyShares totalBorrowAssets totalBorrowShares fee } }
  lendingValuations { oracle quote status asOfDay latestDay daysUsed remainingDays avgNetE18 remainingAfterHalving
    avgNetAfterHalvingE18 unitValueE18 priceE36 answer units valueSats marketIds }
} }`;

/** Sends a transaction and waits for it. */
async function tx(p: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await p).wait();
}

/** Reports real day `d` (and settles it inside the term). */
async function reportAndSettle(w: World, d: number): Promise<void> {
  await reportDay(w.f, DATA.get(d)!);
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

/** Wraps `units` of `u` (to itself). */
async function wrapUnits(w: World, u: HardhatEthersSigner, units: bigint): Promise<void> {
  if (!(await w.f.token.isApprovedForAll(u.address, w.mk.wrapper))) await tx(w.f.token.connect(u).setApprovalForAll(w.mk.wrapper, true));
  await tx(w.mk.wrapper.connect(u).wrap(units, u.address));
}

/** `u` supplies `units` of its wrapped tokens as collateral through the adapter. */
async function supplyViaAdapter(w: World, u: HardhatEthersSigner, units: bigint): Promise<void> {
  await tx(w.mk.wrapper.connect(u).approve(w.c.adapter, units));
  await tx(w.c.adapter.connect(u).supplyCollateral(w.mk.params, units, u.address));
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
      morpho: (await c.morpho.getAddress()).toLowerCase(), adapter: (await c.adapter.getAddress()).toLowerCase(),
      wrapper: (await mk.wrapper.getAddress()).toLowerCase(), factory: (await c.factory.getAddress()).toLowerCase(),
    },
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
      wrapperFactory: w.addr.factory, morpho: w.addr.morpho, collateralAdapter: w.addr.adapter,
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
 * Every owner-view amount equals the contracts' views at the same (latest) block. Returns the borrower's position
 * as GraphQL reports it.
 */
async function expectOwnerViewsEqualContracts(url: string, w: World): Promise<any> {
  const { f, c, mk, id } = w;
  const mkt = await c.morpho.market(mk.marketId);
  const price = await mk.oracle.price().catch(() => null);
  let borrowerPos: any = null;
  for (const u of w.actors) {
    const a = u.address.toLowerCase();
    const { account } = await gql(url, OWNER, { a });
    expect(account.kind, a).to.equal("holder");
    const p = account.positions.find((x: any) => x.seriesId === id.toString());
    const direct = await f.token.balanceOf(a, id);
    const wrapped = await mk.wrapper.balanceOf(a);
    const pos = await c.morpho.position(mk.marketId, a);
    const [recorded, paidA, accruedA] = await c.adapter.accountOf(mk.marketId, a);
    const touched = p !== undefined;
    if (!touched) {
      expect([direct, wrapped, pos.collateral, recorded], `${a} holds nothing`).to.deep.equal([0n, 0n, 0n, 0n]);
      continue;
    }
    expect(p.kind).to.equal("holder");
    expect(p.balance, `${a} direct`).to.equal(String(direct));
    expect(p.lendingValuations.map((l: any) => [l.units, l.priceE36]), `${a} lending valuation of the direct units`).to.deep.equal([
      [String(direct), price === null ? null : String(price)],
    ]);
    expect(p.claimableSats, `${a} direct claimable`).to.equal(String(await f.token.claimable(a, id)));
    // wrapped: SeriesWrapper's own views
    const [paid, accrued] = await mk.wrapper.checkpoint(a);
    if (p.wrapped === null) expect([wrapped, paid, accrued]).to.deep.equal([0n, 0n, 0n]);
    else {
      expect(p.wrapped.wrapper).to.equal(w.addr.wrapper);
      expect(p.wrapped.balance, `${a} wrapped`).to.equal(String(wrapped));
      expect(p.wrapped.claimableSats, `${a} wrapper claimable`).to.equal(String(await mk.wrapper.claimable(a)));
      expect([p.wrapped.paidE36, p.wrapped.accruedE36], `${a} wrapper checkpoint`).to.deep.equal([String(paid), String(accrued)]);
      expect(p.wrapped.accPerUnitE36).to.equal(String(await mk.wrapper.accPerUnitE36()));
      expect(p.wrapped.valuation.balance).to.equal(String(wrapped));
    }
    // collateral: Morpho's position and the adapter's record and claimable
    const col = p.collateral.find((x: any) => x.marketId === mk.marketId);
    const adapterClaimable = await c.adapter.claimable(mk.marketId, a);
    if (!col) expect([pos.collateral, pos.borrowShares, recorded, paidA, accruedA, adapterClaimable]).to.deep.equal([0n, 0n, 0n, 0n, 0n, 0n]);
    else {
      expect(col.collateral, `${a} Morpho collateral`).to.equal(String(pos.collateral));
      expect(col.borrowShares, `${a} borrow shares`).to.equal(String(pos.borrowShares));
      expect(col.recordedCollateral, `${a} adapter record`).to.equal(String(recorded));
      expect(col.claimableSats, `${a} adapter claimable`).to.equal(String(adapterClaimable));
      expect(col.borrowedAssets, `${a} borrowed`).to.equal(String(toAssetsUp(pos.borrowShares, mkt.totalBorrowAssets, mkt.totalBorrowShares)));
      expect(col.lltvBps).to.equal(7_700);
      expect(col.lendingValuation.oracle).to.equal((await mk.oracle.getAddress()).toLowerCase());
      expect(col.lendingValuation.priceE36, "oracle price()").to.equal(price === null ? null : String(price));
      if (price !== null) {
        const value = (pos.collateral * price) / E36;
        expect(col.collateralValueLoanAssets).to.equal(String(value));
        expect(col.maxBorrowAssets).to.equal(String(await maxBorrow(w, a)));
        const borrowed = toAssetsUp(pos.borrowShares, mkt.totalBorrowAssets, mkt.totalBorrowShares);
        expect(col.healthy, `${a} healthy`).to.equal(pos.borrowShares === 0n || (value * mk.params.lltv) / WAD >= borrowed);
        expect(col.ltvBps).to.equal(value === 0n ? null : String((borrowed * 10_000n) / value));
      }
    }
    expect(p.totalUnits, `${a} total units`).to.equal(String(direct + wrapped + pos.collateral));
    const wc = await mk.wrapper.claimable(a);
    expect(p.totalClaimableSats).to.equal(String((await f.token.claimable(a, id)) + wc + adapterClaimable));
    if (u === c.borrower) borrowerPos = p;
  }
  // the DeFi contracts are flagged, and hold what the contracts say
  expect((await gql(url, OWNER, { a: w.addr.morpho })).account.kind).to.equal("morpho");
  expect((await gql(url, OWNER, { a: w.addr.adapter })).account.kind).to.equal("collateralAdapter");
  expect((await gql(url, OWNER, { a: w.addr.wrapper })).account.kind).to.equal("wrapper");
  const holders = await allPages(url, "holders", `seriesId: "${id}"`, "holder kind balance");
  const wh = holders.find((h: any) => h.holder === w.addr.wrapper);
  expect(wh, "the wrapper in holders(seriesId)").to.deep.equal({ holder: w.addr.wrapper, kind: "wrapper", balance: String(await f.token.balanceOf(w.addr.wrapper, id)) });
  expect(holders.filter((h: any) => h.kind !== "holder").length).to.equal(1);
  const { series } = await gql(url, SERIES, { id: id.toString() });
  expect(series.wrapper).to.include({
    address: w.addr.wrapper, supply: String(await mk.wrapper.totalSupply()), harvestedSats: String(await mk.wrapper.totalHarvested()),
    claimedSats: String(await mk.wrapper.totalClaimed()), accPerUnitE36: String(await mk.wrapper.accPerUnitE36()),
  });
  const pool = await c.adapter.poolOf(w.addr.wrapper);
  expect(series.wrapper.adapterPool, "adapter poolOf").to.deep.equal({
    totalRecorded: String(pool[0]), accPerUnitE36: String(pool[1]), carryE36: String(pool[2]), unallocatedE36: String(pool[3]),
    receivedSats: String(pool[4]), paidSats: String(pool[5]),
  });
  expect(series.wrapper.markets).to.deep.equal([
    {
      id: mk.marketId, lltv: String(mk.params.lltv), oracle: (await mk.oracle.getAddress()).toLowerCase(),
      totalSupplyAssets: String(mkt.totalSupplyAssets), totalSupplyShares: String(mkt.totalSupplyShares),
      totalBorrowAssets: String(mkt.totalBorrowAssets), totalBorrowShares: String(mkt.totalBorrowShares), fee: String(mkt.fee),
    },
  ]);
  // the on-chain lending valuation of one unit: the oracle's valuation(), field for field
  const [lv] = series.lendingValuations;
  const v = await mk.oracle.valuation();
  expect(lv).to.include({
    quote: "sats", status: "ok", latestDay: Number(v.latestDay), daysUsed: Number(v.daysUsed), remainingDays: Number(v.remainingDays),
    avgNetE18: String(v.avgNetE18), remainingAfterHalving: Number(v.remainingAfterHalving), avgNetAfterHalvingE18: String(v.avgNetAfterHalvingE18),
    unitValueE18: String(v.unitValueE18), priceE36: String(v.price), answer: String(v.answer), units: "1",
  });
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

  it("wrap, wrapped transfers, unwrap, collateral through the adapter and directly, settled days", async function () {
    const { c, mk, alice, bob, carol, dave } = w;
    await settleUntil(w, D("2024-03-28"), D("2024-04-08")); // final days for the valuation window
    await wrapUnits(w, bob, 5_000n);
    await tx(mk.wrapper.connect(bob).transfer(alice.address, 1_200n));
    await tx(mk.wrapper.connect(alice).unwrap(200n, alice.address));
    await wrapUnits(w, c.borrower, 10_000n);
    await supplyViaAdapter(w, c.borrower, 10_000n);
    await wrapUnits(w, carol, 5_000n);
    await supplyViaAdapter(w, carol, 3_000n);
    // dave bypasses the adapter: his units' yield is set aside as unallocated
    await wrapUnits(w, dave, 1_000n);
    await tx(mk.wrapper.connect(dave).approve(c.morpho, 1_000n));
    await tx(c.morpho.connect(dave).supplyCollateral(mk.params, 1_000n, dave.address, "0x"));
    await tx(w.f.wbtc.mint(c.supplier.address, 10n ** 8n));
    await tx(w.f.wbtc.connect(c.supplier).approve(c.morpho, 2n ** 255n));
    await tx(c.morpho.connect(c.supplier).supply(mk.params, 10n ** 8n, 0n, c.supplier.address, "0x"));
    await settleUntil(w, D("2024-04-08"), D("2024-04-14"));
    const [b] = await check();
    expect(b.collateral[0].collateral).to.equal("10000");
    expect(BigInt(b.collateral[0].claimableSats)).to.be.greaterThan(0n); // yield kept flowing while supplied
    expect(b.wrapped.balance).to.equal("0");
  });

  it("withdraw and claims through the adapter, wrapper claims, borrow near the LLTV", async function () {
    const { c, mk, alice, bob, carol } = w;
    const b = c.borrower.address;
    await tx(c.morpho.connect(carol).setAuthorization(c.adapter, true));
    await tx(c.adapter.connect(carol).withdrawCollateral(mk.params, 1_000n, carol.address));
    await tx(c.adapter.connect(carol).claim(mk.marketId, carol.address));
    expect((await w.c.adapter.poolOf(w.addr.wrapper))[3]).to.be.greaterThan(0n); // unallocated: dave's share
    await tx(mk.wrapper.connect(bob).claim(bob.address));
    await tx(mk.wrapper.connect(alice).transfer(carol.address, 500n));
    await settleUntil(w, D("2024-04-14"), D("2024-04-18"));
    await tx(c.morpho.connect(c.borrower).borrow(mk.params, ((await maxBorrow(w, b)) * 98n) / 100n, 0n, b, b));
    await settleUntil(w, D("2024-04-18"), D("2024-04-20"));
    const [p] = await check();
    expect(BigInt(p.collateral[0].borrowedAssets)).to.be.greaterThan(0n);
    expect(p.collateral[0].healthy, "healthy before the halving").to.equal(true);
    // the PostgreSQL indexer stops and a new one continues its database (the wrapper set comes from the store)
    const pgUrl = live[1].config.databaseUrl!;
    await live[1].stop();
    live[1] = await indexerOf(w, node.url, "postgres", pgUrl);
  });

  it("the halving makes the loan unhealthy; Morpho liquidates; the record is stale until the keeper syncs", async function () {
    const { c, mk, f } = w;
    const b = c.borrower.address;
    await settleUntil(w, D("2024-04-20"), D("2024-04-21"));
    let [p] = await check();
    expect(p.collateral[0].healthy, "unhealthy after the halving").to.equal(false);
    expect(Number(p.collateral[0].ltvBps)).to.be.greaterThan(7_700);
    await tx(f.wbtc.mint(c.liquidator.address, 10n ** 8n));
    await tx(f.wbtc.connect(c.liquidator).approve(c.morpho, 2n ** 255n));
    const before = Number(await rpc(node.url, "eth_blockNumber"));
    await tx(c.morpho.connect(c.liquidator).liquidate(mk.params, b, 5_000n, 0n, "0x"));
    [p] = await check();
    expect([p.collateral[0].collateral, p.collateral[0].recordedCollateral]).to.deep.equal(["5000", "10000"]);
    // a day settled in the liquidation window: split over the stale record, as the adapter does
    await settleUntil(w, D("2024-04-21"), D("2024-04-22"));
    await check();
    await tx(c.adapter.connect(c.keeper).sync(mk.marketId, b));
    await tx(f.wbtc.connect(c.borrower).approve(c.morpho, 2n ** 255n));
    const debt = BigInt(p.collateral[0].borrowedAssets);
    await tx(c.morpho.connect(c.borrower).repay(mk.params, debt / 3n, 0n, b, "0x"));
    await tx(c.adapter.connect(c.borrower).claim(mk.marketId, b));
    await tx(c.adapter.connect(f.admin).sweepUnallocated(w.addr.wrapper, w.dave.address));
    [p] = await check();
    expect(p.collateral[0].recordedCollateral).to.equal("5000");
    expect(BigInt(p.collateral[0].claimedSats)).to.be.greaterThan(0n);

    // as of the block before the liquidation: the contracts' views at that block
    for (const idx of live) {
      const q = `query($a: String!, $n: Int!) { account(address: $a, block: { number: $n }) { positions { seriesId totalUnits
        wrapped { balance claimableSats } collateral { collateral recordedCollateral claimableSats borrowShares healthy } } } }`;
      for (const u of [c.borrower, w.carol, w.bob]) {
        const { account } = await gql(idx.url!, q, { a: u.address.toLowerCase(), n: before });
        const [x] = account.positions;
        const at = { blockTag: before };
        expect(x.wrapped?.balance ?? "0").to.equal(String(await mk.wrapper.balanceOf(u.address, at)));
        expect(x.wrapped?.claimableSats ?? "0").to.equal(String(await mk.wrapper.claimable(u.address, at)));
        const pos = await c.morpho.position(mk.marketId, u.address, at);
        expect(x.collateral[0]?.collateral ?? "0").to.equal(String(pos.collateral));
        expect(x.collateral[0]?.borrowShares ?? "0").to.equal(String(pos.borrowShares));
        expect(x.collateral[0]?.recordedCollateral ?? "0").to.equal(String((await c.adapter.accountOf(mk.marketId, u.address, at))[0]));
        expect(x.collateral[0]?.claimableSats ?? "0").to.equal(String(await c.adapter.claimable(mk.marketId, u.address, at)));
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
    await supplyViaAdapter(w, alice, 200n);
    const orphanedTip = Number(await rpc(node.url, "eth_blockNumber"));
    for (const idx of live) await idx.waitForBlock(orphanedTip);
    expect(await rpc(node.url, "evm_revert", [snap])).to.equal(true);
    await tx(mk.wrapper.connect(bob).unwrap(100n, bob.address));
    await supplyViaAdapter(w, carol, 500n);
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
