import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import {
  DAY,
  type DailyReport,
  type OracleFixture,
  deployOracle,
  goToDay,
  oracleDomain,
  signDaily,
  signUptime,
  submitDaily,
  submitUptimes,
  timelocked,
  today,
} from "../helpers/deploy.js";
import { reportTypes } from "../../cli/reporter/sign.js";
import { dailyReportOf, dayRange, loadDays, type DayInputs } from "../../domain/data.js";
import { hashpriceE18, targetFromBits } from "../../domain/hashprice.js";
import { dayOfDate } from "../../domain/units.js";

const DATA = loadDays();
const d = (date: string): DayInputs => DATA.get(dayOfDate(date))!;
const at = (day: number): DayInputs => DATA.get(day)!;
const report = (x: DayInputs, over: Partial<DailyReport> = {}): DailyReport => ({ ...dailyReportOf(x), ...over });
/** Violation flags (IHashpriceOracle). */
const V = { SUBSIDY: 1, BITS: 2, BLOCKS: 4, FEES: 8, HEIGHTS: 16 } as const;
/** Bitcoin Core `GetCompact`: compact bits of a target (truncating the mantissa to 3 bytes). */
function bitsFromTarget(t: bigint): number {
  let size = Math.ceil(t.toString(16).length / 2);
  let mantissa = Number(size <= 3 ? t << BigInt(8 * (3 - size)) : t >> BigInt(8 * (size - 3)));
  if (mantissa & 0x00800000) {
    mantissa >>>= 8;
    size++;
  }
  return ((size << 24) | mantissa) >>> 0;
}
const E8 = 10n ** 8n;
const FEED_PRICE = 60_000n * E8;

/** Chain starts on 2024-04-10; tests report days around the 2024-04-20 halving. */
const conn = await network.create({ override: { initialDate: "2024-04-10T00:00:00Z" } });
const { ethers, networkHelpers } = conn;

async function base(): Promise<OracleFixture> {
  const f = await deployOracle(conn, { reporters: 5, quorum: 3 });
  await goToDay(conn, dayOfDate("2024-04-19"), 3600);
  await f.feed.setPrice(FEED_PRICE);
  return f;
}

describe("HashpriceOracle", () => {
  let f: OracleFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(base);
  });

  describe("hashprice formula", () => {
    it("matches the data README checks and hashprice.ts on real days", async () => {
      for (const [date, sats] of [
        ["2021-01-01", "675.97"],
        ["2024-04-19", "145.54"],
        ["2024-04-20", "72.77"],
        ["2025-12-31", "42.40"],
      ]) {
        const x = d(date);
        const hp = await f.oracle.computeHashpriceE18(x.bits, x.subsidySats, 0n);
        expect(hp).to.equal(hashpriceE18(x.bits, x.subsidySats, 0n));
        expect((Number(hp / 10n ** 14n) / 1e4).toFixed(2)).to.equal(sats);
      }
    });

    it("with the day's fees per block (fees ÷ blocks) matches the data README's reference values", async () => {
      for (const [date, sats] of [
        ["2021-01-01", "711.29"],
        ["2024-04-19", "173.28"],
        ["2024-04-20", "288.88"],
        ["2025-12-31", "42.71"],
      ]) {
        const x = d(date);
        expect(x.feesPerBlockSats).to.equal(x.feesSats / BigInt(x.blocks));
        const hp = await f.oracle.computeHashpriceE18(x.bits, x.subsidySats, x.feesPerBlockSats);
        expect(hp).to.equal(x.hashpriceE18);
        expect((Number(hp / 10n ** 14n) / 1e4).toFixed(2)).to.equal(sats);
      }
    });

    it("is bit-identical to hashprice.ts for random bits, subsidy and fees (reverting exactly when TS throws)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0x17000000, max: 0x1d7fffff })),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          async (bits, subsidy, fees) => {
            let expected: bigint | undefined;
            try {
              expected = hashpriceE18(bits, subsidy, fees);
            } catch {
              expected = undefined;
            }
            if (expected === undefined) {
              await expect(f.oracle.computeHashpriceE18(bits, subsidy, fees))
                .to.be.revertedWithCustomError(f.oracle, "InvalidBits")
                .withArgs(bits);
            } else {
              expect(await f.oracle.computeHashpriceE18(bits, subsidy, fees)).to.equal(expected);
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it("decodes targets like Bitcoin Core and rejects negative, zero and overflowing ones", async () => {
      expect(await f.oracle.targetFromBits(0x1d00ffff)).to.equal(targetFromBits(0x1d00ffff));
      expect(await f.oracle.targetFromBits(0x03123456)).to.equal(0x123456n);
      expect(await f.oracle.targetFromBits(0x02123400)).to.equal(0x1234n);
      expect(await f.oracle.targetFromBits(0x20000001)).to.equal(1n << 232n);
      for (const bad of [0x1d80ffff, 0x1d000000, 0x01000001, 0x21010000, 0xff7fffff, 0x22000100]) {
        await expect(f.oracle.targetFromBits(bad)).to.be.revertedWithCustomError(f.oracle, "InvalidBits").withArgs(bad);
      }
    });
  });

  describe("daily report", () => {
    it("finalizes a quorum-signed report with the fresh feed price and emits every input", async () => {
      const x = d("2024-04-18");
      await expect(submitDaily(f, report(x)))
        .to.emit(f.oracle, "DailyReportFinalized")
        .withArgs(x.day, x.firstHeight, x.blocks, x.bits, x.subsidySats, x.feesPerBlockSats, x.hashpriceE18, FEED_PRICE, true);
      expect(await f.oracle.hashpriceE18(x.day)).to.equal(x.hashpriceE18);
      expect(await f.oracle.btcUsdE8(x.day)).to.equal(FEED_PRICE);
      const v = await f.oracle.dailyValues(x.day);
      expect(v.status).to.equal(2n);
      expect(v.priceFromFeed).to.equal(true);
      expect(await f.oracle.trailingHashprice()).to.deep.equal([x.hashpriceE18, BigInt(x.day)]);
    });

    it("accepts more than quorum and all N signatures", async () => {
      const x = d("2024-04-18");
      await f.oracle.submitDailyReport(report(x), await signDaily(f, report(x), f.reporters));
      expect(await f.oracle.hashpriceE18(x.day)).to.equal(x.hashpriceE18);
    });

    it("takes fees per block into the hashprice", async () => {
      const x = d("2024-04-18");
      const fees = 25_000_000n;
      await submitDaily(f, report(x, { feesPerBlockSats: fees }));
      expect(await f.oracle.hashpriceE18(x.day)).to.equal(hashpriceE18(x.bits, x.subsidySats, fees));
    });

    it("uses the reporters' price when the feed is stale, answers ≤ 0, is from the future, overflows, reverts or is unset", async () => {
      const x = d("2024-04-10");
      const now = await networkHelpers.time.latest();
      const cases: [string, () => Promise<unknown>][] = [
        ["stale", () => f.feed.setRound(FEED_PRICE, now - DAY - 10)],
        ["zero", () => f.feed.setPrice(0)],
        ["negative", () => f.feed.setPrice(-1)],
        ["future", () => f.feed.setRound(FEED_PRICE, now + 10 * DAY)],
        ["over 64 bits", () => f.feed.setPrice(2n ** 64n)],
        ["reverting", async () => (await f.feed.setPrice(FEED_PRICE), f.feed.setBroken(true))],
        ["unset", () => timelocked(conn, f.oracle, f.admin, "setPriceFeed", [ethers.ZeroAddress, 0])],
      ];
      for (const [i, [, make]] of cases.entries()) {
        await make();
        const y = at(x.day + i);
        const r = report(y);
        await expect(submitDaily(f, r))
          .to.emit(f.oracle, "DailyReportFinalized")
          .withArgs(r.day, anyValue, anyValue, anyValue, anyValue, anyValue, anyValue, y.btcUsdE8, false);
        expect(await f.oracle.btcUsdE8(r.day)).to.equal(y.btcUsdE8);
      }
    });

    it("reverts NoPrice when the feed is stale and reporters sent no price", async () => {
      const x = d("2024-04-15");
      await f.feed.setRound(FEED_PRICE, 1);
      await expect(submitDaily(f, report(x, { btcUsdE8: 0n })))
        .to.be.revertedWithCustomError(f.oracle, "NoPrice")
        .withArgs(x.day);
    });

    it("reverts DayNotEnded for today and later", async () => {
      const t = await today(conn);
      for (const day of [t, t + 1]) {
        await expect(submitDaily(f, report(d("2024-04-18"), { day })))
          .to.be.revertedWithCustomError(f.oracle, "DayNotEnded")
          .withArgs(day);
      }
    });

    it("reverts AlreadyReported for a final or a pending day", async () => {
      const x = d("2024-04-18");
      await submitDaily(f, report(x));
      await expect(submitDaily(f, report(x))).to.be.revertedWithCustomError(f.oracle, "AlreadyReported").withArgs(x.day);
      const y = report(d("2024-04-17"), { subsidySats: x.subsidySats * 3n }); // not the heights' subsidy: pending
      await expect(submitDaily(f, y)).to.emit(f.oracle, "DailyReportPending");
      await expect(submitDaily(f, y)).to.be.revertedWithCustomError(f.oracle, "AlreadyReported").withArgs(y.day);
    });

    it("reverts InvalidBits", async () => {
      const r = report(d("2024-04-18"), { bits: 0x1d80ffff });
      await expect(submitDaily(f, r)).to.be.revertedWithCustomError(f.oracle, "InvalidBits").withArgs(0x1d80ffff);
    });

    it("reverts SafeCastOverflowedUintDowncast when the hashprice exceeds 128 bits (regtest-like bits)", async () => {
      const r = report(d("2024-04-18"), { bits: 0x207fffff, subsidySats: 50n * E8 });
      const hp = hashpriceE18(r.bits, r.subsidySats, r.feesPerBlockSats);
      expect(hp >= 2n ** 128n).to.equal(true);
      await expect(submitDaily(f, r)).to.be.revertedWithCustomError(f.oracle, "SafeCastOverflowedUintDowncast").withArgs(128, hp);
    });

    it("reverts QuorumNotReached below quorum", async () => {
      const r = report(d("2024-04-18"));
      const sigs = await signDaily(f, r, f.reporters.slice(0, 2));
      await expect(f.oracle.submitDailyReport(r, sigs))
        .to.be.revertedWithCustomError(f.oracle, "QuorumNotReached")
        .withArgs(2, 3);
      await expect(f.oracle.submitDailyReport(r, [])).to.be.revertedWithCustomError(f.oracle, "QuorumNotReached");
    });

    it("reverts SignersNotAscending on a repeated or descending signer", async () => {
      const r = report(d("2024-04-18"));
      const [a, b, c] = f.reporters;
      for (const order of [[a, a, b], [a, c, b], [c, b, a]]) {
        await expect(f.oracle.submitDailyReport(r, await signDaily(f, r, order))).to.be.revertedWithCustomError(
          f.oracle,
          "SignersNotAscending",
        );
      }
    });

    it("reverts UnknownReporter for a non-reporter signer", async () => {
      const r = report(d("2024-04-18"));
      const outsider = f.holders[0];
      await expect(f.oracle.submitDailyReport(r, await signDaily(f, r, [...f.reporters.slice(0, 2), outsider])))
        .to.be.revertedWithCustomError(f.oracle, "UnknownReporter")
        .withArgs(outsider.address);
    });

    it("binds day, fields, contract and chain id: replays recover unknown signers", async () => {
      const x = d("2024-04-18");
      const r = report(x);
      const sigs = await signDaily(f, r);
      // same signatures, another day / another field
      for (const other of [report(x, { day: x.day - 1 }), report(x, { btcUsdE8: x.btcUsdE8 + 1n }), report(x, { bits: 0x1d00ffff })]) {
        await expect(f.oracle.submitDailyReport(other, sigs)).to.be.revertedWithCustomError(f.oracle, "UnknownReporter");
      }
      // signed for another oracle with the same reporters
      const f2 = await deployOracle(conn, { reporters: 5, quorum: 3 });
      await expect(f.oracle.submitDailyReport(r, await signDaily(f2, r))).to.be.revertedWithCustomError(
        f.oracle,
        "UnknownReporter",
      );
      // signed for another chain id
      const domain = { ...(await oracleDomain(f.oracle, f.chainId)), chainId: f.chainId + 1n };
      const types = { DailyReport: [...reportTypes.DailyReport] };
      const wrongChain = await Promise.all(f.reporters.slice(0, 3).map((s) => s.signTypedData(domain, types, r)));
      await expect(f.oracle.submitDailyReport(r, wrongChain)).to.be.revertedWithCustomError(f.oracle, "UnknownReporter");
      // the genuine ones still work
      await f.oracle.submitDailyReport(r, sigs);
    });

    it("exposes a domain separator equal to the EIP-712 hash of (name, version, chain id, contract)", async () => {
      const expected = ethers.TypedDataEncoder.hashDomain(await oracleDomain(f.oracle, f.chainId));
      expect(await f.oracle.domainSeparator()).to.equal(expected);
    });
  });

  describe("input bounds (constant rules; no band on the hashprice)", () => {
    /** Reports the `n` real days from `from` on (final, as real days are). */
    async function warm(from: string, n: number) {
      for (let i = 0; i < n; i++) await submitDaily(f, report(at(dayOfDate(from) + i)));
    }
    const lastHeight = (x: DayInputs) => x.firstHeight + x.blocks - 1;
    /** Whether a retarget height (multiple of 2016) lies in [lo, hi]. */
    const retargetIn = (lo: number, hi: number) => Math.floor(hi / 2016) * 2016 >= lo;

    it("finalizes the first report without a reference day, then the real halving days (hashprice +67 % on 2024-04-20)", async () => {
      const before = d("2024-04-19");
      const halving = d("2024-04-20");
      expect(halving.bits).to.equal(before.bits);
      expect(halving.hashpriceE18 * 10n > before.hashpriceE18 * 16n).to.equal(true); // Runes fees: 75 % of the reward
      await goToDay(conn, halving.day + 1);
      await expect(submitDaily(f, report(d("2024-04-12")))).to.emit(f.oracle, "DailyReportFinalized"); // no reference yet
      await warm("2024-04-13", 6);
      await expect(submitDaily(f, report(before))).to.emit(f.oracle, "DailyReportFinalized");
      await expect(submitDaily(f, report(halving))).to.emit(f.oracle, "DailyReportFinalized");
      expect(await f.oracle.trailingHashprice()).to.deep.equal([halving.hashpriceE18, BigInt(halving.day)]);
    });

    it("replays every real day 2023-01-01 .. 2025-12-31: all final, 0 pending", async () => {
      const g = await deployOracle(conn, { reporters: 1, quorum: 1 });
      const days = dayRange(DATA, "2023-01-01", "2025-12-31");
      await goToDay(conn, days[days.length - 1].day + 1);
      const pending: string[] = [];
      for (const x of days) {
        const r = report(x);
        const v = await g.oracle.checkReport(r);
        if (v !== 0n) pending.push(`${x.date}: ${v}`);
        await submitDaily(g, r);
      }
      expect(pending).to.deep.equal([]);
      expect(await g.oracle.queryFilter(g.oracle.filters.DailyReportPending())).to.have.length(0);
      expect(await g.oracle.queryFilter(g.oracle.filters.DailyReportFinalized())).to.have.length(days.length);
    });

    it("corrupted inputs land pending, each with its own flag; the genuine report is then final", async () => {
      await warm("2024-03-01", 7);
      const x = d("2024-03-08");
      const prev = d("2024-03-07");
      expect(retargetIn(prev.firstHeight, lastHeight(x))).to.equal(false); // no retarget: bits must not change
      const fees = dayRange(DATA, "2024-03-01", "2024-03-07").map((y) => y.feesPerBlockSats).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(await f.oracle.feeMedian()).to.deep.equal([fees[3], 7n]);
      const cases: [string, Partial<DailyReport>, number][] = [
        ["difficulty ×2 off a retarget", { bits: bitsFromTarget(targetFromBits(x.bits) / 2n) }, V.BITS],
        ["wrong subsidy (12.5 BTC in 2024)", { subsidySats: x.subsidySats * 2n }, V.SUBSIDY],
        ["fees ×100", { feesPerBlockSats: x.feesPerBlockSats * 100n }, V.FEES],
        ["fees ÷100", { feesPerBlockSats: x.feesPerBlockSats / 100n }, V.FEES],
        ["1,000 blocks", { blocks: 1_000 }, V.BLOCKS],
        ["35 blocks", { blocks: 35 }, V.BLOCKS],
        ["no blocks", { blocks: 0 }, V.BLOCKS],
        ["heights skipping a block after the previous day's", { firstHeight: x.firstHeight + 1 }, V.HEIGHTS],
        ["heights overlapping the previous day's", { firstHeight: prev.firstHeight }, V.HEIGHTS],
        ["all at once", { bits: bitsFromTarget(targetFromBits(x.bits) / 2n), subsidySats: 1n, feesPerBlockSats: 0n, blocks: 35, firstHeight: x.firstHeight + 1 }, 31],
      ];
      expect(await f.oracle.checkReport(report(x))).to.equal(0n);
      for (const [name, over, flag] of cases) expect(await f.oracle.checkReport(report(x, over)), name).to.equal(BigInt(flag));
      for (const [, over, flag] of cases) {
        const r = report(x, over);
        await expect(submitDaily(f, r))
          .to.emit(f.oracle, "DailyReportPending")
          .withArgs(x.day, r.firstHeight, r.blocks, r.bits, r.subsidySats, r.feesPerBlockSats, hashpriceE18(r.bits, r.subsidySats, r.feesPerBlockSats), FEED_PRICE, true, flag);
        await expect(f.oracle.hashpriceE18(x.day)).to.be.revertedWithCustomError(f.oracle, "NotFinal").withArgs(x.day);
        await f.oracle.connect(f.guardian).rejectPending(x.day);
      }
      await expect(submitDaily(f, report(x))).to.emit(f.oracle, "DailyReportFinalized");
    });

    it("a retarget lets bits change within the consensus 4×: the real change is final, ×5 either way is pending", async () => {
      // the first day after a week of 2024-03 whose bits differ from the day before's
      let day = dayOfDate("2024-03-08");
      while (at(day).bits === at(day - 1).bits) day++;
      const x = at(day);
      const ref = at(day - 1);
      await warm(dayRange(DATA, "2024-01-01", "2024-12-31").find((y) => y.day === day - 7)!.date, 7);
      expect(retargetIn(ref.firstHeight, lastHeight(x))).to.equal(true);
      const t = targetFromBits(ref.bits);
      expect(await f.oracle.checkReport(report(x))).to.equal(0n);
      expect(await f.oracle.checkReport(report(x, { bits: bitsFromTarget(t * 4n) }))).to.equal(0n);
      expect(await f.oracle.checkReport(report(x, { bits: bitsFromTarget(t / 4n) }))).to.equal(0n);
      expect(await f.oracle.checkReport(report(x, { bits: bitsFromTarget(t * 5n) }))).to.equal(BigInt(V.BITS));
      expect(await f.oracle.checkReport(report(x, { bits: bitsFromTarget(t / 5n) }))).to.equal(BigInt(V.BITS));
      await expect(submitDaily(f, report(x, { bits: bitsFromTarget(t * 5n) }))).to.emit(f.oracle, "DailyReportPending");
      await f.oracle.connect(f.guardian).rejectPending(x.day);
      await expect(submitDaily(f, report(x))).to.emit(f.oracle, "DailyReportFinalized");
    });

    it("subsidy: the subsidy of the day's first or last height (2024-04-19 holds both 6.25 and 3.125 BTC heights)", async () => {
      const x = d("2024-04-19");
      expect(x.firstHeight <= 840_000 && lastHeight(x) >= 840_000).to.equal(true);
      expect(await f.oracle.subsidyAt(839_999)).to.equal(625_000_000n);
      expect(await f.oracle.subsidyAt(840_000)).to.equal(312_500_000n);
      expect(await f.oracle.subsidyAt(64 * 210_000)).to.equal(0n);
      expect(await f.oracle.checkReport(report(x))).to.equal(0n);
      expect(await f.oracle.checkReport(report(x, { subsidySats: 312_500_000n }))).to.equal(0n);
      expect(await f.oracle.checkReport(report(x, { subsidySats: 312_500_001n }))).to.equal(BigInt(V.SUBSIDY));
    });

    it("a pending report is not final and leaves the reference; only the guardian confirms it", async () => {
      const x = d("2024-04-10");
      await submitDaily(f, report(x));
      const y = at(x.day + 1);
      const low = report(y, { subsidySats: y.subsidySats / 2n });
      const hpLow = hashpriceE18(low.bits, low.subsidySats, low.feesPerBlockSats);
      await expect(submitDaily(f, low))
        .to.emit(f.oracle, "DailyReportPending")
        .withArgs(low.day, low.firstHeight, low.blocks, low.bits, low.subsidySats, low.feesPerBlockSats, hpLow, FEED_PRICE, true, V.SUBSIDY);
      await expect(f.oracle.hashpriceE18(low.day)).to.be.revertedWithCustomError(f.oracle, "NotFinal").withArgs(low.day);
      await expect(f.oracle.btcUsdE8(low.day)).to.be.revertedWithCustomError(f.oracle, "NotFinal");
      expect((await f.oracle.dailyValues(low.day)).status).to.equal(1n);
      expect(await f.oracle.trailingHashprice()).to.deep.equal([x.hashpriceE18, BigInt(x.day)]);

      await expect(f.oracle.connect(f.admin).confirmPending(low.day))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.oracle.GUARDIAN_ROLE());
      await expect(f.oracle.connect(f.guardian).confirmPending(low.day))
        .to.emit(f.oracle, "DailyReportFinalized")
        .withArgs(low.day, low.firstHeight, low.blocks, low.bits, low.subsidySats, low.feesPerBlockSats, hpLow, FEED_PRICE, true);
      expect(await f.oracle.hashpriceE18(low.day)).to.equal(hpLow);
      expect(await f.oracle.trailingHashprice()).to.deep.equal([hpLow, BigInt(low.day)]);
      await expect(f.oracle.connect(f.guardian).confirmPending(low.day))
        .to.be.revertedWithCustomError(f.oracle, "NotPending")
        .withArgs(low.day);
    });

    it("guardian rejects a pending report; the day can be reported again", async () => {
      const x = d("2024-04-10");
      await submitDaily(f, report(x));
      const y = at(x.day + 1);
      const wild = report(y, { subsidySats: y.subsidySats * 10n });
      await submitDaily(f, wild);
      await expect(f.oracle.connect(f.holders[0]).rejectPending(wild.day)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(f.guardian).rejectPending(wild.day))
        .to.emit(f.oracle, "DailyReportRejected")
        .withArgs(wild.day);
      expect((await f.oracle.dailyValues(wild.day)).status).to.equal(0n);
      await expect(f.oracle.connect(f.guardian).rejectPending(wild.day))
        .to.be.revertedWithCustomError(f.oracle, "NotPending")
        .withArgs(wild.day);
      await expect(submitDaily(f, report(y))).to.emit(f.oracle, "DailyReportFinalized");
    });

    it("an older day finalized later does not move the reference; its heights must end where the reference's begin", async () => {
      const x = d("2024-04-12");
      await submitDaily(f, report(x));
      const older = d("2024-04-11");
      expect(await f.oracle.checkReport(report(older, { firstHeight: older.firstHeight + 1 }))).to.equal(BigInt(V.HEIGHTS));
      await expect(submitDaily(f, report(older))).to.emit(f.oracle, "DailyReportFinalized");
      expect(await f.oracle.trailingHashprice()).to.deep.equal([x.hashpriceE18, BigInt(x.day)]);
      expect(await f.oracle.feeMedian()).to.deep.equal([x.feesPerBlockSats, 1n]);
    });
  });

  describe("feed configuration", () => {
    it("admin sets the feed and heartbeat through the timelock with an event; heartbeat 0 is refused for a feed", async () => {
      const feed18 = await ethers.deployContract("TestPriceFeed", [18, 0]);
      for (const s of [f.guardian, f.admin]) {
        await expect(f.oracle.connect(s).setPriceFeed(feed18, 3600)).to.be.revertedWithCustomError(f.oracle, "NotTimelocked");
      }
      await expect(timelocked(conn, f.oracle, f.admin, "setPriceFeed", [await feed18.getAddress(), 0]))
        .to.be.revertedWithCustomError(f.oracle, "InvalidConfig")
        .withArgs("heartbeat");
      await expect(timelocked(conn, f.oracle, f.admin, "setPriceFeed", [await feed18.getAddress(), 3600]))
        .to.emit(f.oracle, "PriceFeedSet")
        .withArgs(await feed18.getAddress(), 3600);
      await feed18.setPrice(65_432_123_456_789n * 10n ** 9n); // 65,432.123456789 USD, 18 decimals
      expect(await f.oracle.feedPrice()).to.deep.equal([6_543_212_345_678n, true]);
      const x = d("2024-04-15");
      await submitDaily(f, report(x));
      expect(await f.oracle.btcUsdE8(x.day)).to.equal(6_543_212_345_678n);

      const feed37 = await ethers.deployContract("TestPriceFeed", [37, 1]);
      await expect(timelocked(conn, f.oracle, f.admin, "setPriceFeed", [await feed37.getAddress(), 3600]))
        .to.be.revertedWithCustomError(f.oracle, "InvalidConfig")
        .withArgs("feed");
      const feed6 = await ethers.deployContract("TestPriceFeed", [6, 61_000_000_000n]); // 61,000 USD
      await timelocked(conn, f.oracle, f.admin, "setPriceFeed", [await feed6.getAddress(), 3600]);
      await feed6.setPrice(61_000_000_000n); // fresh again after the timelock's delay
      expect(await f.oracle.feedPrice()).to.deep.equal([61_000n * E8, true]);
    });

    it("heartbeat boundary: a price exactly heartbeat old is used, one second older is not", async () => {
      const x = d("2024-04-10");
      const t = (await networkHelpers.time.latest()) + 100;
      await f.feed.setRound(FEED_PRICE, t - DAY);
      const r1 = report(x);
      const s1 = await signDaily(f, r1);
      await networkHelpers.time.setNextBlockTimestamp(t); // exactly DAY old when the report is mined
      await f.oracle.submitDailyReport(r1, s1);
      expect((await f.oracle.dailyValues(x.day)).priceFromFeed).to.equal(true);
      expect(await f.oracle.btcUsdE8(x.day)).to.equal(FEED_PRICE);
      const r2 = report(at(x.day + 1));
      const s2 = await signDaily(f, r2);
      await networkHelpers.time.setNextBlockTimestamp(t + 1); // DAY + 1 s old
      await f.oracle.submitDailyReport(r2, s2);
      expect((await f.oracle.dailyValues(x.day + 1)).priceFromFeed).to.equal(false);
      expect(await f.oracle.btcUsdE8(x.day + 1)).to.equal(r2.btcUsdE8);
    });
  });

  describe("uptime reports", () => {
    it("finalizes a batch of quorum-signed uptimes with events", async () => {
      const day = (await today(conn)) - 1;
      const farms = f.holders.map((h) => h.address);
      const reports = farms.map((farm, i) => ({ farm, day, uptimeBps: [10_000, 0, 9_512][i] }));
      const tx = submitUptimes(f, reports);
      for (const r of reports) await expect(tx).to.emit(f.oracle, "UptimeReported").withArgs(r.farm, day, r.uptimeBps);
      for (const r of reports) {
        expect(await f.oracle.uptimeBps(r.farm, day)).to.equal(r.uptimeBps);
        expect(await f.oracle.hasUptime(r.farm, day)).to.equal(true);
      }
      expect(await f.oracle.hasUptime(farms[0], day - 1)).to.equal(false);
      await expect(f.oracle.uptimeBps(farms[0], day - 1))
        .to.be.revertedWithCustomError(f.oracle, "NoUptime")
        .withArgs(farms[0], day - 1);
    });

    it("reverts InvalidUptime, UptimeAlreadyReported, DayNotEnded, LengthMismatch and quorum errors", async () => {
      const day = (await today(conn)) - 1;
      const farm = f.farm.address;
      await expect(submitUptimes(f, [{ farm, day, uptimeBps: 10_001 }]))
        .to.be.revertedWithCustomError(f.oracle, "InvalidUptime")
        .withArgs(10_001);
      await submitUptimes(f, [{ farm, day, uptimeBps: 9_000 }]);
      await expect(submitUptimes(f, [{ farm, day, uptimeBps: 9_000 }]))
        .to.be.revertedWithCustomError(f.oracle, "UptimeAlreadyReported")
        .withArgs(farm, day);
      // a batch is atomic: a second report for the same farm-day in one batch reverts the whole batch
      await expect(
        submitUptimes(f, [
          { farm, day: day - 1, uptimeBps: 1 },
          { farm, day: day - 1, uptimeBps: 2 },
        ]),
      ).to.be.revertedWithCustomError(f.oracle, "UptimeAlreadyReported");
      expect(await f.oracle.hasUptime(farm, day - 1)).to.equal(false);
      await expect(submitUptimes(f, [{ farm, day: day + 1, uptimeBps: 1 }]))
        .to.be.revertedWithCustomError(f.oracle, "DayNotEnded")
        .withArgs(day + 1);
      const r = { farm, day: day - 2, uptimeBps: 5 };
      const sigs = await signUptime(f, r);
      await expect(f.oracle.submitUptimeReports([r], [])).to.be.revertedWithCustomError(f.oracle, "LengthMismatch");
      await expect(f.oracle.submitUptimeReports([r], [sigs.slice(0, 2)]))
        .to.be.revertedWithCustomError(f.oracle, "QuorumNotReached")
        .withArgs(2, 3);
      await expect(f.oracle.submitUptimeReports([r], [[sigs[1], sigs[0], sigs[2]]])).to.be.revertedWithCustomError(
        f.oracle,
        "SignersNotAscending",
      );
      await expect(f.oracle.submitUptimeReports([{ ...r, uptimeBps: 6 }], [sigs])).to.be.revertedWithCustomError(
        f.oracle,
        "UnknownReporter",
      );
      await expect(f.oracle.submitUptimeReports([{ ...r, farm: f.holders[0].address }], [sigs])).to.be.revertedWithCustomError(
        f.oracle,
        "UnknownReporter",
      );
      await f.oracle.submitUptimeReports([r], [sigs]);
      expect(await f.oracle.uptimeBps(farm, r.day)).to.equal(5);
    });
  });

  describe("reporter set (timelocked)", () => {
    it("propose → wait for the delay → execute; old reporters no longer count", async () => {
      const next = f.holders.map((h) => h.address);
      const delay = await f.oracle.timelockDelay();
      const tx = f.oracle.connect(f.admin).proposeReporterSet(next, 2);
      await expect(tx).to.emit(f.oracle, "ReporterSetProposed");
      const eta = (await f.oracle.proposal()).eta;
      expect(eta).to.equal(BigInt(await networkHelpers.time.latest()) + delay);
      await expect(f.oracle.executeReporterSet()).to.be.revertedWithCustomError(f.oracle, "TimelockNotElapsed").withArgs(eta);
      await networkHelpers.time.increaseTo(eta - 1n);
      await expect(f.oracle.executeReporterSet()).to.emit(f.oracle, "ReporterSetChanged").withArgs(next, 2); // mined at eta
      expect(await f.oracle.reporters()).to.deep.equal([next, 2n]);
      for (const r of f.reporters) expect(await f.oracle.isReporter(r.address)).to.equal(false);
      await expect(f.oracle.executeReporterSet()).to.be.revertedWithCustomError(f.oracle, "NoProposal");

      const x = d("2024-04-15");
      await expect(submitDaily(f, report(x))).to.be.revertedWithCustomError(f.oracle, "UnknownReporter");
      const sorted = [...f.holders].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      await f.oracle.submitDailyReport(report(x), await signDaily(f, report(x), sorted.slice(0, 2)));
      expect(await f.oracle.hashpriceE18(x.day)).to.equal(x.hashpriceE18);
    });

    it("only admin proposes; admin or guardian cancels; NoProposal when none", async () => {
      const next = f.holders.map((h) => h.address);
      await expect(f.oracle.connect(f.guardian).proposeReporterSet(next, 2)).to.be.revertedWithCustomError(
        f.oracle,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.oracle.connect(f.guardian).cancelReporterSet()).to.be.revertedWithCustomError(f.oracle, "NoProposal");
      for (const canceller of [f.admin, f.guardian]) {
        await f.oracle.connect(f.admin).proposeReporterSet(next, 2);
        await expect(f.oracle.connect(f.holders[0]).cancelReporterSet()).to.be.revertedWithCustomError(
          f.oracle,
          "AccessControlUnauthorizedAccount",
        );
        await expect(f.oracle.connect(canceller).cancelReporterSet()).to.emit(f.oracle, "ReporterSetCancelled");
        await networkHelpers.time.increase(Number(await f.oracle.timelockDelay()) + 1);
        await expect(f.oracle.executeReporterSet()).to.be.revertedWithCustomError(f.oracle, "NoProposal");
      }
      expect((await f.oracle.reporters())[0]).to.deep.equal(f.reporters.map((r) => r.address));
    });

    it("a new proposal replaces the old one with a fresh eta", async () => {
      const a = f.holders.map((h) => h.address);
      await f.oracle.connect(f.admin).proposeReporterSet(a, 2);
      const eta1 = (await f.oracle.proposal()).eta;
      await networkHelpers.time.increase(1000);
      await f.oracle.connect(f.admin).proposeReporterSet(a.slice(0, 1), 1);
      const p = await f.oracle.proposal();
      expect(p.eta).to.equal(eta1 + 1001n);
      expect(p.reporters_).to.deep.equal(a.slice(0, 1));
    });

    it("reverts InvalidReporterSet: empty, quorum ≤ n/2, quorum > n, duplicate, zero address", async () => {
      const [a, b, c] = f.holders.map((h) => h.address);
      const bad: [string[], number][] = [
        [[], 0],
        [[a, b], 1],
        [[a, b, c], 1],
        [[a, b], 3],
        [[a, b, a], 2],
        [[a, ethers.ZeroAddress], 2],
        [[a], 0],
      ];
      for (const [set, q] of bad) {
        await expect(f.oracle.connect(f.admin).proposeReporterSet(set, q)).to.be.revertedWithCustomError(
          f.oracle,
          "InvalidReporterSet",
        );
      }
      // boundaries that pass: quorum = ⌊n/2⌋ + 1 and quorum = n
      await f.oracle.connect(f.admin).proposeReporterSet([a, b, c], 2);
      await f.oracle.connect(f.admin).proposeReporterSet([a, b], 2);
      await f.oracle.connect(f.admin).proposeReporterSet([a], 1);
    });

    it("constructor validates admin, guardian, reporter set and heartbeat", async () => {
      const [a, b] = f.holders.map((h) => h.address);
      const Z = ethers.ZeroAddress;
      const F = await ethers.getContractFactory("HashpriceOracle");
      await expect(F.deploy(Z, a, [a], 1, 0, Z, 0)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("admin");
      await expect(F.deploy(a, Z, [a], 1, 0, Z, 0)).to.be.revertedWithCustomError(F, "ZeroGuardian");
      await expect(F.deploy(a, b, [a, b], 1, 0, Z, 0)).to.be.revertedWithCustomError(F, "InvalidReporterSet");
      await expect(F.deploy(a, b, [a], 1, 0, f.feed, 0)).to.be.revertedWithCustomError(F, "InvalidConfig").withArgs("heartbeat");
    });
  });
});
