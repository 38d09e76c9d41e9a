/**
 * One holder borrows against its tokens: a real Morpho Blue market (deployed with the Ignition modules
 * `DevMorpho` and `Collateral` before the indexer starts, `SeriesMarket` once the series is sold) takes the first
 * series' accumulating share (`SeriesWrapper`: 1 unit + its accrued sats) as collateral and lends test WBTC. The
 * borrower (holder 0) wraps 80 % of its units and supplies the shares to Morpho directly (their yield accrues
 * inside the shares, which the oracle prices in) and borrows 85 % of the maximum; the day before the halving is
 * reported it levers up to 99.9 % of its maximum (a greedy borrower). Every day a liquidator checks the position
 * with Morpho's own health rule and liquidates it with Morpho's `liquidate` once it is unhealthy.
 */
import { AbiCoder, keccak256 } from "ethers";
import Collateral from "../../ignition/modules/Collateral.js";
import DevMorpho from "../../ignition/modules/DevMorpho.js";
import SeriesMarket from "../../ignition/modules/SeriesMarket.js";
import type { FlashSettleAttacker, Morpho, SeriesValuationOracle, SeriesWrapper } from "../../types/ethers-contracts/index.js";
import type { DayInputs } from "../../domain/data.js";
import { epochAnchor } from "../../domain/epochs.js";
import { health } from "../../domain/morpho.js";
import { ACCOUNTS } from "./actors.js";
import { readAll, type Connection, type NodeAccount } from "./chain.js";
import { oneBlock, send, type World } from "./market.js";

const WAD = 10n ** 18n;
const E36 = 10n ** 36n;
/** Morpho's LLTV of the market, WAD. */
export const LLTV = 770_000_000_000_000_000n;
/** Morpho's liquidation incentive factor for `LLTV`: min(1.15, 1 / (1 − 0.3 · (1 − LLTV))), WAD. */
const LIF = (() => {
  const f = (WAD * WAD) / (WAD - (300_000_000_000_000_000n * (WAD - LLTV)) / WAD);
  return f < 1_150_000_000_000_000_000n ? f : 1_150_000_000_000_000_000n;
})();
/** Share of the maximum the borrower borrows, bps. */
const BORROW_BPS = 8_500n;
/** Test WBTC the lender supplies to the market, sats. */
const SUPPLY = 20n * 10n ** 8n;

/** Morpho `MarketParams`. */
export interface MarketParams {
  loanToken: string;
  collateralToken: string;
  oracle: string;
  irm: string;
  lltv: bigint;
}

/** The lending side of the replay and what happened to the loan. */
export interface Lending {
  morpho: Morpho;
  wrapper: SeriesWrapper;
  valuation: SeriesValuationOracle;
  params: MarketParams;
  marketId: string;
  /** planned series index used as collateral */
  series: number;
  /** holder index of the borrower */
  borrowerIndex: number;
  borrower: NodeAccount;
  lender: NodeAccount;
  liquidator: NodeAccount;
  halvingDay: number;
  supplied: bigint;
  borrowed: bigint;
  /** debt repaid by the borrower (0: the loan is left to run) */
  repaid: bigint;
  /**
   * The flash-loan-around-settlement attempt (once, on the loan's 7th day): an attacker contract flash-borrows every
   * share Morpho holds (Morpho's own flashLoan) and calls Settlement.settle for the day while holding them.
   */
  flash: { day: number; shares: bigint; gainedSats: bigint; borrowerCreditedSats: bigint; borrowerOwedSats: bigint } | null;
  /** the day the borrower levered up to 99.9 % of its maximum (the eve of the halving report), and its LTV then */
  leveredUp: { day: number; ltvBps: bigint } | null;
  /** the attacker contract (test-only `FlashSettleAttacker`) */
  attacker: FlashSettleAttacker;
  liquidations: { day: number; seized: bigint; repaidByLiquidator: bigint; ltvBps: bigint }[];
  /** highest loan-to-value seen, bps of the collateral's value */
  maxLtvBps: bigint;
}

/** First day on or after `from` whose subsidy is below the previous day's (the next halving in the data), or 0. */
export function nextHalving(data: Map<number, DayInputs>, from: number, to: number): number {
  for (let d = from; d <= to; d++) {
    const a = data.get(d - 1);
    const b = data.get(d);
    if (a && b && b.subsidySats < a.subsidySats) return d;
  }
  return 0;
}

/** Morpho's market id: keccak256(abi.encode(params)). */
function marketIdOf(p: MarketParams): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "address", "address", "address", "uint256"], [p.loanToken, p.collateralToken, p.oracle, p.irm, p.lltv]));
}

/**
 * The borrower's position by Morpho's own rule: healthy while borrowed ≤ collateral · price / 1e36 · LLTV, with
 * borrowed = borrowShares rounded up to assets (SharesMathLib.toAssetsUp, virtual shares 1e6 and asset 1). Inside
 * `oneBlock`, pass its `flush`: the interest accrual then closes the block (nothing pending may change the position).
 */
export async function position(l: Lending, flush: () => Promise<void> = async () => {}) {
  const [, borrowShares, collateral] = await l.morpho.position(l.marketId, l.borrower.address);
  if (borrowShares > 0n) await l.morpho.accrueInterest(l.params); // interest up to now, as Morpho's own check does
  await flush();
  const [mkt, price] = await readAll(l.borrower.url, [[l.morpho, "market", [l.marketId]], [l.valuation, "price", []]]);
  const h = health(collateral, borrowShares, mkt, LLTV, price);
  const value = h.collateralValue!;
  return { collateral, borrowShares, borrowed: h.borrowedAssets, price, value, maxBorrow: h.maxBorrow!, healthy: h.healthy!, ltvBps: h.ltvBps ?? 0n };
}

/** The lending layer deployed before any series: Morpho Blue, its IRM and the wrapper factory. */
export interface LendingBase {
  morpho: { getAddress(): Promise<string> };
  irm: { getAddress(): Promise<string> };
  factory: { getAddress(): Promise<string> };
  /** lowercase addresses, for the indexer */
  addresses: { morpho: string; wrapperFactory: string };
}

/**
 * Deploys Morpho (`DevMorpho`) and the wrapper factory (`Collateral`), so that the indexer can follow
 * them from the start (the wrappers and the valuation oracle it then finds by itself).
 */
export async function deployLending(conn: Connection, token: string): Promise<LendingBase> {
  const admin = await conn.account(ACCOUNTS.admin);
  const config = { blockPollingInterval: 20 };
  const { morpho, irm } = await conn.ignition.deploy(DevMorpho, { config, defaultSender: admin.address, parameters: { DevMorpho: { lltv: LLTV } } });
  const { factory } = await conn.ignition.deploy(Collateral, {
    config,
    defaultSender: admin.address,
    parameters: { Collateral: { token } },
  });
  const lower = async (c: { getAddress(): Promise<string> }) => (await c.getAddress()).toLowerCase();
  return {
    morpho, irm, factory,
    addresses: { morpho: await lower(morpho), wrapperFactory: await lower(factory) },
  };
}

/**
 * Opens the market of planned series `k` (`SeriesMarket`) on the lending layer `base`, the lender supplies
 * `SUPPLY`, and the borrower puts 80 % of its units in and borrows. Call on the chain day the series was sold,
 * after the sale.
 */
export async function openLoan(conn: Connection, w: World, base: LendingBase, k: number, day: number): Promise<Lending> {
  const { ethers } = conn;
  const admin = await conn.account(ACCOUNTS.admin);
  const config = { blockPollingInterval: 20 };
  const { morpho, irm, factory } = base;
  const halvingDay = nextHalving(w.data, day, w.plan.toDay);
  const loanToken = await w.sys.wbtc.getAddress();
  const firstDay = day - 1; // the warm-up day, the only one final when the loan opens
  const anchor = epochAnchor(firstDay, w.data);
  const mk = await conn.ignition.deploy(SeriesMarket, {
    config,
    defaultSender: admin.address,
    parameters: {
      SeriesMarket: {
        hashpriceOracle: w.sys.addresses.oracle, factory: await factory.getAddress(),
        morpho: await morpho.getAddress(), irm: await irm.getAddress(), loanToken, seriesId: w.ids[k]!, lltv: LLTV, firstDay,
        epochStartDay: anchor.epochStartDay, epochStartHeight: anchor.epochStartHeight,
      },
    },
  });
  const wrapper = (await ethers.getContractAt("SeriesWrapper", await mk.wrapper.getAddress(), admin)) as unknown as SeriesWrapper;
  const valuation = (await ethers.getContractAt("SeriesValuationOracle", await mk.valuation.getAddress(), admin)) as unknown as SeriesValuationOracle;
  const params: MarketParams = { loanToken, collateralToken: await wrapper.getAddress(), oracle: await valuation.getAddress(), irm: await irm.getAddress(), lltv: LLTV };
  const l: Lending = {
    morpho: (await ethers.getContractAt("Morpho", await morpho.getAddress(), admin)) as unknown as Morpho,
    wrapper, valuation, params, marketId: marketIdOf(params), series: k, borrowerIndex: 0, borrower: w.holders[0],
    lender: await conn.account(ACCOUNTS.lender), liquidator: await conn.account(ACCOUNTS.liquidator), halvingDay,
    supplied: 0n, borrowed: 0n, repaid: 0n, liquidations: [], maxLtvBps: 0n, flash: null, leveredUp: null,
    attacker: (await ethers.deployContract("FlashSettleAttacker", [w.sys.token, w.sys.settlement, w.sys.wbtc], admin)) as unknown as FlashSettleAttacker,
  };

  const { wbtc, token } = w.sys;
  await send(w, valuation.connect(w.sys.keeper).poke(400)); // the keeper records the final days
  await send(w, wbtc.mint(l.lender.address, SUPPLY));
  await send(w, wbtc.connect(l.lender).approve(l.morpho, 2n ** 255n));
  await send(w, l.morpho.connect(l.lender).supply(params, SUPPLY, 0n, l.lender.address, "0x"));
  await send(w, wbtc.connect(l.liquidator).approve(l.morpho, 2n ** 255n));

  const b = w.holders[l.borrowerIndex];
  const id = w.ids[k]!;
  const units = ((w.balances[l.borrowerIndex].get(id) ?? 0n) * 8n) / 10n;
  if (units === 0n) throw new Error("the borrower holds no units of the collateral series");
  await send(w, token.connect(b).setApprovalForAll(wrapper, true));
  await send(w, wrapper.connect(b).wrap(units, b.address));
  await send(w, wrapper.connect(b).approve(l.morpho, units));
  await send(w, l.morpho.connect(b).supplyCollateral(params, units, b.address, "0x"));
  w.balances[l.borrowerIndex].set(id, w.balances[l.borrowerIndex].get(id)! - units);
  l.supplied = units;
  const p = await position(l);
  l.borrowed = (p.maxBorrow * BORROW_BPS) / 10_000n;
  await send(w, l.morpho.connect(b).borrow(params, l.borrowed, 0n, b.address, b.address));
  await send(w, wbtc.connect(b).approve(l.morpho, 2n ** 255n));
  l.maxLtvBps = (await position(l)).ltvBps;
  return l;
}

/**
 * The loan's day (after `day` was settled): the collateral's yield accrues inside the shares (their index), which
 * the oracle prices in; the liquidator liquidates an unhealthy position (seizing what repays at most 99 % of the
 * debt). Blocks: the keeper's poke and the interest accrual; a lever-up's borrow, then each accrual, alone; the
 * liquidator's mint and liquidation. Morpho's transaction is the last of each block, so its timestamp is the one it
 * had with one block per transaction (`inOneBlock`).
 */
export async function loanDay(w: World, l: Lending, day: number): Promise<void> {
  await oneBlock(w, (flush) => loanDayIn(w, l, day, flush));
}

async function loanDayIn(w: World, l: Lending, day: number, flush: () => Promise<void>): Promise<void> {
  const b = l.borrower;
  await send(w, l.valuation.connect(w.sys.keeper).poke(400)); // the keeper records the day just reported
  let p = await position(l, flush);
  if (l.halvingDay !== 0 && day === l.halvingDay - 1 && p.healthy && p.collateral > 0n) {
    // lever up to 99.9 % of the maximum on the eve of the halving report
    const more = (p.maxBorrow * 999n) / 1000n - p.borrowed;
    if (more > 0n) {
      await send(w, l.morpho.connect(b).borrow(l.params, more, 0n, b.address, b.address));
      await flush();
      l.borrowed += more;
      l.leveredUp = { day, ltvBps: (await position(l, flush)).ltvBps };
      p = await position(l, flush);
    }
  }
  if (p.ltvBps > l.maxLtvBps) l.maxLtvBps = p.ltvBps;
  if (p.healthy || p.collateral === 0n) return;
  // seized · price / 1e36 / LIF is what the liquidator repays: keep it below the debt
  const maxSeize = (((p.borrowed * 99n) / 100n) * LIF * E36) / (WAD * p.price);
  const seized = maxSeize < p.collateral ? maxSeize : p.collateral;
  if (seized === 0n) return;
  const before = await w.sys.wbtc.balanceOf(l.liquidator.address);
  await send(w, w.sys.wbtc.mint(l.liquidator.address, p.borrowed));
  await send(w, l.morpho.connect(l.liquidator).liquidate(l.params, b.address, seized, 0n, "0x"));
  await flush();
  const after = await w.sys.wbtc.balanceOf(l.liquidator.address);
  l.liquidations.push({ day, seized, repaidByLiquidator: before + p.borrowed - after, ltvBps: p.ltvBps });
}

/**
 * Before the keeper settles `day` (series `ks`): on the loan's 7th day, an attacker contract flash-borrows every
 * share Morpho holds (Morpho Blue's own `flashLoan`) and settles the day for every series in `ks` while holding
 * them. The settlement goes through; the attacker returns the shares and gains nothing, and the borrower's
 * collateral shares are credited in full through the index. Returns true when the day was settled this way (the
 * keeper then has nothing to settle).
 */
export async function flashAroundSettle(w: World, l: Lending, day: number, ks: number[]): Promise<boolean> {
  if (l.flash || day !== w.plan.fromDay + 6 || ks.length === 0 || !ks.includes(l.series)) return false;
  const attacker = l.attacker;
  await send(w, attacker.start());
  const id = w.ids[l.series]!;
  const b = l.borrower.address;
  const collateral = (await l.morpho.position(l.marketId, b)).collateral;
  const shares = await l.wrapper.balanceOf(await l.morpho.getAddress());
  const before = await l.wrapper.previewUnwrap(collateral);
  const accBefore = await w.sys.token.accPerUnitE36(id);
  await send(w, attacker.attackMorpho(await l.morpho.getAddress(), await l.wrapper.getAddress(), ks.map((k) => w.ids[k]!), ks.map(() => day), false));
  const credited = (await l.wrapper.previewUnwrap(collateral)) - before;
  const owed = (collateral * ((await w.sys.token.accPerUnitE36(id)) - accBefore)) / E36;
  l.flash = { day, shares, gainedSats: await attacker.gained(id), borrowerCreditedSats: credited, borrowerOwedSats: owed };
  return true;
}
