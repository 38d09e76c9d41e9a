/**
 * Collateral fixture on top of `deploy.ts`'s `deployAll`: the wrapper factory, Morpho Blue's own contracts
 * (artifacts `Morpho`, `IrmMock` compiled from `@morpho-org/morpho-blue`), and per series an accumulating wrapper
 * (its share is the collateral) + valuation oracle + Morpho market. Also drives real days of the data folder through the oracle and
 * settlement.
 *
 * Accounts: deploy.ts's (admin [0], guardian [1], farm [2], holders [3..5], reporters [6..]); this fixture takes
 * `signers[12..]` as borrower, supplier, liquidator, keeper.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract } from "ethers";
import { AbiCoder, keccak256 } from "ethers";
import type {
  IrmMock,
  Morpho,
  SeriesValuationOracle,
  SeriesWrapper,
  SeriesWrapperFactory,
} from "../../types/ethers-contracts/index.js";
import {
  type Conn,
  type Fixture,
  type Terms,
  createSeries,
  deployAll,
  deposit,
  postCollateral,
  seriesTerms,
  submitDaily,
  submitUptimes,
} from "./deploy.js";
import { dailyReportOf, type DayInputs, loadDays } from "../../domain/data.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { epochAnchor as epochAnchorOf } from "../../domain/epochs.js";

const DATA = loadDays();

/** 77 % LLTV, WAD-scaled as Morpho expects. */
export const LLTV_77 = 770_000_000_000_000_000n;

/** `MarketParams` of Morpho Blue. */
export interface MarketParams {
  loanToken: string;
  collateralToken: string;
  oracle: string;
  irm: string;
  lltv: bigint;
}

/** Morpho's market id: keccak256(abi.encode(params)). */
export function marketIdOf(p: MarketParams): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["address", "address", "address", "address", "uint256"],
      [p.loanToken, p.collateralToken, p.oracle, p.irm, p.lltv],
    ),
  );
}

/** The collateral part of the fixture. */
export interface CollateralFixture {
  factory: SeriesWrapperFactory;
  morpho: Morpho;
  irm: IrmMock;
  borrower: HardhatEthersSigner;
  supplier: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
}

/** Deploys `SeriesWrapperFactory` and Morpho Blue (owner = admin) with `IrmMock` and `lltv` enabled. */
export async function deployCollateral(f: Fixture, lltv: bigint = LLTV_77): Promise<CollateralFixture> {
  const { ethers } = f.conn;
  const signers = await ethers.getSigners();
  const [borrower, supplier, liquidator, keeper] = signers.slice(12, 16);
  const factory = await ethers.deployContract("SeriesWrapperFactory", [f.token]);
  const morpho = (await ethers.deployContract("Morpho", [f.admin.address])) as unknown as Morpho;
  const irm = (await ethers.deployContract("IrmMock")) as unknown as IrmMock;
  await morpho.connect(f.admin).enableIrm(irm);
  await morpho.connect(f.admin).enableLltv(lltv);
  return { factory, morpho, irm, borrower, supplier, liquidator, keeper };
}

/** Options of `openMarket` (see ISeriesValuationOracle.Config). */
export interface MarketOptions {
  /** loan token (default: the fixture's TestWBTC), BTC-pegged */
  loanToken?: BaseContract;
  windowDays?: number;
  haircutBps?: number;
  maxAgeDays?: number;
  graceDays?: number;
  decayDays?: number;
  maxGrowthBpsPerDay?: number;
  /** default 1,000 (fees per block count at most 10 % of the subsidy) */
  feeCapBps?: number;
  /** default 2,000 (the hashprice valued 20 % lower a year ahead, linearly) */
  hashpriceDriftBpsPerYear?: number;
  /** first day the oracle records (default: the series' start day − 4) */
  firstDay?: number;
  lltv?: bigint;
}

/** The oracle's retarget anchor for `day` (btc_epochs.csv of the data folder). */
export const epochAnchor = (day: number) => epochAnchorOf(day, DATA);

/** One series as Morpho collateral. */
export interface SeriesMarket {
  seriesId: bigint;
  wrapper: SeriesWrapper;
  oracle: SeriesValuationOracle;
  params: MarketParams;
  marketId: string;
}

/**
 * Creates (or reuses) the wrapper of `seriesId`, deploys a `SeriesValuationOracle` of its share and creates the
 * Morpho market (collateral = the wrapper's share, loan = `loanToken`).
 */
export async function openMarket(
  f: Fixture,
  c: CollateralFixture,
  seriesId: bigint,
  o: MarketOptions = {},
): Promise<SeriesMarket> {
  const { ethers } = f.conn;
  if ((await c.factory.wrapperOf(seriesId)) === ethers.ZeroAddress) await c.factory.createWrapper(seriesId);
  const wrapper = (await ethers.getContractAt("SeriesWrapper", await c.factory.wrapperOf(seriesId))) as SeriesWrapper;
  const loanToken = o.loanToken ?? f.wbtc;
  const startDay = Number((await f.token.seriesTerms(seriesId)).startDay);
  const firstDay = o.firstDay ?? startDay - 4;
  const oracle = (await ethers.deployContract("SeriesValuationOracle", [
    {
      wrapper, hashpriceOracle: f.oracle, loanToken,
      windowDays: o.windowDays ?? 30, haircutBps: o.haircutBps ?? 0, maxAgeDays: o.maxAgeDays ?? 2, graceDays: o.graceDays ?? 3,
      decayDays: o.decayDays ?? 7, maxGrowthBpsPerDay: o.maxGrowthBpsPerDay ?? 100,
      feeCapBps: o.feeCapBps ?? 1_000, hashpriceDriftBpsPerYear: o.hashpriceDriftBpsPerYear ?? 2_000, firstDay, ...epochAnchor(firstDay),
    },
  ])) as unknown as SeriesValuationOracle;
  const params: MarketParams = {
    loanToken: await loanToken.getAddress(),
    collateralToken: await wrapper.getAddress(),
    oracle: await oracle.getAddress(),
    irm: await c.irm.getAddress(),
    lltv: o.lltv ?? LLTV_77,
  };
  await c.morpho.createMarket(params);
  return { seriesId, wrapper, oracle, params, marketId: marketIdOf(params) };
}

/** What `deploySeriesMarket` deployed. */
export interface SeriesMarketScenario {
  f: Fixture;
  c: CollateralFixture;
  terms: Terms;
  id: bigint;
  mk: SeriesMarket;
}

/**
 * The Morpho scenario of `test/defi/morpho.test.ts` and `scripts/bench-collateral.ts`: `deployAll` without a feed
 * (each day's BTC/USD is the report's), one series of the farm from `startDay` for 365 days with `seriesTerms`'
 * defaults (100 TH/s, 21.5 J/TH, 0.05 USD/kWh, 2 % pool fee, 95 % SLA, 0.001 USD per TH/s·day service fee), the
 * farm funded with 100 BTC of collateral and 100 BTC of payout balance, the collateral fixture, and the series'
 * market (30-day window, 2 days max age, 3 days grace, 7 days decay, 1 %/day growth cap, recording from the
 * series' start − 4). Mints nothing.
 */
export async function deploySeriesMarket(conn: Conn, startDay: number): Promise<SeriesMarketScenario> {
  const f = await deployAll(conn, { feedPriceE8: null });
  const terms = await seriesTerms(f, startDay, { termDays: 365 });
  const id = await createSeries(f, terms);
  await postCollateral(f, 10n ** 10n);
  await deposit(f, 10n ** 10n);
  const c = await deployCollateral(f);
  const mk = await openMarket(f, c, id);
  return { f, c, terms, id, mk };
}

/**
 * Reports real day `d` through the oracle (quorum-signed; a pending report is confirmed by the guardian, as an
 * operator would after checking it) and the farm's uptime for it, then pokes `valuations` (a keeper's job) so they
 * record it. The chain must already be past the day.
 */
export async function reportDay(
  f: Fixture,
  d: DayInputs,
  uptimeBps = 10_000,
  valuations: { poke(n: number): Promise<unknown> }[] = [],
): Promise<void> {
  await submitDaily(f, dailyReportOf(d));
  if ((await f.oracle.dailyValues(d.day)).status === 1n) await f.oracle.connect(f.guardian).confirmPending(d.day);
  await submitUptimes(f, [{ farm: f.farm.address, day: d.day, uptimeBps }]);
  for (const v of valuations) await v.poke(400);
}

