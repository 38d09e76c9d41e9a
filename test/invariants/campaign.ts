/**
 * Stateful invariant campaign over the token, the settlement and the oracle together (issue 10, item 3), with
 * fast-check model-based commands on Hardhat's in-process EDR simulator (`network.create()`, no JSON-RPC).
 *
 * A run starts from one deployment (reset by snapshot): three holders, one farm with collateral, an oracle with a
 * final trailing day. fast-check then draws a sequence of commands: new series (collateral posted from
 * `quoteCollateral`), mints, transfers, batch transfers, burns, daily reports (final, or out of band → pending),
 * guardian confirmations and rejections, resubmission of rejected reports (must revert `ReportRejected`), uptime
 * reports, deposits (which repay debt or write it off), withdrawals (under-funding), collateral posts and
 * withdrawals, settlements of random (series, day) batches in any order (collateral draws, debt), claims, claimer
 * changes and claims on behalf, debt write-offs. Commands that the contracts refuse must leave state untouched.
 *
 * After every command (`checkInvariants`, one `eth_call` through `TestInvariantLens`):
 *  I1 funded + collateral drawn = claimed + claimable + dust: Σ fromBalance + Σ fromCollateral + Σ repaid (from the
 *     settlement's events) = Σ distributed (token) = Σ claimed + Σ claimable + dust, 0 ≤ dust ≤ accounts + series;
 *  I2 owed = funded + drawn + debt owed + written off: Σ owed (Settled) = Σ fromBalance + Σ fromCollateral +
 *     Σ debtAdded, and Σ debt(id) = farmDebt = Σ debtAdded − Σ repaid − Σ written off;
 *  I3 each holder's balance and claimable equal an independent model (`domain/accumulator.ts` fed with
 *     the amounts of `Distributed` / `RepaymentDistributed`, and the model's own balances);
 *  I4 no account's claimable decreases except by its own claim (or a claim on its behalf);
 *  I5 the payout asset held by the token = Σ distributed − Σ claimed ≥ Σ claimable; the settlement holds exactly
 *     the farm's payout balance + collateral.
 *
 * The accumulating wrapper's wrap / unwrap / share-transfer / harvest commands and its invariants (W1–W3) live in
 * `wrapper-commands.ts`; the wrapper is also an account of I1–I5 here.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import * as acc from "../../domain/accumulator.js";
import type { TestInvariantLens } from "../../types/ethers-contracts/index.js";
import { dailyReportOf, loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";
import {
  type Conn,
  type DailyReport,
  deployAll,
  type Fixture,
  goToDay,
  seriesTerms,
  signDaily,
  signUptime,
} from "../helpers/deploy.js";
import {
  checkWrapper,
  deployWrapper,
  type Host,
  newWrapperModel,
  WRAPPED_SERIES,
  wrapperCommandArbs,
  type WrapperReal,
} from "./wrapper-commands.js";

const DATA = loadDays();
/** First day a series may start on; reports cover [S0, S0 + DAYS). */
export const S0 = dayOfDate("2024-02-01");
const DAYS = 12;
const MAX_SERIES = 4;
const HOLDERS = 3;

/** What the campaign measured. */
export interface CampaignResult {
  runs: number;
  steps: number;
  seed: number;
  ms: number;
  /** commands run, by name (those the contracts refused included), and `ev:<Event>` counts of the events seen */
  byCommand: Record<string, number>;
}

/** Options: `runs` sequences of up to `maxSteps` commands; `seed` for reproduction; `onRun` after each sequence. */
export interface CampaignOptions {
  runs: number;
  maxSteps: number;
  seed?: number;
  onRun?: (runs: number, steps: number) => void;
}

// ------------------------------------------------------------------ system and model

interface Real {
  f: Fixture;
  lens: TestInvariantLens;
  /** the holders, the farm, then the wrapper */
  accounts: string[];
  claimer: string;
  w: WrapperReal;
}

interface SeriesModel {
  id: bigint;
  startDay: number;
  termDays: number;
  cap: bigint;
  minted: bigint;
  acc: acc.SeriesAcc;
  holders: Map<string, acc.HolderAcc>;
}

class Model {
  series: SeriesModel[] = [];
  /** oracle status per day as the contract reported it: 1 pending, 2 final */
  status = new Map<number, number>();
  rejected = new Map<number, DailyReport>();
  pendingReport = new Map<number, DailyReport>();
  uptime = new Set<number>();
  fromBalance = 0n;
  fromCollateral = 0n;
  repaid = 0n;
  owed = 0n;
  debtAdded = 0n;
  writtenOff = 0n;
  claimed = 0n;
  claimers = new Map<string, string>();
  /** claimable per `${id}:${account}` after the last step */
  lastClaimable = new Map<string, bigint>();
  /** accounts whose claimable may drop in this step (claimed by or for them), as `${id}:${account}` */
  claimedNow = new Set<string>();
  /** the wrapper's part (wrapper-commands.ts) */
  w = newWrapperModel();

  holder(s: SeriesModel, a: string): acc.HolderAcc {
    let h = s.holders.get(a);
    if (!h) s.holders.set(a, (h = { balance: 0n, paidE36: s.acc.accPerUnitE36, accruedE36: 0n }));
    return h;
  }
  move(s: SeriesModel, from: string | null, to: string | null, units: bigint) {
    if (from) {
      const h = this.holder(s, from);
      acc.settle(s.acc, h);
      h.balance -= units;
    } else s.acc.supply += units;
    if (to) {
      const h = this.holder(s, to);
      acc.settle(s.acc, h);
      h.balance += units;
    } else s.acc.supply -= units;
  }
  byId(id: bigint): SeriesModel {
    const s = this.series.find((x) => x.id === id);
    if (!s) throw new Error(`unknown series ${id}`);
    return s;
  }
}

/** The series every run starts with (more are created by commands): start offset, term, TH/s, SLA, units minted
 *  to each holder. */
const INITIAL_SERIES = [
  { start: 0, term: 6, ths: 20, sla: 9_500, each: 40n },
  { start: 3, term: 4, ths: 10, sla: 0, each: 10n },
] as const;

/** Deployed system with a final trailing day (S0 − 1), today = S0 + DAYS + 1, a funded farm, the lens and
 *  `INITIAL_SERIES` issued (collateral from `quoteCollateral`) and minted to the holders. */
export function makeBase(conn: Conn) {
  return async function base(): Promise<Real> {
    const f = await deployAll(conn, { feedPriceE8: null, timelockDelay: 0, coverDays: 1, reporters: 3, quorum: 2 });
    await goToDay(conn, S0 + DAYS + 1);
    const t = DATA.get(S0 - 1)!;
    const r = dailyReportOf(t);
    await f.oracle.submitDailyReport(r, await signDaily(f, r));
    await f.wbtc.mint(f.farm.address, 10n ** 15n);
    await f.wbtc.connect(f.farm).approve(f.settlement, 2n ** 255n);
    const lens = (await conn.ethers.deployContract("TestInvariantLens")) as unknown as TestInvariantLens;
    const signers = await conn.ethers.getSigners();
    const accounts = [...f.holders.slice(0, HOLDERS).map((h) => h.address), f.farm.address];
    for (const p of INITIAL_SERIES) {
      const terms = await seriesTerms(f, S0 + p.start, { termDays: p.term, hashrateThs: BigInt(p.ths), slaBps: p.sla });
      const need = await f.settlement.quoteCollateral(terms);
      const have = await f.settlement.collateral(f.farm.address, f.wbtc);
      if (need > have) await f.settlement.connect(f.farm).postCollateral(f.farm.address, f.wbtc, need - have);
      await f.token.connect(f.farm).createSeries(terms);
      const id = await f.token.seriesCount();
      for (const h of accounts.slice(0, HOLDERS)) await f.token.connect(f.farm).mint(h, id, p.each, "0x");
    }
    const w = await deployWrapper(conn, f, accounts.slice(0, HOLDERS));
    accounts.push(w.address);
    return { f, lens, accounts, claimer: signers[12].address, w };
  };
}

/** The model of `makeBase`'s starting state. */
function initialModel(r: Real): Model {
  const m = new Model();
  for (const [i, p] of INITIAL_SERIES.entries()) {
    const s: SeriesModel = {
      id: BigInt(i + 1), startDay: S0 + p.start, termDays: p.term, cap: BigInt(p.ths * p.term), minted: 0n,
      acc: { supply: 0n, accPerUnitE36: 0n, carryE36: 0n }, holders: new Map(),
    };
    for (const h of r.accounts.slice(0, HOLDERS)) {
      s.minted += p.each;
      m.move(s, null, h, p.each);
    }
    m.series.push(s);
  }
  return m;
}

// ------------------------------------------------------------------ helpers

const signerOf = (r: Real, address: string) => {
  const all = [...r.f.holders, r.f.farm];
  return all.find((s) => s.address === address)!;
};

/** Sends; returns the receipt, or null when the contracts refused (the state must then be unchanged). */
async function attempt(send: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt | null> {
  try {
    return (await (await send()).wait())!;
  } catch (e) {
    const msg = String((e as Error).message ?? e);
    if (/reverted|revert/i.test(msg)) {
      if (process.env.CAMPAIGN_DEBUG) console.error("refused:", msg.slice(0, 160));
      return null;
    }
    throw e;
  }
}

/** Applies the token and settlement events of a receipt to the model. */
function applyEvents(m: Model, r: Real, rc: ContractTransactionReceipt, counts: Record<string, number>) {
  const token = r.f.token.interface;
  const settlement = r.f.settlement.interface;
  for (const log of rc.logs) {
    const ev = token.parseLog(log) ?? settlement.parseLog(log);
    if (!ev) continue;
    counts[`ev:${ev.name}`] = (counts[`ev:${ev.name}`] ?? 0) + 1;
    if (ev.name === "Settled" && ev.args.b.debtAdded > 0n) counts["ev:Settled+debt"] = (counts["ev:Settled+debt"] ?? 0) + 1;
    switch (ev.name) {
      case "Distributed":
      case "RepaymentDistributed": {
        const s = m.byId(ev.args.id);
        expect(ev.args.supply, "supply at distribution").to.equal(s.acc.supply);
        acc.distribute(s.acc, ev.args.amount);
        break;
      }
      case "Settled": {
        const b = ev.args.b;
        m.fromBalance += b.fromBalance;
        m.fromCollateral += b.fromCollateral;
        m.owed += b.owed;
        m.debtAdded += b.debtAdded;
        expect(b.owed, "owed = balance + collateral + debt").to.equal(b.fromBalance + b.fromCollateral + b.debtAdded);
        break;
      }
      case "Claimed": {
        // claims made by the token's claim commands are applied there; here: the wrapper harvesting for itself
        const s = m.byId(ev.args.id);
        const want = acc.claim(s.acc, m.holder(s, ev.args.holder));
        expect(ev.args.amount, `claim of ${ev.args.holder}`).to.equal(want);
        m.claimed += want;
        m.claimedNow.add(`${s.id}:${ev.args.holder}`);
        break;
      }
      case "DebtRepaid":
        m.repaid += ev.args.amount;
        break;
      case "DebtWrittenOff":
        expect(m.byId(ev.args.id).acc.supply, "written off only without supply").to.equal(0n);
        m.writtenOff += ev.args.amount;
        break;
    }
  }
}

function report(day: number, wild: boolean): DailyReport {
  const x = DATA.get(day)!;
  return { ...dailyReportOf(x), subsidySats: wild ? x.subsidySats * 3n : x.subsidySats }; // wild: not the heights' subsidy
}

// ------------------------------------------------------------------ invariants

/** Checks I1–I5 after a step (see the module doc). */
export async function checkInvariants(m: Model, r: Real) {
  const ids = m.series.map((s) => s.id);
  const snap = await r.lens.snapshot(r.f.token, r.f.settlement, r.f.wbtc, r.f.farm.address, ids, r.accounts);
  const n = r.accounts.length;
  let distributed = 0n;
  let claimable = 0n;
  let debt = 0n;
  for (const [i, s] of m.series.entries()) {
    expect(snap.supply[i], `supply of ${s.id}`).to.equal(s.acc.supply);
    distributed += snap.distributed[i];
    debt += snap.debt[i];
    for (const [j, a] of r.accounts.entries()) {
      const h = m.holder(s, a);
      const key = `${s.id}:${a}`;
      const c = snap.claimables[i * n + j] as bigint;
      expect(snap.balances[i * n + j], `balance ${key}`).to.equal(h.balance); // I3
      expect(c, `claimable ${key}`).to.equal(acc.claimable(s.acc, h)); // I3
      const before = m.lastClaimable.get(key) ?? 0n;
      if (!m.claimedNow.has(key)) expect(c >= before, `claimable of ${key} fell ${before} → ${c}`).to.equal(true); // I4
      m.lastClaimable.set(key, c);
      claimable += c;
    }
  }
  m.claimedNow.clear();
  // I1
  expect(distributed, "funded + drawn = distributed").to.equal(m.fromBalance + m.fromCollateral + m.repaid);
  const dust = distributed - m.claimed - claimable; // m.claimed: Σ Claimed events, each checked against the model
  expect(dust >= 0n && dust <= BigInt(n + m.series.length), `dust ${dust}`).to.equal(true);
  // I2
  expect(m.owed, "owed").to.equal(m.fromBalance + m.fromCollateral + m.debtAdded);
  expect(debt, "Σ debt").to.equal(m.debtAdded - m.repaid - m.writtenOff);
  expect(snap.farmDebt, "farmDebt").to.equal(debt);
  // I5
  expect(snap.tokenAssetBalance, "token holds distributed − claimed").to.equal(distributed - m.claimed);
  expect(snap.tokenAssetBalance >= claimable, "token covers Σ claimable").to.equal(true);
  expect(snap.settlementAssetBalance, "settlement holds balance + collateral").to.equal(snap.payoutBalance + snap.collateral);
  await checkWrapper(host(m, r, {}), m.w, r.w, r.f, r.accounts.slice(0, HOLDERS));
}

/** The campaign model as the wrapper commands see it. */
function host(m: Model, r: Real, counts: Record<string, number>): Host {
  const s = () => m.byId(WRAPPED_SERIES);
  return {
    seriesAcc: () => s().acc,
    move: (from, to, units) => m.move(s(), from, to, units),
    applyReceipt: (rc) => applyEvents(m, r, rc, counts),
    tokenBalance: (a) => m.holder(s(), a).balance,
  };
}

// ------------------------------------------------------------------ commands

type Run = (m: Model, r: Real) => Promise<void>;

/** A fast-check async command that always applies (the model decides what the contracts must accept). */
function command(name: string, run: Run, counts: Record<string, number>): fc.AsyncCommand<Model, Real> {
  return {
    check: () => true,
    async run(m, r) {
      counts[name.split("(")[0]] = (counts[name.split("(")[0]] ?? 0) + 1;
      await run(m, r);
      await checkInvariants(m, r);
    },
    toString: () => name,
  };
}

const holderArb = fc.nat(HOLDERS - 1);
const accountArb = fc.nat(HOLDERS); // holders + the farm
const seriesArb = fc.nat(MAX_SERIES - 1);
const dayArb = fc.nat(DAYS - 1);

function commands(counts: Record<string, number>) {
  const c = (name: string, run: Run) => command(name, run, counts);
  const all = [
    fc.record({ start: fc.nat(6), term: fc.integer({ min: 1, max: 6 }), ths: fc.integer({ min: 1, max: 40 }), sla: fc.constantFrom(0, 9_500), fee: fc.nat(500) })
      .map((p) =>
        c(`createSeries(${JSON.stringify(p)})`, async (m, r) => {
          if (m.series.length >= MAX_SERIES) return;
          const terms = await seriesTerms(r.f, S0 + p.start, { termDays: p.term, hashrateThs: BigInt(p.ths), slaBps: p.sla, poolFeeBps: p.fee });
          const need = await r.f.settlement.quoteCollateral(terms);
          const have = await r.f.settlement.collateral(r.f.farm.address, r.f.wbtc);
          if (need > have) await r.f.settlement.connect(r.f.farm).postCollateral(r.f.farm.address, r.f.wbtc, need - have);
          const id = await r.f.token.connect(r.f.farm).createSeries.staticCall(terms);
          await r.f.token.connect(r.f.farm).createSeries(terms);
          m.series.push({
            id, startDay: S0 + p.start, termDays: p.term, cap: BigInt(p.ths * p.term), minted: 0n,
            acc: { supply: 0n, accPerUnitE36: 0n, carryE36: 0n }, holders: new Map(),
          });
        }),
      ),
    fc.tuple(seriesArb, holderArb, fc.integer({ min: 1, max: 120 })).map(([k, h, units]) =>
      c(`mint(${k}, ${h}, ${units})`, async (m, r) => {
        const s = m.series[k];
        if (!s) return;
        const to = r.accounts[h];
        const u = BigInt(units);
        const rc = await attempt(() => r.f.token.connect(r.f.farm).mint(to, s.id, u, "0x"));
        expect(rc !== null, "mint within cap").to.equal(s.minted + u <= s.cap);
        if (rc) {
          s.minted += u;
          m.move(s, null, to, u);
        }
      }),
    ),
    fc.tuple(seriesArb, accountArb, accountArb, fc.integer({ min: 1, max: 60 })).map(([k, a, b, units]) =>
      c(`transfer(${k}, ${a}→${b}, ${units})`, async (m, r) => {
        const s = m.series[k];
        if (!s) return;
        const [from, to] = [r.accounts[a], r.accounts[b]];
        const u = BigInt(units);
        const rc = await attempt(() => r.f.token.connect(signerOf(r, from)).safeTransferFrom(from, to, s.id, u, "0x"));
        expect(rc !== null, "transfer within balance").to.equal(u <= m.holder(s, from).balance);
        if (rc) m.move(s, from, to, u);
      }),
    ),
    fc.tuple(accountArb, accountArb, fc.integer({ min: 1, max: 30 })).map(([a, b, units]) =>
      c(`batchTransfer(${a}→${b}, ≤${units} of each)`, async (m, r) => {
        const [from, to] = [r.accounts[a], r.accounts[b]];
        const list = m.series.map((s) => ({ s, u: BigInt(Math.min(units, Number(m.holder(s, from).balance))) })).filter((x) => x.u > 0n);
        if (list.length === 0) return;
        await r.f.token.connect(signerOf(r, from)).safeBatchTransferFrom(from, to, list.map((x) => x.s.id), list.map((x) => x.u), "0x");
        for (const { s, u } of list) m.move(s, from, to, u);
      }),
    ),
    fc.tuple(seriesArb, accountArb, fc.integer({ min: 1, max: 200 })).map(([k, a, units]) =>
      c(`burn(${k}, ${a}, ${units})`, async (m, r) => {
        const s = m.series[k];
        if (!s) return;
        const from = r.accounts[a];
        const u = BigInt(Math.min(units, Number(m.holder(s, from).balance)));
        if (u === 0n) return;
        await r.f.token.connect(signerOf(r, from)).burn(from, s.id, u);
        m.move(s, from, null, u);
      }),
    ),
    fc.tuple(dayArb, fc.boolean()).map(([d, wild]) =>
      c(`report(${d}${wild ? ", +200 %" : ""})`, async (m, r) => {
        const day = S0 + d;
        const rep = report(day, wild);
        const rc = await attempt(async () => r.f.oracle.submitDailyReport(rep, await signDaily(r.f, rep)));
        const known = m.status.get(day);
        if (known) return void expect(rc, "a reported day is refused").to.equal(null);
        const rej = m.rejected.get(day);
        if (rej && rej.subsidySats === rep.subsidySats) return void expect(rc, "a rejected report is refused").to.equal(null);
        expect(rc !== null, "a new report is accepted").to.equal(true);
        const st = Number((await r.f.oracle.dailyValues(day)).status);
        m.status.set(day, st);
        if (st === 1) m.pendingReport.set(day, rep);
      }),
    ),
    fc.tuple(dayArb, fc.boolean()).map(([d, confirm]) =>
      c(`${confirm ? "confirm" : "reject"}(${d})`, async (m, r) => {
        const day = S0 + d;
        const g = r.f.oracle.connect(r.f.guardian);
        const rc = await attempt(() => (confirm ? g.confirmPending(day) : g.rejectPending(day)));
        expect(rc !== null, "only a pending day").to.equal(m.status.get(day) === 1);
        if (!rc) return;
        if (confirm) m.status.set(day, 2);
        else {
          m.status.delete(day);
          m.rejected.set(day, m.pendingReport.get(day)!);
          counts["ev:rejected"] = (counts["ev:rejected"] ?? 0) + 1;
        }
        m.pendingReport.delete(day);
      }),
    ),
    fc.tuple(dayArb, fc.integer({ min: 1, max: DAYS }), fc.constantFrom(0, 8_000, 9_500, 10_000, 10_000)).map(([d, n, bps]) =>
      c(`reportDays(${d}, ${n}, uptime ${bps})`, async (m, r) => {
        for (let day = S0 + d; day < Math.min(S0 + d + n, S0 + DAYS); day++) {
          if (!m.status.has(day)) {
            const rep = report(day, false);
            const rej = m.rejected.get(day);
            if (!rej || rej.subsidySats !== rep.subsidySats) {
              await r.f.oracle.submitDailyReport(rep, await signDaily(r.f, rep));
              const st = Number((await r.f.oracle.dailyValues(day)).status);
              m.status.set(day, st);
              if (st === 1) m.pendingReport.set(day, rep);
            }
          }
          if (!m.uptime.has(day)) {
            const u = { farm: r.f.farm.address, day, uptimeBps: bps };
            await r.f.oracle.submitUptimeReports([u], [await signUptime(r.f, u)]);
            m.uptime.add(day);
          }
        }
      }),
    ),
    dayArb.map((d) =>
      c(`resubmitRejected(${d})`, async (m, r) => {
        const rep = m.rejected.get(S0 + d);
        if (!rep) return;
        await expect(r.f.oracle.submitDailyReport(rep, await signDaily(r.f, rep))).to.be.revertedWithCustomError(
          r.f.oracle,
          "ReportRejected",
        );
        counts["ev:resubmissionRefused"] = (counts["ev:resubmissionRefused"] ?? 0) + 1;
      }),
    ),
    fc.tuple(dayArb, fc.constantFrom(0, 5_000, 9_000, 9_500, 10_000)).map(([d, bps]) =>
      c(`uptime(${d}, ${bps})`, async (m, r) => {
        const day = S0 + d;
        if (m.uptime.has(day)) return;
        const u = { farm: r.f.farm.address, day, uptimeBps: bps };
        await r.f.oracle.submitUptimeReports([u], [await signUptime(r.f, u)]);
        m.uptime.add(day);
      }),
    ),
    fc.bigInt({ min: 1n, max: 4_000n }).map((amount) =>
      c(`deposit(${amount})`, async (m, r) => {
        const rc = await (await r.f.settlement.connect(r.f.farm).deposit(r.f.farm.address, r.f.wbtc, amount)).wait();
        applyEvents(m, r, rc!, counts);
      }),
    ),
    fc.bigInt({ min: 1n, max: 200_000n }).map((amount) =>
      c(`withdrawFunding(${amount})`, async (m, r) => {
        const have = await r.f.settlement.payoutBalance(r.f.farm.address, r.f.wbtc);
        const rc = await attempt(() => r.f.settlement.connect(r.f.farm).withdrawFunding(r.f.wbtc, amount, r.f.farm.address));
        expect(rc !== null, "withdraw within balance").to.equal(amount <= have);
      }),
    ),
    fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: 100_000n })).map(([post, amount]) =>
      c(`${post ? "post" : "withdraw"}Collateral(${amount})`, async (m, r) => {
        const s = r.f.settlement.connect(r.f.farm);
        if (post) await s.postCollateral(r.f.farm.address, r.f.wbtc, amount);
        else await attempt(() => s.withdrawCollateral(r.f.wbtc, amount, r.f.farm.address));
      }),
    ),
    fc.array(fc.tuple(seriesArb, fc.nat(DAYS + 1)), { minLength: 1, maxLength: 4 }).map((pairs) =>
      c(`settle(${JSON.stringify(pairs)})`, async (m, r) => {
        // mostly days inside the term (d mod termDays), sometimes outside it or not yet reported
        const list = pairs
          .filter(([k]) => m.series[k])
          .map(([k, d]) => [m.series[k].id, d > DAYS - 1 ? S0 + d : m.series[k].startDay + (d % m.series[k].termDays)] as const);
        if (list.length === 0) return;
        const rc = await attempt(() => r.f.settlement.settle(list.map((x) => x[0]), list.map((x) => x[1])));
        if (rc) applyEvents(m, r, rc, counts);
      }),
    ),
    fc.nat().map((order) =>
      c(`settleAll(order ${order})`, async (m, r) => {
        // every (series, day) of every term, in a random order; one tx per pair so the failing ones are just skipped
        const pairs = m.series.flatMap((s) => Array.from({ length: s.termDays }, (_, i) => [s.id, s.startDay + i] as const));
        let x = order;
        for (let i = pairs.length - 1; i > 0; i--) {
          x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
          const j = x % (i + 1);
          [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
        }
        for (const [id, day] of pairs) {
          const rc = await attempt(() => r.f.settlement.settle([id], [day]));
          if (rc) applyEvents(m, r, rc, counts);
        }
      }),
    ),
    fc.tuple(accountArb, fc.subarray([0, 1, 2, 3], { minLength: 1 }), fc.boolean()).map(([a, ks, onBehalf]) =>
      c(`${onBehalf ? "claimOnBehalf" : "claim"}(${a}, ${ks})`, async (m, r) => {
        const list = ks.map((k) => m.series[k]).filter(Boolean);
        if (list.length === 0) return;
        const holder = r.accounts[a];
        const ids = list.map((s) => s.id);
        let rc: ContractTransactionReceipt | null;
        if (onBehalf) {
          const claimerSigner = (await r.f.conn.ethers.getSigners()).find((x) => x.address === r.claimer)!;
          rc = await attempt(() => r.f.token.connect(claimerSigner).claimOnBehalf(holder, ids, r.claimer));
          expect(rc !== null, "claim on behalf only by the holder's claimer").to.equal(m.claimers.get(holder) === r.claimer);
          if (!rc) return;
        } else {
          rc = (await (await r.f.token.connect(signerOf(r, holder)).claim(ids, holder)).wait())!;
        }
        const paid = new Map<bigint, bigint>();
        for (const log of rc.logs) {
          const ev = r.f.token.interface.parseLog(log);
          if (ev?.name === "Claimed") paid.set(ev.args.id, (paid.get(ev.args.id) ?? 0n) + ev.args.amount);
        }
        for (const s of list) {
          const want = acc.claim(s.acc, m.holder(s, holder));
          expect(paid.get(s.id) ?? 0n, `claimed ${s.id}:${holder}`).to.equal(want);
          m.claimed += want;
          m.claimedNow.add(`${s.id}:${holder}`);
        }
      }),
    ),
    fc.tuple(accountArb, fc.boolean()).map(([a, on]) =>
      c(`setClaimer(${a}, ${on})`, async (m, r) => {
        const holder = r.accounts[a];
        const claimer = on ? r.claimer : "0x0000000000000000000000000000000000000000";
        await r.f.token.connect(signerOf(r, holder)).setClaimer(claimer);
        m.claimers.set(holder, claimer);
      }),
    ),
    seriesArb.map((k) =>
      c(`writeOffDebt(${k})`, async (m, r) => {
        const s = m.series[k];
        if (!s) return;
        const d = await r.f.settlement.debt(s.id);
        const rc = await attempt(() => r.f.settlement.writeOffDebt(s.id));
        expect(rc !== null, "write-off only of a series with debt and no supply").to.equal(d > 0n && s.acc.supply === 0n);
        if (rc) applyEvents(m, r, rc, counts);
      }),
    ),
  ];
  // weights: the commands that move money come up more often (reportDays, settle, settleAll, mint, claim, deposit)
  if (all.length !== COMMAND_NAMES.length) throw new Error("COMMAND_NAMES out of date");
  const byName = (prefix: string) => all.filter((_, i) => COMMAND_NAMES[i] === prefix);
  const wrapper = wrapperCommandArbs(
    (name, run) =>
      c(name, (m, r) =>
        run(host(m, r, counts), m.w, r.w, (a) => [...r.f.holders, r.f.farm].find((x) => x.address === a)!, r.accounts.slice(0, HOLDERS)),
      ),
    HOLDERS,
  );
  return [...all, ...wrapper, ...["reportDays", "settle", "settleAll", "mint", "claim", "deposit", "transfer"].flatMap(byName)];
}

/** Names of the entries of `commands()`'s list, in order (for the weights). */
const COMMAND_NAMES = [
  "createSeries", "mint", "transfer", "batchTransfer", "burn", "report", "confirmReject", "reportDays",
  "resubmitRejected", "uptime", "deposit", "withdrawFunding", "collateral", "settle", "settleAll", "claim",
  "setClaimer", "writeOffDebt",
];

/**
 * Runs the campaign on `conn` (an in-process `network.create()` connection). Throws fast-check's report (seed,
 * path, shrunk counterexample) on the first violated invariant.
 */
export async function runCampaign(conn: Conn, opts: CampaignOptions): Promise<CampaignResult> {
  const base = makeBase(conn);
  const counts: Record<string, number> = {};
  const seed = opts.seed ?? Date.now() ^ (Math.random() * 2 ** 31);
  let runs = 0;
  let steps = 0;
  const t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.commands(commands(counts), { maxCommands: opts.maxSteps, size: "max" }), async (cmds) => {
      const real = await conn.networkHelpers.loadFixture(base);
      const model = initialModel(real);
      await checkInvariants(model, real);
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      runs++;
      steps += [...cmds].length;
      opts.onRun?.(runs, steps);
    }),
    { numRuns: opts.runs, seed, endOnFailure: false },
  );
  return { runs, steps, seed, ms: Date.now() - t0, byCommand: counts };
}
