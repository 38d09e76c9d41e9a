/**
 * Replays 366 consecutive real days (2023-06-01 .. 2024-05-31, the 2024-04-20 halving included) from `data/`
 * through the oracle quorum and the settlement, for one series held by three holders, and checks every day's
 * breakdown (hashprice, per-TH/s·day components, owed sats, draws), the token's per-unit accumulator and every
 * holder's yield against `domain/settlement.ts` + `accumulator.ts`, to the satoshi.
 */
import { expect } from "chai";
import { network } from "hardhat";
import {
  createSeries,
  deployAll,
  deposit,
  goToDay,
  postCollateral,
  seriesTerms,
  signDaily,
  signUptime,
  type UptimeReport,
} from "../helpers/deploy.js";
import { FarmModel, parseSettled } from "../helpers/model.js";
import { dailyReportOf, dayRange, loadDays } from "../../domain/data.js";
import { ACC_SCALE } from "../../domain/units.js";
import { hashpriceE18 } from "../../domain/hashprice.js";

const DAYS = dayRange(loadDays(), "2023-06-01", "2024-05-31");
const FIRST = DAYS[0].day;
const BATCH = 61; // series-days per settle / uptime transaction

/** Deterministic uptime pattern: mostly full, some days below the 95 % SLA, one outage a month. */
const uptimeOf = (k: number): number => (k % 30 === 17 ? 0 : k % 7 === 3 ? 9_200 : k % 11 === 5 ? 9_700 : 10_000);

describe("Settlement replay of 366 real days (2023-06-01 .. 2024-05-31)", () => {
  it("every day's breakdown, accumulator and the holders' yield equal the domain model to the sat", async () => {
    const t0 = Date.now();
    const conn = await network.create({ override: { initialDate: "2023-05-30T00:00:00Z" } });
    const f = await deployAll(conn, { feedPriceE8: null, reporters: 3 });
    const [h0, h1, h2] = f.holders.map((h) => h.address);
    const m = new FarmModel();

    const terms = await seriesTerms(f, FIRST, { hashrateThs: 100n, termDays: DAYS.length });
    expect(DAYS.length).to.equal(366);
    const id = await createSeries(f, terms); // posts the collateral issuance needs (quoteCollateral)
    m.addSeries(id, terms);
    m.postCollateral(await f.settlement.collateral(f.farm.address, f.wbtc));
    for (const [who, units] of [[h0, 20_000n], [h1, 10_000n], [h2, 6_600n]] as const) {
      await f.token.connect(f.farm).mint(who, id, units, "0x");
      m.mint(id, who, units);
    }
    await postCollateral(f, 2_000_000n);
    m.postCollateral(2_000_000n);
    await deposit(f, 5_000_000_000n); // 50 BTC: more than a year of this series
    m.deposit(5_000_000_000n);

    await goToDay(conn, DAYS[DAYS.length - 1].day + 1);
    for (const x of DAYS) {
      const r = dailyReportOf(x);
      await f.oracle.submitDailyReport(r, await signDaily(f, r));
    }
    const tReports = Date.now();

    let settled = 0;
    let compensated = 0;
    let zeroNet = 0;
    for (let i = 0; i < DAYS.length; i += BATCH) {
      const chunk = DAYS.slice(i, i + BATCH);
      const ups: UptimeReport[] = chunk.map((x, j) => ({ farm: f.farm.address, day: x.day, uptimeBps: uptimeOf(i + j) }));
      await f.oracle.submitUptimeReports(ups, await Promise.all(ups.map((u) => signUptime(f, u))));
      if (i === 183) {
        // record date: half-way, holder 0 sells a quarter of its units to holder 2
        await f.token.connect(f.holders[0]).safeTransferFrom(h0, h2, id, 5_000n, "0x");
        m.transfer(id, h0, h2, 5_000n);
      }
      const rc = (await (await f.settlement.settle(chunk.map(() => id), chunk.map((x) => x.day))).wait())!;
      const events = parseSettled(f.settlement, rc);
      const distributed = rc.logs
        .filter((l) => l.address === f.token.target)
        .map((l) => f.token.interface.parseLog(l))
        .filter((e) => e?.name === "Distributed");
      expect(events.length).to.equal(chunk.length);
      expect(distributed.length).to.equal(chunk.length);
      for (const [j, x] of chunk.entries()) {
        const e = events[j];
        expect(e.day).to.equal(x.day);
        // the oracle computed the data's hashprice and applied the data's price
        expect(e.b.hashpriceE18, x.date).to.equal(x.hashpriceE18);
        expect(e.b.btcUsdE8, x.date).to.equal(x.btcUsdE8);
        const want = m.settleDay(id, x.hashpriceE18, uptimeOf(i + j), x.btcUsdE8);
        expect(e.b, x.date).to.deep.equal(want);
        // per-unit yield: the accumulator after the day equals the model's (sats per unit × 1e36)
        const acc = m.series.get(id)!.acc;
        expect(distributed[j]!.args.amount, x.date).to.equal(want.owed - want.debtAdded);
        expect(distributed[j]!.args.accPerUnitE36, x.date).to.equal(acc.accPerUnitE36);
        expect(want.debtAdded).to.equal(0n);
        if (want.compensation > 0n) compensated++;
        if (want.netE18 === 0n) zeroNet++;
        settled++;
      }
    }
    expect(settled).to.equal(366);
    expect(compensated).to.be.greaterThan(0);

    // on the halving day the subsidy-only hashprice halves (to 1e-18 sat), while with the day's fees (Runes) it
    // rose by two thirds: the oracle took it as final
    const halving = DAYS.findIndex((x) => x.date === "2024-04-20");
    const [a, b] = [DAYS[halving - 1], DAYS[halving]];
    expect(hashpriceE18(b.bits, b.subsidySats, 0n) * 2n).to.be.closeTo(hashpriceE18(a.bits, a.subsidySats, 0n), 1n);
    expect(b.hashpriceE18 * 3n > a.hashpriceE18 * 5n).to.equal(true);
    expect((await f.oracle.dailyValues(b.day)).status).to.equal(2n);

    const st = await f.token.seriesState(id);
    expect(st.distributed).to.equal(m.distributed(id));
    expect(st.accPerUnitE36).to.equal(m.series.get(id)!.acc.accPerUnitE36);
    expect(st.carryE36).to.equal(m.series.get(id)!.acc.carryE36);
    expect(await f.settlement.payoutBalance(f.farm.address, f.wbtc)).to.equal(m.pools.balance);
    expect(await f.settlement.collateral(f.farm.address, f.wbtc)).to.equal(m.pools.collateral);
    let claimed = 0n;
    for (const [k, who] of [h0, h1, h2].entries()) {
      const want = m.claimable(id, who);
      expect(await f.token.claimable(who, id)).to.equal(want);
      await f.token.connect(f.holders[k]).claim([id], who);
      expect(await f.wbtc.balanceOf(who)).to.equal(want);
      expect(m.claim(id, who)).to.equal(want);
      claimed += want;
    }
    // what stays in the token is exactly the model's sub-sat dust (unclaimed fractions + carry): under 1 sat each
    expect((await f.wbtc.balanceOf(f.token)) * ACC_SCALE).to.equal(m.accountedE36(id));
    expect(st.distributed - claimed).to.be.lessThan(4n);
    console.log(
      `      ${settled} days (${compensated} compensated, ${zeroNet} with net 0), ${Number(st.distributed) / 1e8} BTC paid; ` +
        `reports ${((tReports - t0) / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  });
});
