/**
 * The whole protocol deployed on a Hardhat node over JSON-RPC (real contracts: HashpowerToken, HashpriceOracle with
 * its quorum, Settlement, an OpenZeppelin 8-decimal ERC-20; deployed by the shared fixture), and seeded random
 * activity that exercises every indexed event: mints, burns, single and batch transfers, quorum-signed daily and
 * uptime reports, settlements (with collateral draws and debt when the farm is short), deposits repaying debt,
 * claims, claimers.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  createSeries, deployAll, deposit, postCollateral, seriesTerms, submitDaily, submitUptimes, type OracleFixture,
} from "../../helpers/deploy.js";
import { dailyReportOf, loadDays, type DayInputs } from "../../../domain/data.js";
import type { HashpowerToken, Settlement, TestWBTC } from "../../../types/ethers-contracts/index.js";
import { connect, sharedNode } from "./env.js";

type Conn = Awaited<ReturnType<typeof connect>>;

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
  };
}
export type Rng = ReturnType<typeof prng>;

/** The deployed system and its actors. */
export interface System {
  conn: Conn;
  o: OracleFixture;
  token: HashpowerToken;
  settlement: Settlement;
  wbtc: TestWBTC;
  admin: HardhatEthersSigner;
  farm: HardhatEthersSigner;
  holders: HardhatEthersSigner[];
  addresses: { token: string; oracle: string; settlement: string; wbtc: string };
  /** block of the first deployment transaction */
  fromBlock: number;
  /** series ids */
  ids: bigint[];
  /** first day of the series' terms (all start together), and the next day to report/settle */
  startDay: number;
  nextDay: number;
  /** real Bitcoin inputs, cycled over the reported days */
  inputs: DayInputs[];
}

/** Deploys and wires everything (the shared fixture `deployAll`); creates two series of `farm` and mints to the holders. */
export async function deploySystem(conn: Conn): Promise<System> {
  const { ethers } = conn;
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  // bootstrap hashprice 1 sat/TH/s/day: issuance needs collateral, but the 2,000 sats below cover it (little money)
  const f = await deployAll(conn, { reporters: 3, quorum: 2, coverDays: 2, bootstrapHashpriceE18: 10n ** 18n });
  const signers = await ethers.getSigners();
  const holders = [...f.holders, ...signers.slice(9, 14)];
  // little money on purpose: settlements run the collateral down and leave debt that deposits repay
  // (a day owes the holders a few thousand sats)
  await (await postCollateral(f, 2_000n)).wait();
  await (await deposit(f, 1_000n)).wait();
  await (await f.wbtc.mint(f.farm.address, 10n ** 14n)).wait();
  await (await f.wbtc.connect(f.farm).approve(f.settlement, ethers.MaxUint256)).wait();
  const now = Number((await ethers.provider.getBlock("latest"))!.timestamp);
  const startDay = Math.floor(now / 86_400) - 40;
  const ids = [
    await createSeries(f, await seriesTerms(f, startDay, { termDays: 60, efficiencyJPerThE3: 17_500, serviceFeeUsdPerThDayE6: 1_200 })),
    await createSeries(f, await seriesTerms(f, startDay, { hashrateThs: 40n, termDays: 45, poolFeeBps: 150, slaBps: 9_000, serviceFeeUsdPerThDayE6: 0 })),
  ];
  for (const [i, h] of holders.entries()) {
    await (await f.token.connect(f.farm).mint(h.address, ids[0], BigInt(100 + 37 * i), "0x")).wait();
    if (i % 2 === 0) await (await f.token.connect(f.farm).mint(h.address, ids[1], BigInt(50 + 11 * i), "0x")).wait();
  }
  const days = [...loadDays().values()].filter((d) => d.date >= "2024-05-01" && d.btcUsdE8 > 0n);
  return {
    conn, o: f, token: f.token, settlement: f.settlement, wbtc: f.wbtc, admin: f.admin, farm: f.farm, holders,
    addresses: {
      token: (await f.token.getAddress()).toLowerCase(), oracle: (await f.oracle.getAddress()).toLowerCase(),
      settlement: (await f.settlement.getAddress()).toLowerCase(), wbtc: (await f.wbtc.getAddress()).toLowerCase(),
    },
    fromBlock, ids, startDay, nextDay: startDay, inputs: days,
  };
}

/** Reports day `sys.nextDay` (network + farm uptime) and settles it for every series (one pair twice). */
export async function settleNextDay(sys: System, rng: Rng): Promise<void> {
  const day = sys.nextDay++;
  const inp = sys.inputs[(day - sys.startDay) % sys.inputs.length];
  await (await submitDaily(sys.o, { ...dailyReportOf(inp), day })).wait();
  const uptime = rng.next() < 0.3 ? rng.int(7_000, 9_400) : rng.int(9_500, 10_000);
  await (await submitUptimes(sys.o, [{ farm: sys.farm.address, day, uptimeBps: uptime }])).wait();
  // the first pair twice: the second is skipped with `SettleSkipped`, which the indexer must decode and ignore
  await (await sys.settlement.settle([...sys.ids, sys.ids[0]], [...sys.ids.map(() => day), day])).wait();
}

/** Balances of every holder in every series, from the contract. */
async function balances(sys: System) {
  const out: { h: HardhatEthersSigner; id: bigint; bal: bigint }[] = [];
  for (const h of sys.holders) for (const id of sys.ids) out.push({ h, id, bal: await sys.token.balanceOf(h.address, id) });
  return out;
}

/** One random action; returns its name. */
export async function randomStep(sys: System, rng: Rng): Promise<string> {
  const { token, wbtc, farm, holders } = sys;
  const r = rng.next();
  if (r < 0.3) {
    const owned = (await balances(sys)).filter((b) => b.bal > 0n);
    const b = rng.pick(owned);
    const to = rng.pick(holders.filter((h) => h !== b.h));
    await (await token.connect(b.h).safeTransferFrom(b.h.address, to.address, b.id, BigInt(rng.int(1, Number(b.bal))), "0x")).wait();
    return "transfer";
  }
  if (r < 0.4) {
    const from = rng.pick(holders);
    const ids: bigint[] = [];
    const values: bigint[] = [];
    for (const id of sys.ids) {
      const bal = await token.balanceOf(from.address, id);
      if (bal > 0n) {
        ids.push(id);
        values.push(BigInt(rng.int(1, Number(bal))));
      }
    }
    if (ids.length === 0) return "noop";
    const to = rng.pick(holders.filter((h) => h !== from));
    await (await token.connect(from).safeBatchTransferFrom(from.address, to.address, ids, values, "0x")).wait();
    return "batch";
  }
  if (r < 0.62) {
    const today = Math.floor(Number((await sys.conn.ethers.provider.getBlock("latest"))!.timestamp) / 86_400);
    if (sys.nextDay >= today) return "noop"; // only ended days can be reported
    await settleNextDay(sys, rng);
    return "settle";
  }
  if (r < 0.8) {
    const h = rng.pick(holders);
    await (await token.connect(h).claim(sys.ids, h.address)).wait();
    return "claim";
  }
  if (r < 0.88) {
    await (await sys.settlement.connect(farm).deposit(farm.address, await wbtc.getAddress(), BigInt(rng.int(200, 4_000)))).wait();
    return "deposit";
  }
  if (r < 0.94) {
    const [h, c] = [rng.pick(holders), rng.pick(holders)];
    if (h === c) return "noop";
    await (await token.connect(h).setClaimer(c.address)).wait();
    await (await token.connect(c).claimOnBehalf(h.address, sys.ids, c.address)).wait();
    return "claimOnBehalf";
  }
  if (r < 0.97) {
    const owned = (await balances(sys)).filter((b) => b.bal > 0n);
    const b = rng.pick(owned);
    await (await token.connect(b.h).burn(b.h.address, b.id, BigInt(rng.int(1, Math.max(1, Math.floor(Number(b.bal) / 3)))))).wait();
    return "burn";
  }
  const id = rng.pick(sys.ids);
  const st = await token.seriesState(id);
  const cap = await token.supplyCap(id);
  if (st.minted >= cap) return "noop";
  const n = BigInt(rng.int(1, 50));
  await (await token.connect(farm).mint(rng.pick(holders).address, id, n > cap - st.minted ? cap - st.minted : n, "0x")).wait();
  return "mint";
}

/** Runs `n` random steps. */
export async function randomActivity(sys: System, rng: Rng, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const s = await randomStep(sys, rng);
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

/**
 * The common set-up of the sync tests: a fresh system deployed on the shared Hardhat node, after `steps` random
 * actions drawn from `prng(seed)`. Returns the node's JSON-RPC URL and the system.
 */
export async function deployWithActivity(seed: number, steps: number): Promise<{ url: string; sys: System }> {
  const url = (await sharedNode()).url;
  const sys = await deploySystem(await connect(url));
  await randomActivity(sys, prng(seed), steps);
  return { url, sys };
}
