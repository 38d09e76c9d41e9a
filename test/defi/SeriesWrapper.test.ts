/**
 * `SeriesWrapper`, the accumulating share of a series, against the real token: wrap pays the index in (rounded up),
 * unwrap pays it out (rounded down), the index follows the token's accumulator exactly, the wrapper stays solvent
 * under random sequences, the empty wrapper and a wrapper created late behave, and nothing arrives except by `wrap`.
 */
import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type Fixture, createSeries, deployAll, seriesTerms, timelocked, today } from "../helpers/deploy.js";
import type { SeriesWrapper, SeriesWrapperFactory } from "../../types/ethers-contracts/index.js";

const E36 = 10n ** 36n;
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

const conn = await network.create();
const { ethers, networkHelpers } = conn;

interface W extends Fixture {
  factory: SeriesWrapperFactory;
  wrapper: SeriesWrapper;
  id: bigint;
  startDay: number;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  day: { next: number };
}

/** A 30-day series of 100 TH/s (cap 3,000 units); alice, bob, carol hold 1,000 / 1,000 / 500 units and 1 BTC each;
 *  the admin distributes directly (DISTRIBUTOR_ROLE) so the wrapper is tested against the real token. */
async function base(): Promise<W> {
  const f = await deployAll(conn);
  const [alice, bob, carol] = f.holders;
  const startDay = await today(conn);
  const id = await createSeries(f, await seriesTerms(f, startDay));
  for (const [h, n] of [[alice, 1000n], [bob, 1000n], [carol, 500n]] as const) {
    await f.token.connect(f.farm).mint(h.address, id, n, "0x");
  }
  const factory = (await ethers.deployContract("SeriesWrapperFactory", [f.token])) as unknown as SeriesWrapperFactory;
  await factory.createWrapper(id);
  const wrapper = (await ethers.getContractAt("SeriesWrapper", await factory.wrapperOf(id))) as SeriesWrapper;
  for (const h of [alice, bob, carol]) {
    await f.token.connect(h).setApprovalForAll(wrapper, true);
    await f.wbtc.mint(h.address, 10n ** 8n);
    await f.wbtc.connect(h).approve(wrapper, ethers.MaxUint256);
  }
  await timelocked(conn, f.token, f.admin, "setDistributor", [f.admin.address]);
  await f.wbtc.mint(f.admin.address, 10n ** 15n);
  await f.wbtc.connect(f.admin).approve(f.token, ethers.MaxUint256);
  return { ...f, factory, wrapper, id, startDay, alice, bob, carol, day: { next: startDay } };
}

async function fresh(): Promise<W> {
  const f = await networkHelpers.loadFixture(base);
  return { ...f, day: { next: f.startDay } };
}

async function distribute(w: W, sats: bigint) {
  await w.token.connect(w.admin).distribute(w.id, w.day.next++, sats);
}

/** reserve + the wrapper's claim in the token covers every share at the index (exact at 1e36). */
async function expectSolvent(w: W) {
  const addr = await w.wrapper.getAddress();
  const tokenE36 = await w.token.accruedE36(addr, w.id);
  const held = await w.token.balanceOf(addr, w.id);
  const supply = await w.wrapper.totalSupply();
  expect(held).to.equal(supply);
  expect((await w.wrapper.reserve()) * E36 + tokenE36 >= supply * (await w.wrapper.indexE36())).to.equal(true);
  expect(await w.wbtc.balanceOf(addr) >= (await w.wrapper.reserve())).to.equal(true);
}

describe("SeriesWrapper (accumulating share)", () => {
  let w: W;
  beforeEach(async () => {
    w = await fresh();
  });

  it("factory: one wrapper per series at the predicted CREATE2 address; names the share", async () => {
    const id2 = await createSeries(w, await seriesTerms(w, w.startDay));
    const predicted = await w.factory.predictWrapper(id2);
    await expect(w.factory.createWrapper(id2)).to.emit(w.factory, "WrapperCreated").withArgs(id2, predicted);
    expect(await w.factory.isWrapper(predicted)).to.equal(true);
    await expect(w.factory.createWrapper(id2)).to.be.revertedWithCustomError(w.factory, "WrapperExists").withArgs(id2, predicted);
    await expect(w.factory.createWrapper(99n)).to.be.revertedWithCustomError(w.token, "UnknownSeries").withArgs(99n);
    expect(await w.wrapper.decimals()).to.equal(0n);
    expect(await w.wrapper.symbol()).to.equal(`sTHD-${w.id}`);
    expect(await w.wrapper.name()).to.equal(`Hashpower series ${w.id} share (1 TH/s·day + accrued sats)`);
    expect(await w.wrapper.acc0()).to.equal(0n);
  });

  it("wrap pays the index in (ceil), unwrap pays it out (floor); the index is the token's accumulator since creation", async () => {
    const { wrapper, alice, bob, token, wbtc, id } = w;
    await expect(wrapper.connect(alice).wrap(1_000n, alice.address)).to.emit(wrapper, "Wrapped").withArgs(alice.address, alice.address, 1_000n, 0n, 0n);
    await distribute(w, 2_500n); // 2,500 sats over 2,500 units: 1 sat per unit
    await distribute(w, 1_000n); // 0.4 sat per unit
    const index = await wrapper.indexE36();
    expect(index).to.equal(await token.accPerUnitE36(id));
    const cost = ceilDiv(333n * index, E36);
    expect(await wrapper.previewWrap(333n)).to.equal(cost);
    const b0 = await wbtc.balanceOf(bob.address);
    await expect(wrapper.connect(bob).wrap(333n, bob.address)).to.emit(wrapper, "Wrapped").withArgs(bob.address, bob.address, 333n, cost, index);
    expect(b0 - (await wbtc.balanceOf(bob.address))).to.equal(cost);
    // Alice unwraps: units back + floor(1,000 · index) = 1,400 sats, the wrapper harvesting from the token.
    const a0 = await wbtc.balanceOf(alice.address);
    await expect(wrapper.connect(alice).unwrap(1_000n, alice.address))
      .to.emit(wrapper, "Unwrapped")
      .withArgs(alice.address, alice.address, 1_000n, (1_000n * index) / E36, index)
      .and.to.emit(wrapper, "Harvested");
    expect((await wbtc.balanceOf(alice.address)) - a0).to.equal(1_400n);
    expect(await token.balanceOf(alice.address, id)).to.equal(1_000n);
    // A unit that stayed raw (carol) earned the same 1.4 sats per unit.
    expect(await token.claimable(w.carol.address, id)).to.equal((500n * index) / E36);
    await expectSolvent(w);
  });

  it("an empty wrapper, and a wrapper created after distributions, start at index 0 and stay exact", async () => {
    await distribute(w, 7_777n);
    const id2 = await createSeries(w, await seriesTerms(w, w.startDay));
    await w.token.connect(w.farm).mint(w.alice.address, id2, 10n, "0x");
    await w.token.connect(w.admin).distribute(id2, w.startDay, 1_234n);
    const late = (await ethers.getContractAt("SeriesWrapper", await w.factory.createWrapper.staticCall(id2))) as SeriesWrapper;
    await w.factory.createWrapper(id2);
    expect(await late.acc0()).to.equal(await w.token.accPerUnitE36(id2));
    expect(await late.acc0() > 0n).to.equal(true);
    expect(await late.indexE36()).to.equal(0n);
    await w.token.connect(w.alice).setApprovalForAll(late, true);
    await late.connect(w.alice).wrap(10n, w.alice.address); // free: the days before the wrapper stay with alice
    expect(await late.reserve()).to.equal(0n);
    expect(await w.token.claimable(w.alice.address, id2)).to.equal(1_234n);
    // The first wrap of wrapper 1, after days nobody wrapped through: pays the index in, nothing is diluted.
    const index = await w.wrapper.indexE36();
    expect(index > 0n).to.equal(true);
    await w.wrapper.connect(w.alice).wrap(1n, w.alice.address);
    expect(await w.wrapper.reserve()).to.equal(ceilDiv(index, E36));
    await w.wrapper.connect(w.alice).unwrap(1n, w.alice.address);
    expect(await w.wrapper.totalSupply()).to.equal(0n);
    await expectSolvent(w);
  });

  it("refuses direct deposits, mints into it, batches, foreign callers and bad arguments", async () => {
    const { wrapper, token, alice, id, farm } = w;
    await expect(token.connect(alice).safeTransferFrom(alice.address, wrapper, id, 1n, "0x"))
      .to.be.revertedWithCustomError(wrapper, "DirectDepositRefused")
      .withArgs(alice.address);
    await expect(token.connect(farm).mint(wrapper, id, 1n, "0x")).to.be.revertedWithCustomError(wrapper, "DirectDepositRefused");
    await expect(token.connect(alice).safeBatchTransferFrom(alice.address, wrapper, [id], [1n], "0x")).to.be.revertedWithCustomError(
      wrapper,
      "BatchNotSupported",
    );
    await expect(wrapper.connect(alice).onERC1155Received(alice.address, alice.address, id, 1n, "0x"))
      .to.be.revertedWithCustomError(wrapper, "NotHashpowerToken")
      .withArgs(alice.address);
    await expect(wrapper.connect(alice).wrap(0n, alice.address)).to.be.revertedWithCustomError(wrapper, "ZeroAmount");
    await expect(wrapper.connect(alice).wrap(1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(wrapper, "ZeroAddress");
    await expect(wrapper.connect(alice).wrap(1n, wrapper)).to.be.revertedWithCustomError(wrapper, "InvalidRecipient");
    await expect(wrapper.connect(alice).unwrap(1n, alice.address)).to.be.revertedWithCustomError(wrapper, "ERC20InsufficientBalance");
  });

  it("stays solvent and exact under random wraps, transfers, unwraps and distributions (fast-check)", async () => {
    const who = fc.constantFrom(0, 1, 2);
    const op = fc.oneof(
      fc.record({ k: fc.constant("wrap" as const), h: who, n: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ k: fc.constant("unwrap" as const), h: who, n: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ k: fc.constant("transfer" as const), h: who, to: who, n: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ k: fc.constant("day" as const), sats: fc.bigInt({ min: 0n, max: 50_000n }) }),
      fc.record({ k: fc.constant("harvest" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
        w = await fresh();
        const hs = [w.alice, w.bob, w.carol];
        for (const o of ops) {
          if (o.k === "day") {
            if (w.day.next < w.startDay + 30) await distribute(w, o.sats);
          } else if (o.k === "harvest") {
            await w.wrapper.harvest();
          } else {
            const h = hs[o.h];
            if (o.k === "wrap") {
              const n = BigInt(Math.min(o.n, Number(await w.token.balanceOf(h.address, w.id))));
              if (n === 0n) continue;
              const cost = await w.wrapper.previewWrap(n);
              const s0 = await w.wbtc.balanceOf(h.address);
              await w.wrapper.connect(h).wrap(n, h.address);
              expect(s0 - (await w.wbtc.balanceOf(h.address))).to.equal(cost);
            } else if (o.k === "unwrap") {
              const n = BigInt(Math.min(o.n, Number(await w.wrapper.balanceOf(h.address))));
              if (n === 0n) continue;
              const pay = ((await w.wrapper.indexE36()) * n) / E36;
              const s0 = await w.wbtc.balanceOf(h.address);
              await w.wrapper.connect(h).unwrap(n, h.address);
              expect((await w.wbtc.balanceOf(h.address)) - s0).to.equal(pay);
            } else {
              const n = BigInt(Math.min(o.n, Number(await w.wrapper.balanceOf(h.address))));
              if (n === 0n) continue;
              await w.wrapper.connect(h).transfer(hs[o.to].address, n);
            }
          }
          await expectSolvent(w);
        }
        // Everyone can leave: the whole supply unwraps.
        for (const h of hs) {
          const n = await w.wrapper.balanceOf(h.address);
          if (n > 0n) await w.wrapper.connect(h).unwrap(n, h.address);
        }
        expect(await w.wrapper.totalSupply()).to.equal(0n);
      }),
      { numRuns: 8 },
    );
  });
});
