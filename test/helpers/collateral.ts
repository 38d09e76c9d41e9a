/**
 * Collateral fixture on top of `deploy.ts`'s `deployAll`: the wrapper factory, Morpho Blue's own contracts
 * (artifacts `Morpho`, `IrmMock` compiled from `@morpho-org/morpho-blue`), the collateral adapter, and per series
 * a wrapper + valuation oracle + Morpho market. Also drives real days of the data folder through the oracle and settlement.
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
  MorphoCollateralAdapter,
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
import { dailyReportOf, type DayInputs } from "../../indexer/domain/data.js";
import { hashpriceE18 } from "../../indexer/domain/hashprice.js";

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
  adapter: MorphoCollateralAdapter;
  borrower: HardhatEthersSigner;
  supplier: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
}

/**
 * Deploys `SeriesWrapperFactory` (admin = CLAIMER_ADMIN), Morpho Blue (owner = admin) with `IrmMock` and
 * `lltv` enabled, and `MorphoCollateralAdapter` (owner = admin).
 */
export async function deployCollateral(f: Fixture, lltv: bigint = LLTV_77): Promise<CollateralFixture> {
  const { ethers } = f.conn;
  const signers = await ethers.getSigners();
  const [borrower, supplier, liquidator, keeper] = signers.slice(12, 16);
  const factory = await ethers.deployContract("SeriesWrapperFactory", [f.token, f.admin.address]);
  await factory.connect(f.admin).grantRole(await factory.CLAIMER_ADMIN_ROLE(), f.admin.address);
  const morpho = (await ethers.deployContract("Morpho", [f.admin.address])) as unknown as Morpho;
  const irm = (await ethers.deployContract("IrmMock")) as unknown as IrmMock;
  await morpho.connect(f.admin).enableIrm(irm);
  await morpho.connect(f.admin).enableLltv(lltv);
  const adapter = await ethers.deployContract("MorphoCollateralAdapter", [morpho, factory, f.admin.address]);
  return { factory, morpho, irm, adapter, borrower, supplier, liquidator, keeper };
}

/** Options of `openMarket`. */
export interface MarketOptions {
  /** loan token (default: the fixture's TestWBTC) */
  loanToken?: BaseContract;
  /** 0 = sats (default), 1 = USD */
  quote?: 0 | 1;
  windowDays?: number;
  haircutBps?: number;
  maxAgeDays?: number;
  /** UTC day of the next halving for the valuation (default 0: ignored) */
  halvingDay?: number;
  feedHeartbeat?: number;
  lltv?: bigint;
}

/** One series as Morpho collateral. */
export interface SeriesMarket {
  seriesId: bigint;
  wrapper: SeriesWrapper;
  oracle: SeriesValuationOracle;
  params: MarketParams;
  marketId: string;
}

/**
 * Creates (or reuses) the wrapper of `seriesId`, makes the adapter Morpho's claimer in it, deploys a
 * `SeriesValuationOracle` and creates the Morpho market (collateral = wrapper, loan = `loanToken`).
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
  if ((await wrapper.claimerOf(c.morpho)) !== (await c.adapter.getAddress())) {
    await wrapper.connect(f.admin).setClaimerFor(c.morpho, c.adapter);
  }
  const loanToken = o.loanToken ?? f.wbtc;
  const oracle = await ethers.deployContract("SeriesValuationOracle", [
    {
      token: f.token,
      hashpriceOracle: f.oracle,
      seriesId,
      quote: o.quote ?? 0,
      loanToken,
      btcUsdFeed: f.feed,
      feedHeartbeat: o.feedHeartbeat ?? 86_400,
      windowDays: o.windowDays ?? 30,
      haircutBps: o.haircutBps ?? 0,
      maxAgeDays: o.maxAgeDays ?? 2,
      halvingDay: o.halvingDay ?? 0,
    },
  ]);
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
 * market (sats quote, 30-day window, 2 days max age). Mints nothing.
 */
export async function deploySeriesMarket(conn: Conn, startDay: number): Promise<SeriesMarketScenario> {
  const f = await deployAll(conn, { feedPriceE8: null });
  const terms = await seriesTerms(f, startDay, { termDays: 365 });
  const id = await createSeries(f, terms);
  await postCollateral(f, 10n ** 10n);
  await deposit(f, 10n ** 10n);
  const c = await deployCollateral(f);
  const mk = await openMarket(f, c, id, { windowDays: 30, maxAgeDays: 2 });
  return { f, c, terms, id, mk };
}

/**
 * Reports real day `d` through the oracle (quorum-signed; a pending report is confirmed by the guardian, as an
 * operator would after checking it) and the farm's uptime for it. The chain must already be past the day.
 */
export async function reportDay(f: Fixture, d: DayInputs, uptimeBps = 10_000): Promise<void> {
  await submitDaily(f, dailyReportOf(d));
  if ((await f.oracle.dailyValues(d.day)).status === 1n) await f.oracle.connect(f.guardian).confirmPending(d.day);
  await submitUptimes(f, [{ farm: f.farm.address, day: d.day, uptimeBps }]);
}

/**
 * `days` with the transaction fees taken out (fees per block 0, subsidy-only hashprice): the DeFi scenarios
 * (morpho.test.ts, SeriesValuationOracle.test.ts) were calibrated on the subsidy-only data, where the 2024-04-20
 * halving halves the hashprice. With the real fees that day's Runes fees lift it by two thirds instead, so the
 * borrower stays healthy on the halving day and the halving-aware valuation reads 1.30–1.79× the realized yield
 * on 2024-04-18..24 (trailing window holding the fee spike); re-timing those scenarios on real fees is open.
 */
export function subsidyOnly(days: Map<number, DayInputs>): Map<number, DayInputs> {
  return new Map(
    [...days].map(([k, d]) => [k, { ...d, feesSats: 0n, feesPerBlockSats: 0n, hashpriceE18: hashpriceE18(d.bits, d.subsidySats, 0n) }]),
  );
}
