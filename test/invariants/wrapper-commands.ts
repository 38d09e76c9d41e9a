/**
 * Wrapper commands of the invariant campaign (`campaign.ts`): the accumulating `SeriesWrapper` share of series 1
 * (1 share = 1 unit + index sats; issue 9), and wrap / unwrap / share transfer / harvest commands of the holders.
 *
 * Model: the wrapper is one more holder of series 1 in the token (its claimable there falls only when it
 * harvests); a share's index is the series' accumulator minus `acc0` (the accumulator when the wrapper was
 * created); wrap pays ceil(units · index) sats in, unwrap pays floor(units · index) out, from the wrapper's
 * `reserve` (harvesting when short). Checked after every command (W1–W3):
 *  W1 each holder's share balance equals the model, and the sats its shares carry (`previewUnwrap(balance)` =
 *     floor(balance · index)) never fall except by its own unwrap or transfer out;
 *  W2 the wrapper's total supply equals the units it holds in the token;
 *  W3 solvency: `reserve()` equals the model (wraps + harvests − unwraps), the payout asset held covers it
 *     (donations aside), and reserve + what it can still harvest covers every holder's carried sats.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type * as acc from "../../domain/accumulator.js";
import { unwrapPayout, wrapCost } from "../../domain/wrapper.js";
import type { SeriesWrapper } from "../../types/ethers-contracts/index.js";
import type { Conn, Fixture } from "../helpers/deploy.js";

/** The wrapper part of the real system. */
export interface WrapperReal {
  wrapper: SeriesWrapper;
  address: string;
  /** the token's accumulator of the series when the wrapper was created */
  acc0: bigint;
}

/** The wrapper part of the model: share balances, the reserve, the last carried sats seen. */
export interface WrapperModel {
  holders: Map<string, bigint>;
  reserve: bigint;
  last: Map<string, bigint>;
  /** holders whose carried sats may fall this step (they unwrapped or sent shares) */
  claimedNow: Set<string>;
}

/** The series the wrapper wraps (the campaign's first initial series). */
export const WRAPPED_SERIES = 1n;

/** Deploys the factory and the wrapper of series 1; every holder approves it for units and the payout asset. */
export async function deployWrapper(conn: Conn, f: Fixture, holders: string[]): Promise<WrapperReal> {
  const factory = await conn.ethers.deployContract("SeriesWrapperFactory", [f.token]);
  await factory.createWrapper(WRAPPED_SERIES);
  const address = await factory.wrapperOf(WRAPPED_SERIES);
  const wrapper = (await conn.ethers.getContractAt("SeriesWrapper", address)) as unknown as SeriesWrapper;
  const signers = await conn.ethers.getSigners();
  for (const h of holders) {
    const s = signers.find((x) => x.address === h)!;
    await f.token.connect(s).setApprovalForAll(address, true);
    await f.wbtc.mint(h, 10n ** 8n); // to pay the index in when wrapping
    await f.wbtc.connect(s).approve(address, 2n ** 255n);
  }
  return { wrapper, address, acc0: await wrapper.acc0() };
}

export function newWrapperModel(): WrapperModel {
  return { holders: new Map(), reserve: 0n, last: new Map(), claimedNow: new Set() };
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

type Signer = Awaited<ReturnType<Conn["ethers"]["getSigners"]>>[number];

const bal = (w: WrapperModel, a: string) => w.holders.get(a) ?? 0n;
const index = (host: Host, real: WrapperReal) => host.seriesAcc().accPerUnitE36 - real.acc0;

/** The sats the wrapper harvested in a receipt (its `Harvested` events). */
function harvested(real: WrapperReal, rc: ContractTransactionReceipt): bigint {
  let x = 0n;
  for (const log of rc.logs) {
    if (log.address.toLowerCase() !== real.address.toLowerCase()) continue;
    const ev = real.wrapper.interface.parseLog(log);
    if (ev?.name === "Harvested") x += ev.args.amount as bigint;
  }
  return x;
}

/** wrap / unwrap / transfer / harvest command bodies. */
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
        const i = index(host, real);
        const have = wrap ? host.tokenBalance(a) : bal(w, a);
        const c = real.wrapper.connect(signer(a)) as unknown as {
          wrap(units: bigint, to: string): Promise<ContractTransactionResponse>;
          unwrap(units: bigint, to: string): Promise<ContractTransactionResponse>;
        };
        const rc = await attempt(() => (wrap ? c.wrap(u, a) : c.unwrap(u, a)));
        expect(rc !== null, `${wrap ? "wrap" : "unwrap"} within balance`).to.equal(u <= have);
        if (!rc) return;
        let sats = 0n;
        for (const log of rc.logs) {
          if (log.address.toLowerCase() !== real.address.toLowerCase()) continue;
          const ev = real.wrapper.interface.parseLog(log);
          if (ev?.name === "Wrapped" || ev?.name === "Unwrapped") sats = ev.args.sats as bigint;
        }
        w.reserve += harvested(real, rc);
        if (wrap) {
          expect(sats, `wrap pays ceil(units · index)`).to.equal(wrapCost(u, i));
          host.move(a, real.address, u);
          w.holders.set(a, bal(w, a) + u);
          w.reserve += sats;
        } else {
          expect(sats, `unwrap pays floor(units · index)`).to.equal(unwrapPayout(u, i));
          host.move(real.address, a, u);
          w.holders.set(a, bal(w, a) - u);
          w.reserve -= sats;
          w.claimedNow.add(a);
        }
        host.applyReceipt(rc);
      }),
    ),
    fc.tuple(fc.nat(holderCount - 1), fc.nat(holderCount - 1), fc.integer({ min: 1, max: 40 })).map(([k, j, units]) =>
      make(`shareTransfer(${k}, ${j}, ${units})`, async (_host, w, real, signer, holders) => {
        const [a, b] = [holders[k], holders[j]];
        const u = BigInt(units);
        const c = real.wrapper.connect(signer(a)) as unknown as { transfer(to: string, v: bigint): Promise<ContractTransactionResponse> };
        const rc = await attempt(() => c.transfer(b, u));
        expect(rc !== null, "share transfer within balance").to.equal(u <= bal(w, a));
        if (!rc) return;
        w.holders.set(a, bal(w, a) - u);
        w.holders.set(b, bal(w, b) + u);
        w.claimedNow.add(a);
      }),
    ),
    fc.nat(holderCount - 1).map((k) =>
      make(`wrapperHarvest(${k})`, async (host, w, real, signer, holders) => {
        const c = real.wrapper.connect(signer(holders[k])) as unknown as { harvest(): Promise<ContractTransactionResponse> };
        const rc = (await (await c.harvest()).wait())!;
        w.reserve += harvested(real, rc);
        host.applyReceipt(rc);
      }),
    ),
  ];
}

/** W1–W3 (see the module doc). */
export async function checkWrapper(host: Host, w: WrapperModel, real: WrapperReal, f: Fixture, holders: string[]) {
  const i = index(host, real);
  const wr = real.wrapper as unknown as {
    balanceOf(a: string): Promise<bigint>;
    previewUnwrap(u: bigint): Promise<bigint>;
    indexE36(): Promise<bigint>;
    totalSupply(): Promise<bigint>;
    reserve(): Promise<bigint>;
  };
  expect(await wr.indexE36(), "index = accumulator − acc0").to.equal(i);
  let owed = 0n;
  for (const a of holders) {
    const b = bal(w, a);
    expect(await wr.balanceOf(a), `shares of ${a}`).to.equal(b);
    const carried = await wr.previewUnwrap(b);
    expect(carried, `sats carried by ${a}`).to.equal(unwrapPayout(b, i));
    const before = w.last.get(a) ?? 0n;
    if (!w.claimedNow.has(a)) expect(carried >= before, `sats carried by ${a} fell ${before} → ${carried}`).to.equal(true);
    w.last.set(a, carried);
    owed += carried;
  }
  w.claimedNow.clear();
  expect(await wr.totalSupply(), "wrapper supply = units it holds").to.equal(host.tokenBalance(real.address));
  const reserve = await wr.reserve();
  expect(reserve, "reserve = wraps + harvests − unwraps").to.equal(w.reserve);
  expect((await f.wbtc.balanceOf(real.address)) >= reserve, "the payout asset held covers the reserve").to.equal(true);
  const harvestable = await f.token.claimable(real.address, WRAPPED_SERIES);
  expect(reserve + harvestable >= owed, "wrapper solvent").to.equal(true);
}
