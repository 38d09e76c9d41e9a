/**
 * Shared deployment fixture for contract tests, benchmarks and the local main job.
 *
 * ```ts
 * import { network } from "hardhat";
 * import { deployAll, signDaily, goToDay } from "../helpers/deploy.js";
 * const conn = await network.create();                       // or { override: { initialDate: "2023-05-30" } }
 * const f = await deployAll(conn, { reporters: 3, quorum: 2 });
 * await goToDay(conn, day + 1);                               // reports are for days that have ended
 * await f.oracle.submitDailyReport(report, await signDaily(f, report));
 * ```
 * Accounts (from `ethers.getSigners()`): [0] admin (all admin roles, FARM_ADMIN), [1] guardian, [2] farm,
 * [3..5] holders, then the reporters. Every helper is small on purpose: read it before relying on it.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import type {
  HashpowerToken,
  HashpriceOracle,
  Settlement,
  TestPriceFeed,
  TestWBTC,
} from "../../types/ethers-contracts/index.js";
import type { Address } from "viem";
import {
  type DailyReport,
  type UptimeReport as SignedUptimeReport,
  oracleDomain as reporterOracleDomain,
  reportTypes,
} from "../../cli/reporter/sign.js";
import type { FormulaTerms } from "../../domain/settlement.js";

/** A Hardhat network connection with ethers and the network helpers (from `network.create()`). */
export type Conn = Awaited<ReturnType<typeof import("hardhat").network.create>>;

/** Seconds per UTC day. */
export const DAY = 86_400;

/** `IHashpriceOracle.DailyReport` (the reporter's type). */
export type { DailyReport };

/** `IHashpriceOracle.UptimeReport`: the reporter's type, with the farm as any address string (ethers' form). */
export type UptimeReport = Omit<SignedUptimeReport, "farm"> & { farm: string };

/** Options of the fixture; every field has a default. */
export interface DeployOptions {
  /** number of reporters N (default 3), taken from signers[6..] */
  reporters?: number;
  /** quorum M (default ⌊N/2⌋ + 1) */
  quorum?: number;
  /** reporter-set timelock, seconds (default 2 days) */
  timelockDelay?: number;
  /** BTC/USD × 1e8 the test feed starts with (default 60,000 USD); `null`: deploy the oracle without a feed */
  feedPriceE8?: bigint | null;
  /** feed heartbeat, seconds (default 1 day) */
  heartbeat?: number;
  /** settlement's coverDays (default 30) */
  coverDays?: number;
  /** settlement's bootstrap hashprice, sats per TH/s per day × 1e18 (default `BOOTSTRAP_HASHPRICE_E18`) */
  bootstrapHashpriceE18?: bigint;
}

/** Default bootstrap hashprice of the fixture's settlement: 50 sats per TH/s per day (× 1e18). */
export const BOOTSTRAP_HASHPRICE_E18 = 50n * 10n ** 18n;

/** The oracle part of the fixture. */
export interface OracleFixture {
  conn: Conn;
  admin: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  farm: HardhatEthersSigner;
  holders: HardhatEthersSigner[];
  /** reporters sorted by ascending address (the order signatures must be in) */
  reporters: HardhatEthersSigner[];
  quorum: number;
  oracle: HashpriceOracle;
  feed: TestPriceFeed;
  chainId: bigint;
}

/**
 * Deploys `TestPriceFeed` (8 decimals) and `HashpriceOracle` with N reporters; admin = signers[0],
 * guardian = signers[1]. The feed is always deployed; with `feedPriceE8: null` it is not wired to the oracle.
 */
export async function deployOracle(conn: Conn, opts: DeployOptions = {}): Promise<OracleFixture> {
  const { ethers } = conn;
  const signers = await ethers.getSigners();
  const n = opts.reporters ?? 3;
  const quorum = opts.quorum ?? Math.floor(n / 2) + 1;
  const [admin, guardian, farm, ...rest] = signers;
  const holders = rest.slice(0, 3);
  const reporters = rest.slice(3, 3 + n).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  if (reporters.length < n) throw new Error(`only ${reporters.length} signers for ${n} reporters`);
  const feed = await ethers.deployContract("TestPriceFeed", [8, opts.feedPriceE8 ?? 60_000n * 10n ** 8n]);
  const oracle = await ethers.deployContract("HashpriceOracle", [
    admin.address,
    guardian.address,
    reporters.map((r) => r.address),
    quorum,
    opts.timelockDelay ?? 2 * DAY,
    opts.feedPriceE8 === null ? ethers.ZeroAddress : await feed.getAddress(),
    opts.feedPriceE8 === null ? 0 : (opts.heartbeat ?? DAY),
  ]);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { conn, admin, guardian, farm, holders, reporters, quorum, oracle, feed, chainId };
}

/** Everything: oracle fixture + payout asset, token and settlement, wired. */
export interface Fixture extends OracleFixture {
  wbtc: TestWBTC;
  token: HashpowerToken;
  settlement: Settlement;
}

/** Farm capacity the fixture registers, TH/s. */
export const FARM_CAPACITY_THS = 1_000_000n;

/**
 * Deploys the oracle part, then TestWBTC (8 decimals), HashpowerToken (admin = signers[0], who also gets
 * FARM_ADMIN_ROLE and PAUSER_ROLE; guardian = signers[1]) and Settlement (same admin and guardian, parameter delay
 * = the oracle's `timelockDelay`); makes the settlement the token's distributor and issuance guard (the one-time
 * wiring) and registers signers[2] as a farm with `FARM_CAPACITY_THS`.
 */
export async function deployAll(conn: Conn, opts: DeployOptions = {}): Promise<Fixture> {
  const o = await deployOracle(conn, opts);
  const { ethers } = conn;
  const delay = opts.timelockDelay ?? 2 * DAY;
  const wbtc = await ethers.deployContract("TestWBTC");
  const token = await ethers.deployContract("HashpowerToken", [o.admin.address, o.guardian.address, delay]);
  const settlement = await ethers.deployContract("Settlement", [
    o.admin.address,
    o.guardian.address,
    delay,
    token,
    o.oracle,
    opts.coverDays ?? 30,
    opts.bootstrapHashpriceE18 ?? BOOTSTRAP_HASHPRICE_E18,
  ]);
  const t = token.connect(o.admin);
  await t.setDistributor(settlement);
  await t.grantRole(await token.FARM_ADMIN_ROLE(), o.admin.address);
  await t.grantRole(await token.PAUSER_ROLE(), o.admin.address);
  await t.setIssuanceGuard(settlement);
  await t.registerFarm(o.farm.address, FARM_CAPACITY_THS, "Test farm");
  return { ...o, wbtc, token, settlement };
}

/** `IHashpowerToken.SeriesTerms` with plain numbers: the formula's terms (settlement.ts) and the rest. */
export interface Terms extends FormulaTerms {
  farm: string;
  payoutAsset: string;
  hashrateThs: bigint;
  startDay: number;
}

/**
 * Terms of a typical series of the fixture's farm paid in its TestWBTC: 100 TH/s for 30 days from `startDay`,
 * 21.5 J/TH, 2 % pool fee, 95 % SLA, 0.05 USD/kWh, 0.001 USD per TH/s·day; override any field.
 */
export async function seriesTerms(f: Fixture, startDay: number, over: Partial<Terms> = {}): Promise<Terms> {
  return {
    farm: f.farm.address,
    payoutAsset: await f.wbtc.getAddress(),
    hashrateThs: 100n,
    startDay,
    termDays: 30,
    efficiencyJPerThE3: 21_500,
    poolFeeBps: 200,
    slaBps: 9_500,
    powerCostUsdPerKWhE6: 50_000,
    serviceFeeUsdPerThDayE6: 1_000,
    ...over,
  };
}

/**
 * The farm creates a series with `terms` and returns its id. Issuance always needs collateral: when the farm's
 * posted collateral is short of `settlement.quoteCollateral(terms)`, the shortfall is minted and posted first.
 */
export async function createSeries(f: Fixture, terms: Terms): Promise<bigint> {
  const need = await f.settlement.quoteCollateral(terms);
  const have = await f.settlement.collateral(terms.farm, terms.payoutAsset);
  if (need > have && terms.payoutAsset.toLowerCase() === (await f.wbtc.getAddress()).toLowerCase()) {
    await (await postCollateral(f, need - have)).wait();
  }
  const id = await f.token.connect(f.farm).createSeries.staticCall(terms);
  await f.token.connect(f.farm).createSeries(terms);
  return id;
}

/** Approves the settlement for `sats` of `from`'s TestWBTC unless the allowance already covers it. */
async function allow(f: Fixture, from: HardhatEthersSigner, sats: bigint) {
  if ((await f.wbtc.allowance(from.address, f.settlement)) < sats) await (await f.wbtc.connect(from).approve(f.settlement, sats)).wait();
}

/** Mints `sats` TestWBTC to `from` (default: the farm) and posts it as the farm's collateral. */
export async function postCollateral(f: Fixture, sats: bigint, from: HardhatEthersSigner = f.farm) {
  await (await f.wbtc.mint(from.address, sats)).wait();
  await allow(f, from, sats);
  return f.settlement.connect(from).postCollateral(f.farm.address, f.wbtc, sats);
}

/** Mints `sats` TestWBTC to `from` (default: the farm) and deposits it to the farm's payout balance. */
export async function deposit(f: Fixture, sats: bigint, from: HardhatEthersSigner = f.farm) {
  await (await f.wbtc.mint(from.address, sats)).wait();
  await allow(f, from, sats);
  return f.settlement.connect(from).deposit(f.farm.address, f.wbtc, sats);
}

/** EIP-712 domain of `oracle` on `chainId` (the reporter's `oracleDomain`). */
export async function oracleDomain(oracle: HashpriceOracle, chainId: bigint) {
  return reporterOracleDomain(Number(chainId), (await oracle.getAddress()) as Address);
}

/** Signs with `signers` (default: the first `quorum` reporters, ascending) and returns signatures in that order. */
async function signAll(
  f: OracleFixture,
  primaryType: keyof typeof reportTypes,
  value: Record<string, unknown>,
  signers?: HardhatEthersSigner[],
): Promise<string[]> {
  const domain = await oracleDomain(f.oracle, f.chainId);
  const types = { [primaryType]: [...reportTypes[primaryType]] };
  const by = signers ?? f.reporters.slice(0, f.quorum);
  return Promise.all(by.map((s) => s.signTypedData(domain, types, value)));
}

/** Quorum signatures (ascending signers) over a daily report; pass `signers` to choose who signs, in that order. */
export function signDaily(f: OracleFixture, report: DailyReport, signers?: HardhatEthersSigner[]): Promise<string[]> {
  return signAll(f, "DailyReport", { ...report }, signers);
}

/** Quorum signatures (ascending signers) over an uptime report. */
export function signUptime(f: OracleFixture, report: UptimeReport, signers?: HardhatEthersSigner[]): Promise<string[]> {
  return signAll(f, "UptimeReport", { ...report }, signers);
}

/** Current UTC day number of the latest block. */
export async function today(conn: Conn): Promise<number> {
  return Math.floor((await conn.networkHelpers.time.latest()) / DAY);
}

/**
 * Moves the chain's time forward to `secondsIntoDay` after the start of UTC day `day` (the next block gets that
 * timestamp or later). Does nothing when that moment has passed but `day` is still today; throws when the chain
 * is already past `day`.
 */
export async function goToDay(conn: Conn, day: number, secondsIntoDay = 60): Promise<void> {
  const { time } = conn.networkHelpers;
  const now = await time.latest();
  const target = day * DAY + secondsIntoDay;
  if (now < target) await time.increaseTo(target);
  else if (Math.floor(now / DAY) > day) throw new Error(`chain is at day ${Math.floor(now / DAY)}, past ${day}`);
}

/** Submits a daily report signed by the first `quorum` reporters; returns the transaction. */
export async function submitDaily(f: OracleFixture, report: DailyReport) {
  return f.oracle.submitDailyReport(report, await signDaily(f, report));
}

/** Submits uptime reports (each signed by the first `quorum` reporters) in one transaction. */
export async function submitUptimes(f: OracleFixture, reports: UptimeReport[]) {
  const sigs = await Promise.all(reports.map((r) => signUptime(f, r)));
  return f.oracle.submitUptimeReports(reports, sigs);
}

/** Network connection type re-exported for helpers' signatures. */
export type { NetworkConnection };

/** A contract with the `ParameterTimelock` surface (oracle, token, settlement). */
interface Timelocked {
  interface: { encodeFunctionData(fn: string, args: readonly unknown[]): string };
  connect(signer: HardhatEthersSigner): Timelocked;
  proposeChange(data: string): Promise<unknown>;
  executeChange(data: string): Promise<unknown>;
  parameterDelay(): Promise<bigint>;
}

/**
 * Applies a timelocked parameter change the way governance does: `admin` proposes `fn(args)` on `contract`, the
 * chain's clock moves forward by the contract's `parameterDelay`, `admin` executes it. Returns the execute tx.
 */
export async function timelocked(
  conn: Conn,
  contract: unknown,
  admin: HardhatEthersSigner,
  fn: string,
  args: readonly unknown[],
) {
  const c = (contract as Timelocked).connect(admin);
  const data = c.interface.encodeFunctionData(fn, args);
  await c.proposeChange(data);
  const delay = Number(await c.parameterDelay());
  if (delay > 0) await conn.networkHelpers.time.increase(delay);
  return c.executeChange(data);
}
