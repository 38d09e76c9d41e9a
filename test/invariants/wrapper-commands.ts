/**
 * Wrapper commands of the invariant campaign (`campaign.ts`), kept apart because the wrapper is being replaced
 * (issue 9): a `SeriesWrapper` of series 1, and wrap / unwrap / claim commands of the holders.
 *
 * Model: the wrapper is one more holder of series 1 in the token (its claimable there falls only when it harvests,
 * i.e. claims for itself); inside the wrapper each holder accrues on its wrapped balance against the series'
 * accumulator (`indexer/domain/accumulator.ts`). Checked after every command (W1–W3):
 *  W1 each holder's wrapped balance and wrapper-claimable equal the model; no wrapper-claimable falls except by
 *     its own claim;
 *  W2 the wrapper's total supply equals the units it holds in the token;
 *  W3 solvency: the payout asset the wrapper holds = harvested − claimed, and with what it can still harvest it
 *     covers every holder's wrapper-claimable.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import * as acc from "../../indexer/domain/accumulator.js";
import type { SeriesWrapper } from "../../types/ethers-contracts/index.js";
import type { Conn, Fixture } from "../helpers/deploy.js";

/** The wrapper part of the real system. */
export interface WrapperReal {
  wrapper: SeriesWrapper;
  address: string;
}

/** The wrapper part of the model: each holder's checkpoint inside the wrapper, and the last claimables seen. */
export interface WrapperModel {
  holders: Map<string, acc.HolderAcc>;
  last: Map<string, bigint>;
  claimedNow: Set<string>;
}

/** The series the wrapper wraps (the campaign's first initial series). */
export const WRAPPED_SERIES = 1n;

/** Deploys the factory and the wrapper of series 1; every holder approves it. */
export async function deployWrapper(conn: Conn, f: Fixture, holders: string[]): Promise<WrapperReal> {
  const factory = await conn.ethers.deployContract("SeriesWrapperFactory", [f.token, f.admin.address]);
  await factory.createWrapper(WRAPPED_SERIES);
  const address = await factory.wrapperOf(WRAPPED_SERIES);
  const wrapper = (await conn.ethers.getContractAt("SeriesWrapper", address)) as unknown as SeriesWrapper;
  const signers = await conn.ethers.getSigners();
  for (const h of holders) await f.token.connect(signers.find((s) => s.address === h)!).setApprovalForAll(address, true);
  return { wrapper, address };
}

export function newWrapperModel(): WrapperModel {
  return { holders: new Map(), last: new Map(), claimedNow: new Set() };
}

/** What the campaign's model exposes to these commands. */
export interface Host {
  seriesAcc(): acc.SeriesAcc;
  /** moves units of series 1 in the token model (the wrapper is an account there) */
  move(from: string | null, to: string | null, units: bigint): void;
  /** applies token events of a receipt (the wrapper's harvests are `Claimed` events) */
  applyReceipt(rc: ContractTransactionReceipt): void;
  tokenBalance(account: string): bigint;
}

function holderOf(w: WrapperModel, s: acc.SeriesAcc, a: string): acc.HolderAcc {
  let h = w.holders.get(a);
  if (!h) w.holders.set(a, (h = { balance: 0n, paidE36: s.accPerUnitE36, accruedE36: 0n }));
  return h;
}

type Signer = Awaited<ReturnType<Conn["ethers"]["getSigners"]>>[number];

/** wrap / unwrap / claim command bodies: (holder index, units) → run(host, model, real, signer, holder). */
export function wrapperCommandArbs<C>(
  make: (name: string, run: (host: Host, w: WrapperModel, real: WrapperReal, signer: (a: string) => Signer, holders: string[]) => Promise<void>) => C,
  holderCount: number,
) {
  const attempt = async (send: () => Promise<ContractTransactionResponse>) => {
    try {
      return (await (await send()).wait())!;
    } catch (e) {
      if (/revert/i.test(String((e as Error).message))) return null;
      throw e;
    }
  };
  return [
    fc.tuple(fc.nat(holderCount - 1), fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([k, units, wrap]) =>
      make(`${wrap ? "wrap" : "unwrap"}(${k}, ${units})`, async (host, w, real, signer, holders) => {
        const a = holders[k];
        const u = BigInt(units);
        const s = host.seriesAcc();
        const h = holderOf(w, s, a);
        const have = wrap ? host.tokenBalance(a) : h.balance;
        const c = real.wrapper.connect(signer(a)) as unknown as {
          wrap(units: bigint, to: string): Promise<ContractTransactionResponse>;
          unwrap(units: bigint, to: string): Promise<ContractTransactionResponse>;
        };
        const rc = await attempt(() => (wrap ? c.wrap(u, a) : c.unwrap(u, a)));
        expect(rc !== null, `${wrap ? "wrap" : "unwrap"} within balance`).to.equal(u <= have);
        if (!rc) return;
        acc.settle(s, h);
        if (wrap) {
          host.move(a, real.address, u);
          h.balance += u;
        } else {
          host.move(real.address, a, u);
          h.balance -= u;
        }
        host.applyReceipt(rc);
      }),
    ),
    fc.nat(holderCount - 1).map((k) =>
      make(`wrapperClaim(${k})`, async (host, w, real, signer, holders) => {
        const a = holders[k];
        const s = host.seriesAcc();
        const want = acc.claim(s, holderOf(w, s, a));
        const c = real.wrapper.connect(signer(a)) as unknown as { claim(to: string): Promise<ContractTransactionResponse> };
        const rc = (await (await c.claim(a)).wait())!;
        let paid = 0n;
        for (const log of rc.logs) {
          if (log.address.toLowerCase() !== real.address.toLowerCase()) continue;
          const ev = real.wrapper.interface.parseLog(log);
          if (ev?.name === "Claimed") paid += ev.args.amount as bigint;
        }
        expect(paid, `wrapper claim of ${a}`).to.equal(want);
        w.claimedNow.add(a);
        host.applyReceipt(rc);
      }),
    ),
  ];
}

/** W1–W3 (see the module doc). */
export async function checkWrapper(host: Host, w: WrapperModel, real: WrapperReal, f: Fixture, holders: string[]) {
  const s = host.seriesAcc();
  const wr = real.wrapper as unknown as {
    balanceOf(a: string): Promise<bigint>;
    claimable(a: string): Promise<bigint>;
    totalSupply(): Promise<bigint>;
    totalHarvested(): Promise<bigint>;
    totalClaimed(): Promise<bigint>;
  };
  let owed = 0n;
  for (const a of holders) {
    const h = holderOf(w, s, a);
    const c = await wr.claimable(a);
    expect(await wr.balanceOf(a), `wrapped balance of ${a}`).to.equal(h.balance);
    expect(c, `wrapper claimable of ${a}`).to.equal(acc.claimable(s, h));
    const before = w.last.get(a) ?? 0n;
    if (!w.claimedNow.has(a)) expect(c >= before, `wrapper claimable of ${a} fell ${before} → ${c}`).to.equal(true);
    w.last.set(a, c);
    owed += c;
  }
  w.claimedNow.clear();
  expect(await wr.totalSupply(), "wrapper supply = units it holds").to.equal(host.tokenBalance(real.address));
  const held = await f.wbtc.balanceOf(real.address);
  expect(held, "wrapper holds harvested − claimed").to.equal((await wr.totalHarvested()) - (await wr.totalClaimed()));
  const harvestable = await f.token.claimable(real.address, WRAPPED_SERIES);
  expect(held + harvestable >= owed, "wrapper solvent").to.equal(true);
}
