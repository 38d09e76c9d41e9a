import { expect } from "chai";
import { network } from "hardhat";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { AbiCoder } from "ethers";
import { type Fixture, createSeries, deployAll, seriesTerms, timelocked, today } from "../helpers/deploy.js";
import type { SeriesWrapper, SeriesWrapperFactory } from "../../types/ethers-contracts/index.js";

const E36 = 10n ** 36n;
const enc = (a: string) => AbiCoder.defaultAbiCoder().encode(["address"], [a]);

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
  dave: HardhatEthersSigner;
  erin: HardhatEthersSigner;
  /** the next day to distribute */
  day: { next: number };
}

/** A 30-day series of 100 TH/s (cap 3,000 units); alice, bob, carol hold 1,000 / 1,000 / 500 units; the admin
 *  is made the token's distributor (timelocked) and distributes directly, so the wrapper is tested against the real token without settlement. */
async function base(): Promise<W> {
  const f = await deployAll(conn);
  const signers = await ethers.getSigners();
  const [alice, bob, carol] = f.holders;
  const [dave, erin] = signers.slice(9, 11);
  const startDay = await today(conn);
  const id = await createSeries(f, await seriesTerms(f, startDay));
  for (const [h, n] of [[alice, 1000n], [bob, 1000n], [carol, 500n]] as const) {
    await f.token.connect(f.farm).mint(h.address, id, n, "0x");
  }
  const factory = await ethers.deployContract("SeriesWrapperFactory", [f.token, f.admin.address]);
  await factory.connect(f.admin).grantRole(await factory.CLAIMER_ADMIN_ROLE(), f.admin.address);
  await factory.createWrapper(id);
  const wrapper = (await ethers.getContractAt("SeriesWrapper", await factory.wrapperOf(id))) as SeriesWrapper;
  for (const h of [alice, bob, carol, dave, erin]) await f.token.connect(h).setApprovalForAll(wrapper, true);
  await timelocked(conn, f.token, f.admin, "setDistributor", [f.admin.address]);
  await f.wbtc.mint(f.admin.address, 10n ** 15n);
  await f.wbtc.connect(f.admin).approve(f.token, ethers.MaxUint256);
  return { ...f, factory, wrapper, id, startDay, alice, bob, carol, dave, erin, day: { next: startDay } };
}

/** The fixture with the chain reverted to its snapshot and a fresh JS day counter (loadFixture shares objects). */
async function fresh(): Promise<W> {
  const f = await networkHelpers.loadFixture(base);
  return { ...f, day: { next: f.startDay } };
}

/** Distributes `sats` to the series for its next day. */
async function distribute(w: W, sats: bigint) {
  await w.token.connect(w.admin).distribute(w.id, w.day.next++, sats);
}

/** 1e36-scaled accrual of `account` in the wrapper (settled + unsettled). */
async function wrapperAccrualE36(w: W, account: string): Promise<bigint> {
  const [paid, accrued] = await w.wrapper.checkpoint(account);
  const bal = await w.wrapper.balanceOf(account);
  return accrued + (bal === 0n ? 0n : bal * ((await w.wrapper.accPerUnitE36()) - paid));
}

/** 1e36-scaled accrual of `account` in the token (settled + unsettled). */
async function tokenAccrualE36(w: W, account: string): Promise<bigint> {
  const [bal, paid, accrued] = await w.token.holderCheckpoint(account, w.id);
  return accrued + (bal === 0n ? 0n : bal * ((await w.token.seriesState(w.id)).accPerUnitE36 - paid));
}

/** The wrapper's conservation law, exact at 1e36, and its sat-level consequence. */
async function expectConserved(w: W, holders: string[]) {
  let sum = 0n;
  let sumClaimable = 0n;
  for (const h of holders) {
    sum += await wrapperAccrualE36(w, h);
    sumClaimable += await w.wrapper.claimable(h);
  }
  const harvested = await w.wrapper.totalHarvested();
  const claimed = await w.wrapper.totalClaimed();
  const wrapperAddr = await w.wrapper.getAddress();
  expect(await w.wbtc.balanceOf(wrapperAddr)).to.equal(harvested - claimed);
  expect(sum).to.equal((await tokenAccrualE36(w, wrapperAddr)) + (harvested - claimed) * E36);
  // What holders can claim never exceeds what the wrapper has or can harvest; the gap is sub-sat dust per holder.
  const available = harvested - claimed + (await w.token.claimable(wrapperAddr, w.id));
  expect(sumClaimable <= available).to.equal(true);
  expect(available - sumClaimable <= BigInt(holders.length)).to.equal(true);
  expect(await w.wrapper.totalSupply()).to.equal(await w.token.balanceOf(wrapperAddr, w.id));
}

describe("SeriesWrapper", () => {
  let w: W;
  beforeEach(async () => {
    w = await fresh();
  });

  describe("factory", () => {
    it("deploys one wrapper per series at the predicted CREATE2 address", async () => {
      const id2 = await createSeries(w, await seriesTerms(w, w.startDay));
      const predicted = await w.factory.predictWrapper(id2);
      await expect(w.factory.createWrapper(id2)).to.emit(w.factory, "WrapperCreated").withArgs(id2, predicted);
      expect(await w.factory.wrapperOf(id2)).to.equal(predicted);
      expect(await w.factory.isWrapper(predicted)).to.equal(true);
      expect(await w.factory.predictWrapper(w.id)).to.equal(await w.wrapper.getAddress());
      await expect(w.factory.createWrapper(id2))
        .to.be.revertedWithCustomError(w.factory, "WrapperExists")
        .withArgs(id2, predicted);
      await expect(w.factory.createWrapper(99n)).to.be.revertedWithCustomError(w.token, "UnknownSeries").withArgs(99n);
    });

    it("names the unit: decimals 0, 1 token = 1 TH/s·day", async () => {
      expect(await w.wrapper.decimals()).to.equal(0n);
      expect(await w.wrapper.name()).to.equal(`Wrapped hashpower series ${w.id} (1 token = 1 TH/s·day)`);
      expect(await w.wrapper.symbol()).to.equal(`wTHD-${w.id}`);
      expect(await w.wrapper.seriesId()).to.equal(w.id);
      expect(await w.wrapper.payoutAsset()).to.equal(await w.wbtc.getAddress());
    });
  });

  describe("wrap / unwrap", () => {
    it("wraps and unwraps 1:1 with events", async () => {
      const { wrapper, token, alice, bob, id } = w;
      await expect(wrapper.connect(alice).wrap(400n, bob.address))
        .to.emit(wrapper, "Wrapped")
        .withArgs(alice.address, bob.address, 400n);
      expect(await wrapper.balanceOf(bob.address)).to.equal(400n);
      expect(await token.balanceOf(alice.address, id)).to.equal(600n);
      expect(await token.balanceOf(wrapper, id)).to.equal(400n);
      await expect(wrapper.connect(bob).unwrap(150n, alice.address))
        .to.emit(wrapper, "Unwrapped")
        .withArgs(bob.address, alice.address, 150n);
      expect(await wrapper.balanceOf(bob.address)).to.equal(250n);
      expect(await token.balanceOf(alice.address, id)).to.equal(750n);
      expect(await wrapper.totalSupply()).to.equal(250n);
      await expect(wrapper.connect(bob).unwrap(251n, bob.address)).to.be.revertedWithCustomError(
        wrapper,
        "ERC20InsufficientBalance",
      );
      await expect(wrapper.connect(bob).unwrap(0n, bob.address)).to.be.revertedWithCustomError(wrapper, "ZeroAmount");
      await expect(wrapper.connect(bob).wrap(1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        wrapper,
        "ZeroAddress",
      );
      await expect(wrapper.connect(bob).unwrap(1n, wrapper))
        .to.be.revertedWithCustomError(wrapper, "InvalidRecipient")
        .withArgs(await wrapper.getAddress());
      await expect(wrapper.connect(alice).wrap(1n, wrapper)).to.be.revertedWithCustomError(wrapper, "InvalidRecipient");
      await expect(wrapper.connect(alice).wrap(751n, alice.address)).to.be.revertedWithCustomError(
        token,
        "ERC1155InsufficientBalance",
      );
    });

    it("wraps on a plain safeTransferFrom (to `from`, or to the address in data) and on a mint with data", async () => {
      const { wrapper, token, alice, bob, carol, farm, id } = w;
      await expect(token.connect(alice).safeTransferFrom(alice.address, wrapper, id, 10n, "0x"))
        .to.emit(wrapper, "Wrapped")
        .withArgs(alice.address, alice.address, 10n);
      await token.connect(alice).safeTransferFrom(alice.address, wrapper, id, 5n, enc(bob.address));
      expect(await wrapper.balanceOf(bob.address)).to.equal(5n);
      await expect(token.connect(farm).mint(wrapper, id, 7n, enc(carol.address)))
        .to.emit(wrapper, "Wrapped")
        .withArgs(ethers.ZeroAddress, carol.address, 7n);
      expect(await wrapper.balanceOf(carol.address)).to.equal(7n);
      await expect(token.connect(farm).mint(wrapper, id, 7n, "0x")).to.be.revertedWithCustomError(wrapper, "ZeroAddress");
      await expect(
        token.connect(alice).safeTransferFrom(alice.address, wrapper, id, 1n, "0x1234"),
      ).to.be.revertedWithCustomError(wrapper, "InvalidData");
    });

    it("refuses other series, batches and calls from anything but the token", async () => {
      const { wrapper, token, alice, farm, id } = w;
      const id2 = await createSeries(w, await seriesTerms(w, w.startDay));
      await token.connect(farm).mint(alice.address, id2, 10n, "0x");
      await expect(token.connect(alice).safeTransferFrom(alice.address, wrapper, id2, 1n, "0x"))
        .to.be.revertedWithCustomError(wrapper, "WrongSeries")
        .withArgs(id2);
      await expect(
        token.connect(alice).safeBatchTransferFrom(alice.address, wrapper, [id], [1n], "0x"),
      ).to.be.revertedWithCustomError(wrapper, "BatchNotSupported");
      await expect(wrapper.connect(alice).onERC1155Received(alice.address, alice.address, id, 1n, "0x"))
        .to.be.revertedWithCustomError(wrapper, "NotHashpowerToken")
        .withArgs(alice.address);
      expect(await wrapper.totalSupply()).to.equal(0n);
    });
  });

  describe("yield pass-through", () => {
    it("a wrapped unit earns exactly what an unwrapped unit earns, through transfers, wraps and unwraps", async () => {
      // Mirror: alice wraps her 1,000 units, bob keeps his 1,000 unwrapped and copies every move of alice with
      // the ERC-1155 (carol ↔ dave, erin ↔ carol's side). Each wrapped holder must match its unwrapped twin.
      const { wrapper, token, alice, bob, carol, dave, erin, id } = w;
      await wrapper.connect(alice).wrap(1000n, alice.address);
      const twins: [HardhatEthersSigner, HardhatEthersSigner][] = [
        [alice, bob],
        [erin, dave],
      ];
      const check = async () => {
        for (const [x, y] of twins) expect(await wrapper.claimable(x.address)).to.equal(await token.claimable(y.address, id));
        await expectConserved(w, [alice.address, carol.address, dave.address, erin.address, bob.address]);
      };
      await distribute(w, 12_345n);
      await check();
      await wrapper.connect(alice).transfer(erin.address, 333n);
      await token.connect(bob).safeTransferFrom(bob.address, dave.address, id, 333n, "0x");
      await check();
      await distribute(w, 7_777n);
      await distribute(w, 1n); // below one sat per unit: carried, not lost
      await check();
      await wrapper.connect(erin).unwrap(100n, carol.address); // erin's twin dave sends 100 units to carol too
      await token.connect(dave).safeTransferFrom(dave.address, carol.address, id, 100n, "0x");
      await distribute(w, 99_999n);
      await check();

      // Claims pay what claimable said; the sub-sat remainder stays.
      const a = await wrapper.claimable(alice.address);
      await expect(wrapper.connect(alice).claim(carol.address))
        .to.emit(wrapper, "Claimed")
        .withArgs(alice.address, carol.address, alice.address, a);
      await token.connect(bob).claim([id], bob.address);
      expect(await wrapper.claimable(alice.address)).to.equal(0n);
      await distribute(w, 5_000n);
      expect(await wrapper.claimable(alice.address)).to.equal(await token.claimable(bob.address, id));
      await expectConserved(w, [alice.address, erin.address]);
    });

    it("keeps the conservation law exact under random wraps, transfers, unwraps, distributions and claims", async () => {
      const people = [w.alice, w.bob, w.carol];
      const op = fc.oneof(
        fc.record({ k: fc.constant("dist" as const), sats: fc.bigInt({ min: 0n, max: 200_000n }) }),
        fc.record({ k: fc.constant("wrap" as const), who: fc.nat(2), n: fc.bigInt({ min: 1n, max: 300n }) }),
        fc.record({ k: fc.constant("unwrap" as const), who: fc.nat(2), n: fc.bigInt({ min: 1n, max: 300n }) }),
        fc.record({ k: fc.constant("xfer" as const), who: fc.nat(2), to: fc.nat(2), n: fc.bigInt({ min: 1n, max: 300n }) }),
        fc.record({ k: fc.constant("claim" as const), who: fc.nat(2) }),
        fc.record({ k: fc.constant("harvest" as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 18 }), async (ops) => {
          const s = await fresh();
          for (const o of ops) {
            if (o.k === "dist") {
              if (s.day.next < s.startDay + 30) await distribute(s, o.sats);
            } else if (o.k === "wrap") {
              const p = people[o.who];
              const n = await s.token.balanceOf(p.address, s.id);
              if (n >= o.n) await s.wrapper.connect(p).wrap(o.n, p.address);
            } else if (o.k === "unwrap") {
              const p = people[o.who];
              if ((await s.wrapper.balanceOf(p.address)) >= o.n) await s.wrapper.connect(p).unwrap(o.n, p.address);
            } else if (o.k === "xfer") {
              const p = people[o.who];
              if ((await s.wrapper.balanceOf(p.address)) >= o.n) await s.wrapper.connect(p).transfer(people[o.to].address, o.n);
            } else if (o.k === "claim") {
              const p = people[o.who];
              const expected = await s.wrapper.claimable(p.address);
              const before = await s.wbtc.balanceOf(p.address);
              await s.wrapper.connect(p).claim(p.address);
              expect((await s.wbtc.balanceOf(p.address)) - before).to.equal(expected);
            } else {
              await s.wrapper.harvest();
            }
            await expectConserved(s, people.map((p) => p.address));
          }
        }),
        { numRuns: 8 },
      );
    });

    it("harvest pulls the wrapper's whole sats from the token; anyone may call", async () => {
      const { wrapper, token, alice, carol, id } = w;
      await wrapper.connect(alice).wrap(1000n, alice.address);
      await distribute(w, 10_000n);
      const pending = await token.claimable(wrapper, id);
      expect(pending).to.equal((10_000n * 1000n) / 2500n);
      await expect(wrapper.connect(carol).harvest()).to.emit(wrapper, "Harvested").withArgs(pending, pending);
      expect(await wrapper.totalHarvested()).to.equal(pending);
      expect(await token.claimable(wrapper, id)).to.equal(0n);
      await expect(wrapper.harvest()).not.to.emit(wrapper, "Harvested");
    });
  });

  describe("claimers", () => {
    it("holders name claimers; the factory's CLAIMER_ADMIN names them for contracts only", async () => {
      const { wrapper, alice, bob, carol, admin, factory } = w;
      await wrapper.connect(alice).wrap(1000n, alice.address);
      await distribute(w, 10_000n);
      await expect(wrapper.connect(bob).claimOnBehalf(alice.address, bob.address))
        .to.be.revertedWithCustomError(wrapper, "NotClaimer")
        .withArgs(alice.address, bob.address);
      await expect(wrapper.connect(alice).setClaimer(bob.address))
        .to.emit(wrapper, "ClaimerSet")
        .withArgs(alice.address, bob.address, false);
      const due = await wrapper.claimable(alice.address);
      await expect(wrapper.connect(bob).claimOnBehalf(alice.address, carol.address))
        .to.emit(wrapper, "Claimed")
        .withArgs(alice.address, carol.address, bob.address, due);
      expect(await w.wbtc.balanceOf(carol.address)).to.equal(due);

      // A contract holder (here: the factory itself holds wrapped units) gets its claimer from the admin.
      await wrapper.connect(alice).transfer(factory, 10n);
      await expect(wrapper.connect(bob).setClaimerFor(factory, bob.address))
        .to.be.revertedWithCustomError(wrapper, "NotClaimerAdmin")
        .withArgs(bob.address);
      await expect(wrapper.connect(admin).setClaimerFor(alice.address, bob.address))
        .to.be.revertedWithCustomError(wrapper, "NotContract")
        .withArgs(alice.address);
      await expect(wrapper.connect(admin).setClaimerFor(factory, bob.address))
        .to.emit(wrapper, "ClaimerSet")
        .withArgs(await factory.getAddress(), bob.address, true);
      await distribute(w, 10_000n);
      const f = await wrapper.claimable(factory);
      expect(f).to.equal((10_000n * 10n) / 2500n);
      await wrapper.connect(bob).claimOnBehalf(factory, bob.address);
      expect(await w.wbtc.balanceOf(bob.address)).to.equal(f);
      await expect(wrapper.connect(alice).claim(ethers.ZeroAddress)).to.be.revertedWithCustomError(wrapper, "ZeroAddress");
    });

    it("unwrapping keeps the yield earned while wrapped claimable", async () => {
      const { wrapper, alice, id, token } = w;
      await wrapper.connect(alice).wrap(1000n, alice.address);
      await distribute(w, 10_000n);
      const due = await wrapper.claimable(alice.address);
      await wrapper.connect(alice).unwrap(1000n, alice.address);
      expect(await wrapper.claimable(alice.address)).to.equal(due);
      await distribute(w, 10_000n); // now earned in the token, not the wrapper
      expect(await wrapper.claimable(alice.address)).to.equal(due);
      expect(await token.claimable(alice.address, id)).to.equal((10_000n * 1000n) / 2500n);
      await wrapper.connect(alice).claim(alice.address);
      expect(await w.wbtc.balanceOf(alice.address)).to.equal(due);
    });
  });
});
