/**
 * Model-based property test of HashpowerToken's payout accounting against Hardhat's simulator (fast-check).
 *
 * Random sequences (20 runs × 20–35 steps) of mints, transfers, batch transfers, burns, distributions, repayments and
 * claims over 3 series and 5 holders run against one deployment (reset by snapshot between runs) and two models:
 *  - the reference accumulator `domain/accumulator.ts`, which the contract must match bit for bit
 *    (accumulator, carry, each holder's 1e36-scaled accrual, every claim);
 *  - an independent brute-force model: a holder's entitlement in a series is Σ over distributions of
 *    balance_at_that_time × amount / supply_at_that_time, kept as an exact fraction.
 *
 * After every step:
 *  (a) per series, exactly at 1e36 scale: distributed·1e36 = claimed·1e36 + Σ holders' unclaimed accrual + carry;
 *      in sats, distributed = claimed + Σ claimable + dust with 0 ≤ dust ≤ number of holders of the series
 *      (each holder keeps < 1 sat of sub-sat remainder; carry < supply ≪ 1e36), and the token's payout-asset
 *      balance equals Σ distributed − Σ claimed (so it covers Σ claimable);
 *  (b) for every holder and series, with D distributions of a non-zero amount and S_max the largest supply seen:
 *      the contract's accrual T (claimed·1e36 + unclaimed, at 1e36 scale) equals Σ_d balance_d · ⌊(amount_d·1e36 +
 *      carry_{d−1}) / S_d⌋, so |T − E·1e36| ≤ Σ_d (balance_d/S_d)·|carry_{d−1} − carry_d| < D·S_max, and
 *      claimed + claimable = ⌊T / 1e36⌋ lies in (E − 1 − D·S_max/1e36, E + D·S_max/1e36):
 *      less than 1 sat per holder per series below the exact share, plus the carry term (≈ 1e-33 sats here);
 *  (c) mints, transfers, batch transfers and burns change nobody's claimable.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";
import * as ref from "../../domain/accumulator.js";
import { ACC_SCALE } from "../../domain/units.js";
import { deployTokenSystem, START_DAY, type TokenSystem } from "./token-fixture.js";

const { ethers, networkHelpers } = await network.create();

const SERIES = [1n, 2n, 3n];
const HOLDERS = 5;
const INITIAL_UNITS = 10n;
const TERM_DAYS = 60;
const RUNS = 20;
const MIN_STEPS = 20;
const MAX_STEPS = 35;

/** Three series (caps 600, 180 and 420 units; the third by another farm) with 10 units per holder in each. */
async function propertySystem(): Promise<TokenSystem> {
  const sys = await deployTokenSystem(ethers);
  const { token, farm, farm2, holders, terms } = sys;
  await token.connect(farm).createSeries(terms({ hashrateThs: 10n, termDays: BigInt(TERM_DAYS) }));
  await token.connect(farm).createSeries(terms({ hashrateThs: 3n, termDays: BigInt(TERM_DAYS) }));
  await token.connect(farm2).createSeries(terms({ farm: farm2.address, hashrateThs: 7n, termDays: BigInt(TERM_DAYS) }));
  for (const id of SERIES) {
    const issuer = id === 3n ? farm2 : farm;
    for (const h of holders.slice(0, HOLDERS)) await token.connect(issuer).mint(h.address, id, INITIAL_UNITS, "0x");
  }
  return sys;
}

/** Exact non-negative fraction. */
interface Frac {
  num: bigint;
  den: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
function addFrac(x: Frac, num: bigint, den: bigint): Frac {
  const n = x.num * den + num * x.den;
  const d = x.den * den;
  const g = gcd(n, d) || 1n;
  return { num: n / g, den: d / g };
}

/** Both models of one run. Indices: series s ∈ 0..2, holder h ∈ 0..4. */
interface Model {
  // independent brute force
  balance: bigint[][]; // [s][h] units
  supply: bigint[];
  minted: bigint[];
  cap: bigint[];
  entitlement: Frac[][]; // [s][h] exact sats
  claimed: bigint[][]; // [s][h] sats received
  funded: bigint[]; // [s] sats distributed
  claimedTotal: bigint[]; // [s]
  nonZeroDistributions: bigint[]; // [s] D
  maxSupply: bigint[]; // [s] S_max
  nextDay: number[];
  // reference accumulator (accumulator.ts)
  acc: ref.SeriesAcc[];
  holder: ref.HolderAcc[][];
}

interface Real {
  sys: TokenSystem;
}

function initialModel(): Model {
  const per = () => SERIES.map(() => Array.from({ length: HOLDERS }, () => 0n));
  const supply = HOLDERS * Number(INITIAL_UNITS);
  return {
    balance: SERIES.map(() => Array.from({ length: HOLDERS }, () => INITIAL_UNITS)),
    supply: SERIES.map(() => BigInt(supply)),
    minted: SERIES.map(() => BigInt(supply)),
    cap: [600n, 180n, 420n],
    entitlement: SERIES.map(() => Array.from({ length: HOLDERS }, () => ({ num: 0n, den: 1n }))),
    claimed: per(),
    funded: SERIES.map(() => 0n),
    claimedTotal: SERIES.map(() => 0n),
    nonZeroDistributions: SERIES.map(() => 0n),
    maxSupply: SERIES.map(() => BigInt(supply)),
    nextDay: SERIES.map(() => START_DAY),
    acc: SERIES.map(() => ({ supply: BigInt(supply), accPerUnitE36: 0n, carryE36: 0n })),
    holder: SERIES.map(() => Array.from({ length: HOLDERS }, () => ({ balance: INITIAL_UNITS, paidE36: 0n, accruedE36: 0n }))),
  };
}

/** Moves `value` units of series `s` in both models (h = -1 is address(0): mint or burn). */
function moveUnits(m: Model, s: number, from: number, to: number, value: bigint) {
  if (from >= 0) {
    ref.settle(m.acc[s], m.holder[s][from]);
    m.holder[s][from].balance -= value;
    m.balance[s][from] -= value;
  } else {
    m.acc[s].supply += value;
    m.supply[s] += value;
    m.minted[s] += value;
  }
  if (to >= 0) {
    ref.settle(m.acc[s], m.holder[s][to]);
    m.holder[s][to].balance += value;
    m.balance[s][to] += value;
  } else {
    m.acc[s].supply -= value;
    m.supply[s] -= value;
  }
  if (m.supply[s] > m.maxSupply[s]) m.maxSupply[s] = m.supply[s];
}

/** Credits `amount` sats to series `s` in both models. */
function creditModel(m: Model, s: number, amount: bigint) {
  ref.distribute(m.acc[s], amount);
  if (amount === 0n) return;
  m.funded[s] += amount;
  m.nonZeroDistributions[s] += 1n;
  for (let h = 0; h < HOLDERS; h++) {
    if (m.balance[s][h] !== 0n) m.entitlement[s][h] = addFrac(m.entitlement[s][h], m.balance[s][h] * amount, m.supply[s]);
  }
}

/** claimable(holder, series) for every pair, [s][h]. */
async function claimables(r: Real): Promise<bigint[][]> {
  const { token, holders } = r.sys;
  return Promise.all(SERIES.map((id) => Promise.all(holders.slice(0, HOLDERS).map((h) => token.claimable(h.address, id)))));
}

/** Checks (a) and (b) and the bit-identity with the reference accumulator. */
async function checkInvariants(m: Model, r: Real) {
  const { token, wbtc, holders } = r.sys;
  const claim = await claimables(r);
  let owedTotal = 0n;
  for (const [s, id] of SERIES.entries()) {
    const st = await token.seriesState(id);
    // bit-identity with accumulator.ts
    expect([st.supply, st.minted, st.accPerUnitE36, st.carryE36], `series ${id} state`).to.deep.equal([
      m.supply[s],
      m.minted[s],
      m.acc[s].accPerUnitE36,
      m.acc[s].carryE36,
    ]);
    expect(st.distributed).to.equal(m.funded[s]);
    let unclaimedE36 = 0n;
    let claimableSum = 0n;
    let holdersWithAccrual = 0n;
    for (let h = 0; h < HOLDERS; h++) {
      const mh = m.holder[s][h];
      expect(await token.balanceOf(holders[h].address, id), `balance s${id} h${h}`).to.equal(m.balance[s][h]);
      // the contract's reward-debt slot gives exactly the reference's settled + unsettled accrual, at 1e36 scale
      const pendingE36 = await token.accruedE36(holders[h].address, id);
      expect(pendingE36, `accruedE36 s${id} h${h}`).to.equal(mh.accruedE36 + mh.balance * (m.acc[s].accPerUnitE36 - mh.paidE36));
      expect(claim[s][h], `claimable s${id} h${h}`).to.equal(ref.claimable(m.acc[s], mh));
      unclaimedE36 += pendingE36;
      claimableSum += claim[s][h];
      if (pendingE36 !== 0n) holdersWithAccrual++;

      // (b) against the brute-force entitlement E = num/den
      const E = m.entitlement[s][h];
      const T = m.claimed[s][h] * ACC_SCALE + pendingE36;
      const carryBound = m.nonZeroDistributions[s] * m.maxSupply[s];
      expect((T * E.den - E.num * ACC_SCALE) * (T * E.den >= E.num * ACC_SCALE ? 1n : -1n), `|T − E| s${id} h${h}`).to.be.lessThan(
        carryBound * E.den + (carryBound === 0n ? 1n : 0n),
      );
      const paidE36 = (m.claimed[s][h] + claim[s][h]) * ACC_SCALE * E.den;
      const slack = carryBound === 0n ? 1n : 0n; // no distribution yet: paid = E = 0 exactly
      expect(paidE36 < E.num * ACC_SCALE + carryBound * E.den + slack, `paid ≤ E s${id} h${h}`).to.equal(true);
      expect(paidE36 > E.num * ACC_SCALE - (ACC_SCALE + carryBound) * E.den, `paid > E − 1 s${id} h${h}`).to.equal(true);
    }
    // (a) conservation, exact at 1e36 scale, and the dust bound in sats
    // claimed: Σ Claimed events, each checked against the reference by the claim command
    expect(st.distributed * ACC_SCALE).to.equal(m.claimedTotal[s] * ACC_SCALE + unclaimedE36 + st.carryE36);
    const dust = st.distributed - m.claimedTotal[s] - claimableSum;
    expect(dust >= 0n && dust <= holdersWithAccrual, `dust ${dust} of series ${id}`).to.equal(true);
    owedTotal += st.distributed - m.claimedTotal[s];
  }
  expect(await wbtc.balanceOf(await token.getAddress())).to.equal(owedTotal);
}

type Cmd = fc.AsyncCommand<Model, Real>;
const always = () => true;

/** Runs a unit-moving operation and checks (c): nobody's claimable changes. */
async function unchangedClaimables(r: Real, op: () => Promise<unknown>) {
  const before = await claimables(r);
  await op();
  expect(await claimables(r)).to.deep.equal(before);
}

class Mint implements Cmd {
  constructor(readonly s: number, readonly h: number, readonly units: bigint) {}
  check = always;
  async run(m: Model, r: Real) {
    const { token, farm, farm2, holders } = r.sys;
    const id = SERIES[this.s];
    const issuer = this.s === 2 ? farm2 : farm;
    const call = () => token.connect(issuer).mint(holders[this.h].address, id, this.units, "0x");
    if (m.minted[this.s] + this.units > m.cap[this.s]) {
      await expect(call())
        .to.be.revertedWithCustomError(token, "SupplyCapExceeded")
        .withArgs(id, m.minted[this.s] + this.units, m.cap[this.s]);
    } else {
      await unchangedClaimables(r, call);
      moveUnits(m, this.s, -1, this.h, this.units);
    }
    await checkInvariants(m, r);
  }
  toString = () => `mint(s${this.s}, h${this.h}, ${this.units})`;
}

class Transfer implements Cmd {
  constructor(readonly s: number, readonly from: number, readonly to: number, readonly permille: bigint) {}
  check = always;
  async run(m: Model, r: Real) {
    const { token, holders } = r.sys;
    const value = (m.balance[this.s][this.from] * this.permille) / 1000n;
    const [f, t] = [holders[this.from], holders[this.to]];
    await unchangedClaimables(r, () => token.connect(f).safeTransferFrom(f.address, t.address, SERIES[this.s], value, "0x"));
    moveUnits(m, this.s, this.from, this.to, value);
    await checkInvariants(m, r);
  }
  toString = () => `transfer(s${this.s}, h${this.from} → h${this.to}, ${this.permille}‰)`;
}

class BatchTransfer implements Cmd {
  constructor(readonly from: number, readonly to: number, readonly permille: bigint[]) {}
  check = always;
  async run(m: Model, r: Real) {
    const { token, holders } = r.sys;
    const values = this.permille.map((p, s) => (m.balance[s][this.from] * p) / 1000n);
    const [f, t] = [holders[this.from], holders[this.to]];
    await unchangedClaimables(r, () => token.connect(f).safeBatchTransferFrom(f.address, t.address, SERIES, values, "0x"));
    values.forEach((v, s) => moveUnits(m, s, this.from, this.to, v));
    await checkInvariants(m, r);
  }
  toString = () => `batch(h${this.from} → h${this.to}, ${this.permille.join("/")}‰)`;
}

class Burn implements Cmd {
  constructor(readonly s: number, readonly h: number, readonly permille: bigint) {}
  check = always;
  async run(m: Model, r: Real) {
    const { token, holders } = r.sys;
    const value = (m.balance[this.s][this.h] * this.permille) / 1000n;
    const holder = holders[this.h];
    await unchangedClaimables(r, () => token.connect(holder).burn(holder.address, SERIES[this.s], value));
    moveUnits(m, this.s, this.h, -1, value);
    await checkInvariants(m, r);
  }
  toString = () => `burn(s${this.s}, h${this.h}, ${this.permille}‰)`;
}

class Distribute implements Cmd {
  constructor(readonly s: number, readonly amount: bigint, readonly repayment: boolean) {}
  check = (m: Readonly<Model>) => this.repayment || m.nextDay[this.s] < START_DAY + TERM_DAYS;
  async run(m: Model, r: Real) {
    const { token, distributor } = r.sys;
    const id = SERIES[this.s];
    const t = token.connect(distributor);
    const amount = this.repayment && this.amount === 0n ? 1n : this.amount;
    const call = () => (this.repayment ? t.distributeRepayment(id, amount) : t.distribute(id, m.nextDay[this.s], amount));
    if (amount > 0n && m.supply[this.s] === 0n) {
      await expect(call()).to.be.revertedWithCustomError(token, "NoSupply").withArgs(id);
    } else {
      await call();
      if (!this.repayment) m.nextDay[this.s]++;
      creditModel(m, this.s, amount);
    }
    await checkInvariants(m, r);
  }
  toString = () => `${this.repayment ? "repay" : "distribute"}(s${this.s}, ${this.amount})`;
}

class Claim implements Cmd {
  constructor(readonly h: number, readonly mask: boolean[], readonly toSelf: boolean) {}
  check = always;
  async run(m: Model, r: Real) {
    const { token, wbtc, holders, other } = r.sys;
    const ids = SERIES.filter((_, s) => this.mask[s]);
    const holder = holders[this.h];
    const receiver = this.toSelf ? holder : other;
    const expected = SERIES.map((_, s) => (this.mask[s] ? ref.claim(m.acc[s], m.holder[s][this.h]) : 0n));
    const before = await wbtc.balanceOf(receiver.address);
    const receipt = await (await token.connect(holder).claim(ids, receiver.address)).wait();
    const paid = receipt!.logs
      .filter((l) => l.address === token.target)
      .map((l) => token.interface.parseLog(l)!)
      .filter((e) => e.name === "Claimed")
      .map((e) => [e.args.id, e.args.amount]);
    expect(paid).to.deep.equal(SERIES.flatMap((id, s) => (expected[s] > 0n ? [[id, expected[s]]] : [])));
    const total = expected.reduce((a, b) => a + b, 0n);
    expect(await wbtc.balanceOf(receiver.address)).to.equal(before + total);
    expected.forEach((x, s) => {
      m.claimed[s][this.h] += x;
      m.claimedTotal[s] += x;
    });
    await checkInvariants(m, r);
  }
  toString = () => `claim(h${this.h}, ${this.mask.map(Number).join("")}, ${this.toSelf ? "self" : "other"})`;
}

const series = fc.integer({ min: 0, max: SERIES.length - 1 });
const holder = fc.integer({ min: 0, max: HOLDERS - 1 });
const permille = fc.oneof(fc.constant(1000n), fc.bigInt({ min: 0n, max: 1000n }));
const amount = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 5, arbitrary: fc.bigInt({ min: 1n, max: 1_000_000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 12n }) },
);
const commands = [
  fc.tuple(series, holder, fc.bigInt({ min: 1n, max: 120n })).map(([s, h, u]) => new Mint(s, h, u)),
  fc.tuple(series, holder, holder, permille).map(([s, f, t, p]) => new Transfer(s, f, t, p)),
  fc.tuple(holder, holder, fc.array(permille, { minLength: 3, maxLength: 3 })).map(([f, t, p]) => new BatchTransfer(f, t, p)),
  fc.tuple(series, holder, permille).map(([s, h, p]) => new Burn(s, h, p)),
  fc.tuple(series, amount, fc.boolean()).map(([s, a, rep]) => new Distribute(s, a, rep)),
  fc.tuple(series, amount).map(([s, a]) => new Distribute(s, a, false)),
  fc.tuple(holder, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.boolean()).map(([h, mask, self]) => new Claim(h, mask, self)),
];

describe("HashpowerToken accounting properties (fast-check, model-based)", function () {
  it(`holds conservation, brute-force entitlement and transfer neutrality over ${RUNS} random runs of ${MIN_STEPS}–${MAX_STEPS} steps`, async function () {
    this.timeout(600_000); // shrinking a counterexample replays many runs
    await networkHelpers.loadFixture(propertySystem); // deploy once; every run restores this snapshot
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(...commands), { minLength: MIN_STEPS, maxLength: MAX_STEPS }), async (cmds) => {
        const sys = await networkHelpers.loadFixture(propertySystem);
        const m = initialModel();
        await checkInvariants(m, { sys });
        await fc.asyncModelRun(() => ({ model: m, real: { sys } }), cmds);
      }),
      { numRuns: RUNS },
    );
  });
});
