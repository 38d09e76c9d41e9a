import { expect } from "chai";
import { network } from "hardhat";
import {
  DAY,
  type Fixture,
  type Terms,
  createSeries,
  deployAll,
  goToDay,
  postCollateral,
  seriesTerms,
  today,
} from "../helpers/deploy.js";
import { reportDay, subsidyOnly } from "../helpers/collateral.js";
import { loadDays, type DayInputs } from "../../indexer/domain/data.js";
import { dayOfDate } from "../../indexer/domain/units.js";
import {
  chainlinkAnswer,
  morphoPrice,
  netAtSlaE18,
  type OracleDayValues,
  unitValuation,
  type ValuationTerms,
} from "../../indexer/domain/valuation.js";
import type { SeriesValuationOracle, TestERC20Decimals } from "../../types/ethers-contracts/index.js";

// subsidy-only inputs: the scenario was calibrated without fees (see subsidyOnly in test/helpers/collateral.ts)
const DATA = subsidyOnly(loadDays());
const day = (date: string): DayInputs => DATA.get(dayOfDate(date))!;
const SERIES_START = dayOfDate("2024-03-20");

/** Chain starts 2024-03-15; the fixture reports 2024-03-15 .. 2024-04-18 (a full 30-day window before the halving). */
const conn = await network.create({ override: { initialDate: "2024-03-15T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

interface V extends Fixture {
  id: bigint;
  terms: Terms;
  usdc: TestERC20Decimals;
  /** sats quote, WBTC loan, 30-day window, no haircut */
  sats: SeriesValuationOracle;
  /** USD quote, 6-decimal stablecoin loan, 30-day window, 10 % haircut */
  usd: SeriesValuationOracle;
  /** final days reported so far */
  reported: Map<number, OracleDayValues>;
}

async function deployValuation(
  f: Fixture,
  id: bigint,
  over: Partial<Record<string, unknown>> = {},
): Promise<SeriesValuationOracle> {
  return ethers.deployContract("SeriesValuationOracle", [
    {
      token: f.token,
      hashpriceOracle: f.oracle,
      seriesId: id,
      quote: 0,
      loanToken: f.wbtc,
      btcUsdFeed: f.feed,
      feedHeartbeat: DAY,
      windowDays: 30,
      haircutBps: 0,
      maxAgeDays: 2,
      halvingDay: 0,
      ...over,
    },
  ]);
}

async function report(v: Pick<V, "reported"> & Fixture, d: DayInputs) {
  await reportDay(v, d, 10_000);
  v.reported.set(d.day, {
    hashpriceE18: d.hashpriceE18,
    btcUsdE8: d.btcUsdE8,
    subsidySats: d.subsidySats,
    feesPerBlockSats: d.feesPerBlockSats,
  });
}

async function base(): Promise<V> {
  // The oracle is deployed without a feed, so each day's BTC/USD is the reporters' (the real data's); the feed
  // contract is used by the USD-quoted valuation only.
  const f = await deployAll(conn, { feedPriceE8: null });
  const terms = await seriesTerms(f, SERIES_START, { termDays: 365 });
  const id = await createSeries(f, terms);
  await postCollateral(f, 10n ** 10n); // lets later tests issue more series once the oracle has a trailing price
  const usdc = await ethers.deployContract("TestERC20Decimals", [6]);
  const sats = await deployValuation(f, id);
  const usd = await deployValuation(f, id, { quote: 1, loanToken: usdc, haircutBps: 1_000 });
  const v: V = { ...f, id, terms, usdc, sats, usd, reported: new Map() };
  await goToDay(conn, dayOfDate("2024-04-19"), 3_600);
  for (let d = dayOfDate("2024-03-15"); d <= dayOfDate("2024-04-18"); d++) await report(v, DATA.get(d)!);
  return v;
}

const vterms = (t: Terms): ValuationTerms => ({
  startDay: t.startDay,
  termDays: t.termDays,
  efficiencyJPerThE3: t.efficiencyJPerThE3,
  poolFeeBps: t.poolFeeBps,
  slaBps: t.slaBps,
  powerCostUsdPerKWhE6: t.powerCostUsdPerKWhE6,
  serviceFeeUsdPerThDayE6: t.serviceFeeUsdPerThDayE6,
});

describe("SeriesValuationOracle", () => {
  let v: V;
  beforeEach(async () => {
    const f = await networkHelpers.loadFixture(base);
    v = { ...f, reported: new Map(f.reported) }; // the chain is reverted to the snapshot; the JS model must be too
  });

  it("is bit-identical to valuation.ts day by day across the 2024-04-20 halving (sats/WBTC and USD/6-dec quotes)", async () => {
    const model = (latest: number, haircut: number) =>
      unitValuation(vterms(v.terms), latest, (d) => v.reported.get(d), 30, haircut);
    const values: bigint[] = [];
    for (let d = dayOfDate("2024-04-18"); d <= dayOfDate("2024-05-10"); d++) {
      if (!v.reported.has(d)) {
        await goToDay(conn, d + 1, 600);
        await report(v, DATA.get(d)!);
      }
      const spot = DATA.get(d)!.btcUsdE8;
      await v.feed.setPrice(spot);
      const m = model(d, 0);
      const s = await v.sats.valuation();
      expect([s.latestDay, s.daysUsed, s.remainingDays, s.avgNetE18, s.unitValueE18]).to.deep.equal([
        BigInt(d),
        30n,
        BigInt(m.remainingDays),
        m.avgNetE18,
        m.unitValueE18,
      ]);
      expect(await v.sats.price()).to.equal(morphoPrice(m.unitValueE18, 8));
      const [roundId, answer, startedAt, updatedAt, answeredIn] = await v.sats.latestRoundData();
      expect([roundId, answer, startedAt, updatedAt, answeredIn]).to.deep.equal([
        BigInt(d),
        chainlinkAnswer(m.unitValueE18),
        BigInt((d + 1) * DAY),
        BigInt((d + 1) * DAY),
        BigInt(d),
      ]);

      const mu = model(d, 1_000);
      expect(mu.unitValueE18).to.equal((m.avgNetE18 * BigInt(m.remainingDays) * 9_000n) / (365n * 10_000n));
      const u = await v.usd.valuation();
      expect([u.unitValueE18, u.btcUsdE8]).to.deep.equal([mu.unitValueE18, spot]);
      expect(await v.usd.price()).to.equal(morphoPrice(mu.unitValueE18, 6, spot));
      const [, usdAnswer, , usdUpdatedAt] = await v.usd.latestRoundData();
      expect(usdAnswer).to.equal(chainlinkAnswer(mu.unitValueE18, spot));
      // updatedAt: the older input, here the end of the latest final day (the feed was just updated).
      expect(usdUpdatedAt).to.equal(BigInt((d + 1) * DAY));
      values.push(m.unitValueE18);
    }
    // Before the halving the value decays with the remaining term; after it the trailing average falls too.
    const [before, halving] = [values[1], values[2]]; // 2024-04-19, 2024-04-20
    expect(halving * 100n < before * 98n).to.equal(true);
    expect(values.at(-1)! * 2n < before).to.equal(true);
  });

  it("scales price() by the loan token's decimals (Morpho: 1e36 · 10^loanDecimals / 10^0)", async () => {
    const dai = await ethers.deployContract("TestERC20Decimals", [18]);
    const satsIn18 = await deployValuation(v, v.id, { loanToken: dai });
    const usdIn18 = await deployValuation(v, v.id, { quote: 1, loanToken: dai });
    const usdIn6 = await deployValuation(v, v.id, { quote: 1, loanToken: v.usdc });
    await v.feed.setPrice(day("2024-04-18").btcUsdE8);
    const value = (await v.sats.valuation()).unitValueE18;
    expect(await satsIn18.price()).to.equal((await v.sats.price()) * 10n ** 10n);
    expect(await usdIn18.price()).to.equal((await usdIn6.price()) * 10n ** 12n);
    // One unit ≈ 0.9 USD-cent-ish: USD per unit × 1e8 = sats × BTC/USD / 1e8.
    expect((await usdIn6.latestRoundData())[1]).to.equal((value * day("2024-04-18").btcUsdE8) / 10n ** 26n);
  });

  it("reports as updatedAt the older of its inputs (end of the latest final day, feed update)", async () => {
    // Now: 2024-04-19 01:00; latest final day 2024-04-18 ended at 04-19 00:00.
    const dayEnd = BigInt(dayOfDate("2024-04-19") * DAY);
    const px = day("2024-04-18").btcUsdE8;
    await v.feed.setRound(px, dayEnd - 3_600n); // 04-18 23:00: fresh (within 1 day) and older than the day end
    expect((await v.usd.latestRoundData())[3]).to.equal(dayEnd - 3_600n);
    await v.feed.setPrice(px); // now: newer than the day end
    expect((await v.usd.latestRoundData())[3]).to.equal(dayEnd);
    expect((await v.sats.latestRoundData())[3]).to.equal(dayEnd);
  });

  it("reverts on a stale oracle day and on a stale or non-positive feed; sats quote ignores the feed", async () => {
    // Latest final day is 2024-04-18; maxAgeDays = 2 → fine until day 2024-04-20 included.
    await goToDay(conn, dayOfDate("2024-04-20"), 80_000);
    await v.feed.setPrice(day("2024-04-18").btcUsdE8);
    await v.sats.price();
    await v.usd.price();
    await goToDay(conn, dayOfDate("2024-04-21"), 10);
    const t = await today(conn);
    await expect(v.sats.price())
      .to.be.revertedWithCustomError(v.sats, "StaleOracle")
      .withArgs(dayOfDate("2024-04-18"), t);
    await expect(v.sats.latestRoundData()).to.be.revertedWithCustomError(v.sats, "StaleOracle");
    // Reporting restores it.
    await report(v, day("2024-04-19"));
    await v.sats.price();
    // Feed older than its heartbeat (1 day): USD quote reverts, sats quote does not.
    const stale = BigInt(t * DAY - 2 * DAY);
    await v.feed.setRound(day("2024-04-19").btcUsdE8, stale);
    await expect(v.usd.price())
      .to.be.revertedWithCustomError(v.usd, "StalePrice")
      .withArgs(day("2024-04-19").btcUsdE8, stale);
    await v.sats.price();
    await v.feed.setPrice(0n);
    await expect(v.usd.price()).to.be.revertedWithCustomError(v.usd, "StalePrice");
    await v.feed.setPrice(-1n);
    await expect(v.usd.latestRoundData()).to.be.revertedWithCustomError(v.usd, "StalePrice");
    await v.feed.setPrice(day("2024-04-19").btcUsdE8);
    await v.usd.price();
  });

  it("is worth zero at term end, with no freshness check then", async () => {
    const id = await createSeries(v, await seriesTerms(v, dayOfDate("2024-04-10"), { termDays: 12 }));
    const o = await deployValuation(v, id);
    const terms = vterms(await seriesTerms(v, dayOfDate("2024-04-10"), { termDays: 12 }));
    // 2024-04-18 final → remaining = 04-22 − 04-19 = 3 days of 12.
    const m = unitValuation(terms, dayOfDate("2024-04-18"), (d) => v.reported.get(d));
    expect(m.remainingDays).to.equal(3);
    expect((await o.valuation()).unitValueE18).to.equal(m.unitValueE18);
    expect(m.unitValueE18 > 0n).to.equal(true);
    for (const date of ["2024-04-19", "2024-04-20"]) {
      await goToDay(conn, day(date).day + 1, 60);
      await report(v, day(date));
    }
    expect((await o.valuation()).remainingDays).to.equal(1n); // 04-21 left
    await goToDay(conn, dayOfDate("2024-04-22"), 60); // term over; oracle's latest day 04-20 (not stale yet)
    expect(await o.price()).to.equal(0n);
    await goToDay(conn, dayOfDate("2024-05-01"), 60); // oracle stale by now, still 0 instead of a revert
    expect(await o.price()).to.equal(0n);
    const [, answer, , updatedAt] = await o.latestRoundData();
    expect([answer, updatedAt]).to.deep.equal([0n, BigInt(dayOfDate("2024-04-22") * DAY)]);
    await expect(v.sats.price()).to.be.revertedWithCustomError(v.sats, "StaleOracle");
  });

  it("averages only the final days of the window and serves them as Chainlink rounds", async () => {
    // Skip 2024-04-19: report 04-20 first (day 04-19 missing from the window).
    await goToDay(conn, dayOfDate("2024-04-21"), 60);
    await report(v, day("2024-04-20"));
    const latest = dayOfDate("2024-04-20");
    const m = unitValuation(vterms(v.terms), latest, (d) => v.reported.get(d));
    const s = await v.sats.valuation();
    expect(s.daysUsed).to.equal(29n);
    expect(s.avgNetE18).to.equal(m.avgNetE18);
    // Rounds: roundId = day; a past final day gives the valuation as of then.
    const past = dayOfDate("2024-04-10");
    const mp = unitValuation(vterms(v.terms), past, (d) => v.reported.get(d));
    const [rid, answer, startedAt, updatedAt] = await v.sats.getRoundData(past);
    expect([rid, answer, startedAt, updatedAt]).to.deep.equal([
      BigInt(past),
      chainlinkAnswer(mp.unitValueE18),
      BigInt((past + 1) * DAY),
      BigInt((past + 1) * DAY),
    ]);
    // USD rounds of past days convert at that day's final BTC/USD.
    const pu = unitValuation(vterms(v.terms), past, (d) => v.reported.get(d), 30, 1_000);
    expect((await v.usd.getRoundData(past))[1]).to.equal(chainlinkAnswer(pu.unitValueE18, day("2024-04-10").btcUsdE8));
    await expect(v.sats.getRoundData(dayOfDate("2024-04-19")))
      .to.be.revertedWithCustomError(v.sats, "NoRound")
      .withArgs(dayOfDate("2024-04-19"));
    await expect(v.sats.getRoundData(2n ** 40n)).to.be.revertedWithCustomError(v.sats, "NoRound");
    expect(await v.sats.decimals()).to.equal(8n);
    expect(await v.sats.description()).to.equal(`wTHD-${v.id} / BTC (sats)`);
    expect(await v.usd.description()).to.equal(`wTHD-${v.id} / USD`);
    expect(await v.sats.version()).to.equal(1n);
  });

  it("optionally anticipates the halving: bit-identical to the model, close to the yield actually earned", async () => {
    const H = dayOfDate("2024-04-20");
    const aware = await deployValuation(v, v.id, { halvingDay: H });
    const realized = (latest: number) => {
      // What a unit went on to earn at SLA uptime over its remaining term, from the real data (sats × 1e18).
      let s = 0n;
      for (let d = latest + 1; d < SERIES_START + 365; d++) {
        const x = DATA.get(d)!;
        s += netAtSlaE18(v.terms, x.hashpriceE18, x.btcUsdE8);
      }
      return s / 365n;
    };
    for (let d = dayOfDate("2024-04-18"); d <= dayOfDate("2024-04-24"); d++) {
      if (!v.reported.has(d)) {
        await goToDay(conn, d + 1, 600);
        await report(v, DATA.get(d)!);
      }
      const m = unitValuation(vterms(v.terms), d, (x) => v.reported.get(x), 30, 0, H);
      const s = await aware.valuation();
      expect([s.remainingDays, s.remainingAfterHalving, s.avgNetE18, s.avgNetAfterHalvingE18, s.unitValueE18]).to.deep.equal([
        BigInt(m.remainingDays),
        BigInt(m.remainingAfterHalving),
        m.avgNetE18,
        m.avgNetAfterHalvingE18,
        m.unitValueE18,
      ]);
      expect(await aware.price()).to.equal(morphoPrice(m.unitValueE18, 8));
      if (d >= H) expect(m.remainingAfterHalving).to.equal(m.remainingDays);
      else expect(m.remainingAfterHalving).to.equal(SERIES_START + 365 - H);
      // The plain trailing value overstates the unit ~3.9× before the halving; the aware one is within 25 %.
      const plain = (await v.sats.valuation()).unitValueE18;
      const r = realized(d);
      if (d < H) expect(plain > r * 3n).to.equal(true);
      expect(s.unitValueE18 * 100n < r * 125n && s.unitValueE18 * 100n > r * 75n, `aware vs realized on day ${d}`).to.equal(
        true,
      );
    }
    // Without a halving day, the aware fields equal the plain ones.
    const plain = await v.sats.valuation();
    expect([plain.remainingAfterHalving, plain.avgNetAfterHalvingE18]).to.deep.equal([0n, plain.avgNetE18]);
  });

  it("values a series not started yet at its full term, and reverts before any oracle data", async () => {
    const later = await seriesTerms(v, dayOfDate("2024-06-01"), { termDays: 100 });
    const id = await createSeries(v, later);
    const o = await deployValuation(v, id);
    const s = await o.valuation();
    expect(s.remainingDays).to.equal(100n);
    const m = unitValuation(vterms(later), dayOfDate("2024-04-18"), (d) => v.reported.get(d));
    expect(s.unitValueE18).to.equal(m.unitValueE18);
    expect(s.unitValueE18).to.equal(m.avgNetE18); // remaining = term: a unit is worth one average day

    const fresh = await deployAll(conn, { feedPriceE8: null });
    const id2 = await createSeries(fresh, await seriesTerms(fresh, dayOfDate("2024-06-01")));
    const o2 = await deployValuation(fresh, id2);
    await expect(o2.price()).to.be.revertedWithCustomError(o2, "NoOracleData");
  });

  it("names the offending field of a bad configuration", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ token: ethers.ZeroAddress }, "token"],
      [{ hashpriceOracle: ethers.ZeroAddress }, "hashpriceOracle"],
      [{ loanToken: ethers.ZeroAddress }, "loanToken"],
      [{ windowDays: 367 }, "windowDays"],
      [{ haircutBps: 10_000 }, "haircutBps"],
      [{ maxAgeDays: 0 }, "maxAgeDays"],
      [{ quote: 1, btcUsdFeed: ethers.ZeroAddress }, "btcUsdFeed"],
      [{ quote: 1, feedHeartbeat: 0 }, "feedHeartbeat"],
    ];
    const factory = await ethers.getContractFactory("SeriesValuationOracle");
    for (const [over, field] of bad) {
      await expect(deployValuation(v, v.id, over))
        .to.be.revertedWithCustomError(factory, "InvalidConfig")
        .withArgs(field);
    }
    await expect(deployValuation(v, 42n)).to.be.revertedWithCustomError(v.token, "UnknownSeries").withArgs(42n);
    const o = await deployValuation(v, v.id, { windowDays: 0 });
    expect(await o.windowDays()).to.equal(30n);
    const receipt = await o.deploymentTransaction()!.wait();
    const ev = o.interface.parseLog(receipt!.logs.find((l) => l.address === o.target)!)!;
    expect(ev.name).to.equal("Configured");
    expect([ev.args.seriesId, ev.args.config.windowDays, ev.args.config.btcUsdFeed, ev.args.loanDecimals]).to.deep.equal([
      v.id,
      30n,
      ethers.ZeroAddress,
      8n,
    ]);
  });
});
