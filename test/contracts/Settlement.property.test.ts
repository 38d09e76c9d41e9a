/**
 * Property test: over random series terms, reports, uptimes, fundings, collateral, mints and transfers, the
 * contracts (oracle → settlement → token) agree exactly with an independent model built from
 * `domain/settlement.ts` + `accumulator.ts`; nothing pays more than was funded plus collateral; debts are
 * recorded exactly; every holder's claimable and claimed amount equals the model's.
 */
import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import { createSeries, deployAll, type Fixture, goToDay, seriesTerms, signDaily, signUptime, timelocked } from "../helpers/deploy.js";
import { FarmModel, parseSettled, requiredCollateral } from "../helpers/model.js";
import { dailyReportOf, loadDays } from "../../domain/data.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { dayOfDate } from "../../domain/units.js";

const S = dayOfDate("2024-01-03");
const MAX_DAYS = 8;
const REF = loadDays().get(S - 1)!; // the first report; later reports vary its subsidy (the guardian confirms them)

const conn = await network.create({ override: { initialDate: "2024-01-01T00:00:00Z" } });
const { networkHelpers } = conn;

async function base(): Promise<Fixture> {
  const f = await deployAll(conn, { feedPriceE8: null, timelockDelay: 0 });
  await goToDay(conn, S + MAX_DAYS + 1);
  const r = dailyReportOf(REF);
  await f.oracle.submitDailyReport(r, await signDaily(f, r));
  return f;
}

const termsArb = fc.record({
  hashrateThs: fc.bigInt({ min: 1n, max: 400n }),
  termDays: fc.integer({ min: 3, max: 12 }),
  efficiencyJPerThE3: fc.integer({ min: 10_000, max: 40_000 }),
  poolFeeBps: fc.integer({ min: 0, max: 1_000 }),
  slaBps: fc.integer({ min: 0, max: 10_000 }),
  powerCostUsdPerKWhE6: fc.integer({ min: 0, max: 120_000 }),
  serviceFeeUsdPerThDayE6: fc.integer({ min: 0, max: 5_000 }),
});

const dayArb = fc.record({
  subsidySats: fc.bigInt({ min: 500_000_000n, max: 740_000_000n }), // 6.25 BTC ± ~20 %: pending unless exactly 6.25, confirmed
  feesPerBlockSats: fc.bigInt({ min: 0n, max: 5_000_000n }),
  btcUsdE8: fc.bigInt({ min: 15_000n * 10n ** 8n, max: 120_000n * 10n ** 8n }),
  uptimeBps: fc.oneof(fc.constant(10_000), fc.integer({ min: 0, max: 10_000 })),
  deposit: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 200_000n })),
  collateral: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 100_000n })),
  /** [series index, from holder, to holder, fraction of balance in 1/8] */
  transfers: fc.array(fc.tuple(fc.nat(1), fc.nat(2), fc.nat(2), fc.integer({ min: 1, max: 8 })), { maxLength: 2 }),
  /** [series index, holder, fraction of remaining cap in 1/8] */
  mint: fc.option(fc.tuple(fc.nat(1), fc.nat(2), fc.integer({ min: 1, max: 8 }))),
});

type ScenarioT = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const scenarioArb = fc.record({
  coverDays: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 })),
  extraCollateral: fc.bigInt({ min: 0n, max: 50_000n }),
  series: fc.array(fc.record({ terms: termsArb, startOffset: fc.nat(2), mintEighths: fc.array(fc.nat(8), { minLength: 3, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 2,
  }),
  days: fc.array(dayArb, { minLength: 2, maxLength: MAX_DAYS }),
});

/** A fixed first case that surely goes through debt, repayment and slashing (the random ones usually do too). */
const EXAMPLE: ScenarioT = {
    coverDays: 0,
    extraCollateral: 0n,
    series: [
      {
        terms: { hashrateThs: 400n, termDays: 3, efficiencyJPerThE3: 20_000, poolFeeBps: 100, slaBps: 9_500, powerCostUsdPerKWhE6: 40_000, serviceFeeUsdPerThDayE6: 500 },
        startOffset: 0,
        mintEighths: [8, 4, 0],
      },
    ],
    days: [
      { subsidySats: 625_000_000n, feesPerBlockSats: 0n, btcUsdE8: 40_000n * 10n ** 8n, uptimeBps: 10_000, deposit: 0n, collateral: 0n, transfers: [], mint: null },
      { subsidySats: 625_000_000n, feesPerBlockSats: 1_000_000n, btcUsdE8: 41_000n * 10n ** 8n, uptimeBps: 8_000, deposit: 400_000n, collateral: 50_000n, transfers: [[0, 0, 2, 3]], mint: null },
      { subsidySats: 600_000_000n, feesPerBlockSats: 0n, btcUsdE8: 42_000n * 10n ** 8n, uptimeBps: 9_000, deposit: 0n, collateral: 0n, transfers: [], mint: [0, 2, 8] },
    ],
  };

describe("Settlement property: contracts = domain model", () => {
  it("never pays more than funded + collateral; debts, pools and every holder's yield match the model", async () => {
    let runs = 0;
    let withDebt = 0;
    let withSlash = 0;
    let withRepay = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        runs++;
        const f = await networkHelpers.loadFixture(base);
        const m = new FarmModel();
        const holders = f.holders.map((h) => h.address);
        const farm = f.farm.address;
        await timelocked(conn, f.settlement, f.admin, "setCoverDays", [sc.coverDays]);
        await f.wbtc.mint(farm, 10n ** 15n);
        await f.wbtc.connect(f.farm).approve(f.settlement, 2n ** 255n);

        // issue the series, posting just the collateral each needs (plus a random extra once)
        const ids: bigint[] = [];
        const all: { terms: Awaited<ReturnType<typeof seriesTerms>>; left: number }[] = [];
        for (const [i, s] of sc.series.entries()) {
          const terms = await seriesTerms(f, S + s.startOffset, s.terms);
          all.push({ terms, left: terms.termDays });
          const need = requiredCollateral(all, REF.hashpriceE18, sc.coverDays);
          const have = m.pools.collateral;
          const post = need - have + (i === 0 ? sc.extraCollateral : 0n);
          if (post > 0n) {
            await f.settlement.connect(f.farm).postCollateral(farm, f.wbtc, post);
            m.postCollateral(post);
          }
          const id = await createSeries(f, terms);
          m.addSeries(id, terms);
          ids.push(id);
          const cap = terms.hashrateThs * BigInt(terms.termDays);
          for (const [h, eighths] of s.mintEighths.entries()) {
            const units = (cap * BigInt(eighths)) / 24n;
            if (units === 0n) continue;
            await f.token.connect(f.farm).mint(holders[h], id, units, "0x");
            m.mint(id, holders[h], units);
          }
        }

        for (const [k, d] of sc.days.entries()) {
          const day = S + k;
          const r = {
            day,
            firstHeight: REF.firstHeight + REF.blocks + 144 * k,
            blocks: 144,
            bits: REF.bits,
            subsidySats: d.subsidySats,
            feesPerBlockSats: d.feesPerBlockSats,
            btcUsdE8: d.btcUsdE8,
          };
          await f.oracle.submitDailyReport(r, await signDaily(f, r));
          // synthetic inputs (subsidy off the heights' subsidy, fees off the median) wait for the guardian
          if ((await f.oracle.dailyValues(day)).status === 1n) await f.oracle.connect(f.guardian).confirmPending(day);
          const u = { farm, day, uptimeBps: d.uptimeBps };
          await f.oracle.submitUptimeReports([u], [await signUptime(f, u)]);
          const hp = hashpriceE18(REF.bits, d.subsidySats, d.feesPerBlockSats);
          expect(await f.oracle.hashpriceE18(day)).to.equal(hp);

          for (const [si, from, to, eighths] of d.transfers) {
            const id = ids[si % ids.length];
            const bal = await f.token.balanceOf(holders[from], id);
            const units = (bal * BigInt(eighths)) / 8n;
            if (units === 0n || from === to) continue;
            await f.token.connect(f.holders[from]).safeTransferFrom(holders[from], holders[to], id, units, "0x");
            m.transfer(id, holders[from], holders[to], units);
          }
          if (d.mint) {
            const [si, h, eighths] = d.mint;
            const id = ids[si % ids.length];
            const st = await f.token.seriesState(id);
            const t = sc.series[si % ids.length].terms;
            const units = ((t.hashrateThs * BigInt(t.termDays) - st.minted) * BigInt(eighths)) / 8n;
            if (units > 0n) {
              await f.token.connect(f.farm).mint(holders[h], id, units, "0x");
              m.mint(id, holders[h], units);
            }
          }
          if (d.deposit > 0n) {
            await f.settlement.connect(f.farm).deposit(farm, f.wbtc, d.deposit);
            withRepay += m.deposit(d.deposit).length;
          }
          if (d.collateral > 0n) {
            await f.settlement.connect(f.farm).postCollateral(farm, f.wbtc, d.collateral);
            m.postCollateral(d.collateral);
          }

          // settle every series whose term covers the day, in one batch
          const live = ids.filter((_, i) => day >= S + sc.series[i].startOffset && day < S + sc.series[i].startOffset + sc.series[i].terms.termDays);
          if (live.length === 0) continue;
          const rc = (await (await f.settlement.settle(live, live.map(() => day))).wait())!;
          const events = parseSettled(f.settlement, rc);
          expect(events.map((e) => e.id)).to.deep.equal(live);
          for (const e of events) {
            const want = m.settleDay(e.id, hp, d.uptimeBps, d.btcUsdE8);
            expect(e.b).to.deep.equal(want);
            if (want.debtAdded > 0n) withDebt++;
            if (want.fromCollateral > 0n) withSlash++;
          }
        }

        // pools, debts and money conservation
        expect(await f.settlement.payoutBalance(farm, f.wbtc)).to.equal(m.pools.balance);
        expect(await f.settlement.collateral(farm, f.wbtc)).to.equal(m.pools.collateral);
        let debtSum = 0n;
        let distributed = 0n;
        for (const id of ids) {
          expect(await f.settlement.debt(id)).to.equal(m.debt(id));
          debtSum += m.debt(id);
          const st = await f.token.seriesState(id);
          expect(st.distributed).to.equal(m.distributed(id));
          distributed += st.distributed;
        }
        expect(await f.settlement.farmDebt(farm, f.wbtc)).to.equal(debtSum);
        expect(distributed).to.be.lte(m.funded);
        expect(distributed + m.pools.balance + m.pools.collateral).to.equal(m.funded);
        expect(await f.wbtc.balanceOf(f.settlement)).to.equal(m.pools.balance + m.pools.collateral);
        expect(await f.wbtc.balanceOf(f.token)).to.equal(distributed);

        // every holder: claimable, then claimed, equals the model
        for (const [h, who] of holders.entries()) {
          for (const id of ids) expect(await f.token.claimable(who, id)).to.equal(m.claimable(id, who));
          const before = await f.wbtc.balanceOf(who);
          await f.token.connect(f.holders[h]).claim(ids, who);
          let want = 0n;
          for (const id of ids) want += m.claim(id, who);
          expect((await f.wbtc.balanceOf(who)) - before).to.equal(want);
        }
        // what is left in the token is exactly the carried and unclaimed sub-sat dust
        let dustE36 = 0n;
        for (const id of ids) dustE36 += m.accountedE36(id);
        expect((await f.wbtc.balanceOf(f.token)) * 10n ** 36n).to.equal(dustE36);
      }),
      { numRuns: 60, examples: [[EXAMPLE]] },
    );
    // the random scenarios must reach the interesting paths
    expect(withDebt, "scenarios with debt").to.be.greaterThan(0);
    expect(withSlash, "scenarios with slashing").to.be.greaterThan(0);
    expect(withRepay, "scenarios with repayment").to.be.greaterThan(0);
    console.log(`      ${runs} runs; series-days: ${withSlash} slashed collateral, ${withDebt} added debt; ${withRepay} repayments`);
  });
});
