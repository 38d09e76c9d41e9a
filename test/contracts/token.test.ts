/**
 * Behaviour of HashpowerToken on Hardhat's simulator with a real OpenZeppelin ERC-20 payout asset: farms, series,
 * capacity, minting, transfers with settlement, burns, distributions, claims, claimers, pause, roles, metadata and
 * every revert path with its error.
 */
import { expect } from "chai";
import { network } from "hardhat";
import * as acc from "../../domain/accumulator.js";
import { ACC_SCALE, dateOfDay } from "../../domain/units.js";
import { deployTokenSystem, START_DAY, type TokenSystem } from "./token-fixture.js";

const { ethers, networkHelpers } = await network.create();

/** The fixture, restored from a snapshot for each test. */
async function system(): Promise<TokenSystem> {
  return deployTokenSystem(ethers);
}

/** Fixture plus one series (id 1) of `farm` with holders[0..2] holding 10, 20 and 30 units. */
async function withSeries() {
  const sys = await deployTokenSystem(ethers);
  const { token, farm, holders } = sys;
  await token.connect(farm).createSeries(sys.terms());
  const [a, b, c] = holders;
  await token.connect(farm).mint(a.address, 1, 10, "0x");
  await token.connect(farm).mint(b.address, 1, 20, "0x");
  await token.connect(farm).mint(c.address, 1, 30, "0x");
  return sys;
}

/** Sats claimed from series `id`: the sum of its `Claimed` events (the token does not store it). */
async function claimedOf(token: TokenSystem["token"], id: bigint): Promise<bigint> {
  const logs = await token.queryFilter(token.filters.Claimed(undefined, id));
  return logs.reduce((sum, l) => sum + l.args.amount, 0n);
}

/** Σ accruedE36 + carry + claimed·1e36 = distributed·1e36, exactly, for series `id` and `accounts`. */
async function expectConserved(sys: TokenSystem, id: bigint, accounts: string[]) {
  const { token } = sys;
  const st = await token.seriesState(id);
  let owedE36 = 0n;
  for (const a of accounts) owedE36 += await token.accruedE36(a, id);
  expect(st.distributed * ACC_SCALE).to.equal((await claimedOf(token, id)) * ACC_SCALE + owedE36 + st.carryE36);
}

describe("HashpowerToken", function () {
  describe("deployment and roles", function () {
    it("exposes the role ids and grants DEFAULT_ADMIN_ROLE to the constructor's admin only", async function () {
      const { token, admin, other } = await networkHelpers.loadFixture(system);
      for (const name of ["FARM_ADMIN_ROLE", "DISTRIBUTOR_ROLE", "PAUSER_ROLE", "GUARDIAN_ROLE"] as const) {
        expect(await token[name]()).to.equal(ethers.id(name));
      }
      expect(await token.DEFAULT_ADMIN_ROLE()).to.equal(ethers.ZeroHash);
      expect(await token.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
      expect(await token.hasRole(ethers.ZeroHash, other.address)).to.equal(false);
      expect(await token.ACC_SCALE()).to.equal(ACC_SCALE);
      expect(await token.name()).to.equal("Hashpower");
    });

    it("rejects a zero admin and a zero guardian", async function () {
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("HashpowerToken");
      await expect(ethers.deployContract("HashpowerToken", [ethers.ZeroAddress, a.address, 0])).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
      await expect(ethers.deployContract("HashpowerToken", [a.address, ethers.ZeroAddress, 0])).to.be.revertedWithCustomError(
        factory,
        "ZeroGuardian",
      );
    });

    it("supports the ERC-1155, metadata, AccessControl, ERC-165 and IHashpowerToken interfaces", async function () {
      const { token } = await networkHelpers.loadFixture(system);
      for (const iid of ["0xd9b67a26", "0x0e89341c", "0x7965db0b", "0x01ffc9a7"]) {
        expect(await token.supportsInterface(iid)).to.equal(true);
      }
      const iface = (await ethers.getContractAt("IHashpowerToken", await token.getAddress())).interface;
      let id = 0n;
      iface.forEachFunction((f) => (id ^= BigInt(f.selector)));
      expect(await token.supportsInterface(ethers.toBeHex(id, 4))).to.equal(true);
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });

    it("gates every role-restricted function with AccessControlUnauthorizedAccount", async function () {
      const { token, other, farm } = await networkHelpers.loadFixture(withSeries);
      const t = token.connect(other);
      const cases: [() => Promise<unknown>, string][] = [
        [() => t.registerFarm(other.address, 1, "x"), ethers.id("FARM_ADMIN_ROLE")],
        [() => t.setFarmCapacity(farm.address, 1), ethers.id("FARM_ADMIN_ROLE")],
        [() => t.distribute(1, START_DAY, 0), ethers.id("DISTRIBUTOR_ROLE")],
        [() => t.distributeRepayment(1, 1), ethers.id("DISTRIBUTOR_ROLE")],
        [() => t.pause(), ethers.id("PAUSER_ROLE")],
        [() => t.unpause(), ethers.id("PAUSER_ROLE")],
        [() => t.setIssuanceGuard(other.address), ethers.ZeroHash],
        [() => t.proposeChange("0x"), ethers.ZeroHash],
        [() => t.executeChange("0x"), ethers.ZeroHash],
        [() => t.cancelChange(ethers.ZeroHash), ethers.id("GUARDIAN_ROLE")],
      ];
      for (const [call, role] of cases) {
        await expect(call()).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount").withArgs(other.address, role);
      }
      // the distributor is wired once; any later change (by anyone, the admin included) is timelocked
      await expect(t.setDistributor(other.address)).to.be.revertedWithCustomError(token, "NotTimelocked");
    });
  });

  describe("farms", function () {
    it("registers a farm with its capacity and name, and re-registers it", async function () {
      const { token, farmAdmin, other } = await networkHelpers.loadFixture(system);
      await expect(token.connect(farmAdmin).registerFarm(other.address, 250, "Other farm"))
        .to.emit(token, "FarmRegistered")
        .withArgs(other.address, 250, "Other farm");
      expect([...(await token.farmInfo(other.address))]).to.deep.equal([true, 250n, "Other farm"]);
      await token.connect(farmAdmin).registerFarm(other.address, 300, "Renamed");
      expect([...(await token.farmInfo(other.address))]).to.deep.equal([true, 300n, "Renamed"]);
      expect([...(await token.farmInfo(farmAdmin.address))]).to.deep.equal([false, 0n, ""]);
    });

    it("rejects a zero farm address", async function () {
      const { token, farmAdmin } = await networkHelpers.loadFixture(system);
      await expect(token.connect(farmAdmin).registerFarm(ethers.ZeroAddress, 1, "x")).to.be.revertedWithCustomError(
        token,
        "ZeroAddress",
      );
    });

    it("sets a registered farm's capacity and rejects an unknown farm", async function () {
      const { token, farmAdmin, farm, other } = await networkHelpers.loadFixture(system);
      await expect(token.connect(farmAdmin).setFarmCapacity(farm.address, 2_000))
        .to.emit(token, "FarmCapacitySet")
        .withArgs(farm.address, 2_000);
      expect((await token.farmInfo(farm.address))[1]).to.equal(2_000n);
      await expect(token.connect(farmAdmin).setFarmCapacity(other.address, 1))
        .to.be.revertedWithCustomError(token, "UnknownFarm")
        .withArgs(other.address);
    });
  });

  describe("series creation", function () {
    it("issues sequential ids with their terms, an event, and an empty state", async function () {
      const { token, farm, farm2, terms } = await networkHelpers.loadFixture(system);
      const t1 = terms();
      const tx = token.connect(farm).createSeries(t1);
      await expect(tx).to.emit(token, "SeriesCreated");
      const receipt = await (await tx).wait();
      const log = token.interface.parseLog(receipt!.logs[0])!;
      expect(log.args.id).to.equal(1n);
      expect(log.args.farm).to.equal(farm.address);
      expect(log.args.terms.hashrateThs).to.equal(100n);
      expect(log.args.terms.payoutAsset).to.equal(t1.payoutAsset);

      await token.connect(farm2).createSeries(terms({ farm: farm2.address, hashrateThs: 7n, termDays: 3n }));
      expect(await token.seriesCount()).to.equal(2n);
      const st = await token.seriesTerms(2);
      expect([st.farm, st.hashrateThs, st.termDays, st.startDay]).to.deep.equal([farm2.address, 7n, 3n, BigInt(START_DAY)]);
      expect(await token.supplyCap(1)).to.equal(100n * 30n);
      expect(await token.supplyCap(2)).to.equal(21n);
      expect([...(await token.seriesState(1))]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect([...(await token.farmSeries(farm.address))]).to.deep.equal([1n]);
      expect([...(await token.farmSeries(farm2.address))]).to.deep.equal([2n]);
    });

    it("rejects an unregistered caller and terms naming another farm", async function () {
      const { token, farm, farm2, other, terms } = await networkHelpers.loadFixture(system);
      await expect(token.connect(other).createSeries(terms({ farm: other.address })))
        .to.be.revertedWithCustomError(token, "UnknownFarm")
        .withArgs(other.address);
      await expect(token.connect(farm).createSeries(terms({ farm: farm2.address })))
        .to.be.revertedWithCustomError(token, "InvalidTerms")
        .withArgs("farm");
    });

    it("names the invalid field with InvalidTerms", async function () {
      const { token, farm, other, terms } = await networkHelpers.loadFixture(system);
      const usdc = await ethers.deployContract("TestERC20Decimals", [6]);
      const cases: [Partial<Parameters<typeof terms>[0]>, string][] = [
        [{ hashrateThs: 0n }, "hashrateThs"],
        [{ termDays: 0n }, "termDays"],
        [{ hashrateThs: 2n ** 63n, termDays: 2n }, "supplyCap"], // 2^64 units: beyond the packed balance
        [{ poolFeeBps: 10_001n }, "poolFeeBps"],
        [{ slaBps: 10_001n }, "slaBps"],
        [{ payoutAsset: ethers.ZeroAddress }, "payoutAsset"],
        [{ payoutAsset: other.address }, "payoutAsset"],
        [{ payoutAsset: await token.getAddress() }, "payoutAsset.decimals"],
        [{ payoutAsset: await usdc.getAddress() }, "payoutAsset.decimals"],
      ];
      for (const [over, field] of cases) {
        await expect(token.connect(farm).createSeries(terms(over)))
          .to.be.revertedWithCustomError(token, "InvalidTerms")
          .withArgs(field);
      }
      await token.connect(farm).createSeries(terms({ poolFeeBps: 10_000n, slaBps: 10_000n, hashrateThs: 1n, termDays: 1n }));
      expect(await token.seriesCount()).to.equal(1n);
    });

    describe("capacity", function () {
      it("rejects hashrate overlapping in time beyond the farm's capacity, reporting the peak", async function () {
        const { token, farm, terms } = await networkHelpers.loadFixture(system);
        await token.connect(farm).createSeries(terms({ hashrateThs: 600n, startDay: 100n, termDays: 10n }));
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 401n, startDay: 109n, termDays: 5n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
        await token.connect(farm).createSeries(terms({ hashrateThs: 400n, startDay: 109n, termDays: 5n }));
        expect(await token.seriesCount()).to.equal(2n);
      });

      it("allows non-overlapping series that together exceed the capacity (adjacent terms included)", async function () {
        const { token, farm, terms } = await networkHelpers.loadFixture(system);
        await token.connect(farm).createSeries(terms({ hashrateThs: 1_000n, startDay: 100n, termDays: 10n }));
        await token.connect(farm).createSeries(terms({ hashrateThs: 1_000n, startDay: 110n, termDays: 10n }));
        await token.connect(farm).createSeries(terms({ hashrateThs: 1_000n, startDay: 50n, termDays: 50n }));
        expect(await token.seriesCount()).to.equal(3n);
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 1n, startDay: 119n, termDays: 1n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
      });

      it("takes the maximum over time, not the sum of all overlapping series", async function () {
        const { token, farm, terms } = await networkHelpers.loadFixture(system);
        // A [100,110) 600 and B [110,120) 600 never overlap each other; C [105,115) overlaps each.
        await token.connect(farm).createSeries(terms({ hashrateThs: 600n, startDay: 100n, termDays: 10n }));
        await token.connect(farm).createSeries(terms({ hashrateThs: 600n, startDay: 110n, termDays: 10n }));
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 401n, startDay: 105n, termDays: 10n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
        await token.connect(farm).createSeries(terms({ hashrateThs: 400n, startDay: 105n, termDays: 10n }));
        // now [105,110) and [110,115) are at 1,000: a 1 TH/s series on day 112 is refused, on day 115 allowed
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 1n, startDay: 112n, termDays: 1n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
        await token.connect(farm).createSeries(terms({ hashrateThs: 400n, startDay: 115n, termDays: 100n }));
        // a long series spanning everything sees the peak of 1,000 (+1)
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 1n, startDay: 0n, termDays: 1_000n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
      });

      it("counts each farm separately and applies a changed capacity to new series", async function () {
        const { token, farm, farm2, farmAdmin, terms } = await networkHelpers.loadFixture(system);
        await token.connect(farm).createSeries(terms({ hashrateThs: 1_000n }));
        await token.connect(farm2).createSeries(terms({ farm: farm2.address, hashrateThs: 500n }));
        await expect(token.connect(farm).createSeries(terms({ hashrateThs: 1n })))
          .to.be.revertedWithCustomError(token, "CapacityExceeded")
          .withArgs(farm.address, 1_001n, 1_000n);
        await token.connect(farmAdmin).setFarmCapacity(farm.address, 1_001);
        await token.connect(farm).createSeries(terms({ hashrateThs: 1n }));
        expect(await token.seriesCount()).to.equal(3n);
      });
    });

    describe("issuance guard", function () {
      it("is set by the admin and consulted with the stored series; its revert refuses the series", async function () {
        const { token, admin, farm, terms } = await networkHelpers.loadFixture(system);
        const guard = await ethers.deployContract("TestIssuanceGuard", [await token.getAddress()]);
        await expect(token.connect(admin).setIssuanceGuard(await guard.getAddress()))
          .to.emit(token, "IssuanceGuardSet")
          .withArgs(await guard.getAddress());
        expect(await token.issuanceGuard()).to.equal(await guard.getAddress());
        await token.connect(farm).createSeries(terms({ hashrateThs: 42n }));
        expect([await guard.calls(), await guard.lastId(), await guard.lastHashrateThs(), await guard.seriesReadable()]).to.deep.equal([
          1n,
          1n,
          42n,
          true,
        ]);
        await guard.setRefuse(true);
        await expect(token.connect(farm).createSeries(terms()))
          .to.be.revertedWithCustomError(guard, "GuardRefused")
          .withArgs(2n);
        expect(await token.seriesCount()).to.equal(1n);
        expect([...(await token.farmSeries(farm.address))]).to.deep.equal([1n]);
        // once wired, the guard changes only through the timelock
        await expect(token.connect(admin).setIssuanceGuard(ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "NotTimelocked");
        const data = token.interface.encodeFunctionData("setIssuanceGuard", [ethers.ZeroAddress]);
        await token.connect(admin).proposeChange(data);
        await networkHelpers.time.increase(await token.parameterDelay());
        await expect(token.connect(admin).executeChange(data)).to.emit(token, "IssuanceGuardSet").withArgs(ethers.ZeroAddress);
        await token.connect(farm).createSeries(terms());
        expect(await token.seriesCount()).to.equal(2n);
      });
    });
  });

  describe("minting", function () {
    it("mints to a holder, tracks supply and minted, and emits TransferSingle", async function () {
      const { token, farm, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms({ hashrateThs: 2n, termDays: 5n }));
      await expect(token.connect(farm).mint(holders[0].address, 1, 7, "0x"))
        .to.emit(token, "TransferSingle")
        .withArgs(farm.address, ethers.ZeroAddress, holders[0].address, 1, 7);
      expect(await token.balanceOf(holders[0].address, 1)).to.equal(7n);
      const st = await token.seriesState(1);
      expect([st.supply, st.minted]).to.deep.equal([7n, 7n]);
    });

    it("enforces the supply cap hashrate × term, and burning does not free cap", async function () {
      const { token, farm, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms({ hashrateThs: 2n, termDays: 5n }));
      await token.connect(farm).mint(holders[0].address, 1, 10, "0x");
      await expect(token.connect(farm).mint(holders[0].address, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "SupplyCapExceeded")
        .withArgs(1, 11, 10);
      await token.connect(holders[0]).burn(holders[0].address, 1, 4);
      await expect(token.connect(farm).mint(holders[0].address, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "SupplyCapExceeded")
        .withArgs(1, 11, 10);
      const st = await token.seriesState(1);
      expect([st.supply, st.minted]).to.deep.equal([6n, 10n]);
    });

    it("lets only the series' farm mint, only into a known series, a non-zero amount, to a receiver", async function () {
      const { token, farm, farm2, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms());
      await expect(token.connect(farm2).mint(holders[0].address, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "NotSeriesFarm")
        .withArgs(1, farm2.address);
      await expect(token.connect(farm).mint(holders[0].address, 2, 1, "0x"))
        .to.be.revertedWithCustomError(token, "UnknownSeries")
        .withArgs(2);
      await expect(token.connect(farm).mint(holders[0].address, 1, 0, "0x")).to.be.revertedWithCustomError(token, "ZeroAmount");
      await expect(token.connect(farm).mint(ethers.ZeroAddress, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      // a contract that does not implement IERC1155Receiver cannot receive
      await expect(token.connect(farm).mint(await token.getAddress(), 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver")
        .withArgs(await token.getAddress());
    });
  });

  describe("distribution", function () {
    it("credits pro rata in O(1), pulls the asset, and matches the TypeScript accumulator bit for bit", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, wbtc, distributor, holders } = sys;
      const tokenAddr = await token.getAddress();
      const model: acc.SeriesAcc = { supply: 60n, accPerUnitE36: 0n, carryE36: 0n };
      for (const [i, amount] of [1_000_003n, 7n, 123_456_789n].entries()) {
        acc.distribute(model, amount);
        await expect(token.connect(distributor).distribute(1, START_DAY + i, amount))
          .to.emit(token, "Distributed")
          .withArgs(1, START_DAY + i, amount, 60n, model.accPerUnitE36)
          .and.to.emit(wbtc, "Transfer")
          .withArgs(distributor.address, tokenAddr, amount);
        const st = await token.seriesState(1);
        expect([st.accPerUnitE36, st.carryE36]).to.deep.equal([model.accPerUnitE36, model.carryE36]);
      }
      expect(await wbtc.balanceOf(tokenAddr)).to.equal(1_000_003n + 7n + 123_456_789n);
      const total = 1_000_003n + 7n + 123_456_789n;
      for (const [i, units] of [10n, 20n, 30n].entries()) {
        const h: acc.HolderAcc = { balance: units, paidE36: 0n, accruedE36: 0n };
        expect(await token.claimable(holders[i].address, 1)).to.equal(acc.claimable(model, h));
        expect(acc.claimable(model, h)).to.equal((total * units) / 60n);
      }
      await expectConserved(sys, 1n, holders.slice(0, 3).map((h) => h.address));
    });

    it("marks each day once; a zero amount marks the day even without supply", async function () {
      const { token, farm, distributor, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms());
      expect(await token.isDistributed(1, START_DAY)).to.equal(false);
      await expect(token.connect(distributor).distribute(1, START_DAY, 0))
        .to.emit(token, "Distributed")
        .withArgs(1, START_DAY, 0, 0, 0);
      expect(await token.isDistributed(1, START_DAY)).to.equal(true);
      expect(await token.isDistributed(1, START_DAY + 1)).to.equal(false);
      expect(await token.isDistributed(1, START_DAY - 1)).to.equal(false);
      expect(await token.isDistributed(9, START_DAY)).to.equal(false);
      await expect(token.connect(distributor).distribute(1, START_DAY, 0))
        .to.be.revertedWithCustomError(token, "AlreadyDistributed")
        .withArgs(1, START_DAY);
      await expect(token.connect(distributor).distribute(1, START_DAY + 1, 5))
        .to.be.revertedWithCustomError(token, "NoSupply")
        .withArgs(1);
      expect(await token.isDistributed(1, START_DAY + 1)).to.equal(false);
    });

    it("tracks days across bitmap words (term > 256 days) independently per series", async function () {
      const { token, farm, distributor, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms({ hashrateThs: 1n, termDays: 600n }));
      await token.connect(farm).createSeries(terms({ hashrateThs: 1n, termDays: 600n }));
      await token.connect(farm).mint(holders[0].address, 1, 1, "0x");
      for (const d of [0, 255, 256, 599]) await token.connect(distributor).distribute(1, START_DAY + d, 1);
      for (const d of [0, 255, 256, 599]) {
        expect(await token.isDistributed(1, START_DAY + d)).to.equal(true);
        expect(await token.isDistributed(2, START_DAY + d)).to.equal(false);
      }
      expect(await token.isDistributed(1, START_DAY + 257)).to.equal(false);
      await expect(token.connect(distributor).distribute(1, START_DAY + 256, 1))
        .to.be.revertedWithCustomError(token, "AlreadyDistributed")
        .withArgs(1, START_DAY + 256);
    });

    it("rejects days outside [start, start + term) and unknown series", async function () {
      const { token, distributor } = await networkHelpers.loadFixture(withSeries);
      for (const day of [START_DAY - 1, START_DAY + 30, 0, 2 ** 32 - 1]) {
        await expect(token.connect(distributor).distribute(1, day, 1))
          .to.be.revertedWithCustomError(token, "DayOutsideTerm")
          .withArgs(1, day);
      }
      await token.connect(distributor).distribute(1, START_DAY + 29, 1);
      await expect(token.connect(distributor).distribute(2, START_DAY, 1))
        .to.be.revertedWithCustomError(token, "UnknownSeries")
        .withArgs(2);
    });

    it("reverts with the asset's error when the distributor has not approved enough", async function () {
      const { token, wbtc, distributor } = await networkHelpers.loadFixture(withSeries);
      await wbtc.connect(distributor).approve(await token.getAddress(), 5);
      await expect(token.connect(distributor).distribute(1, START_DAY, 6))
        .to.be.revertedWithCustomError(wbtc, "ERC20InsufficientAllowance")
        .withArgs(await token.getAddress(), 5, 6);
      expect(await token.isDistributed(1, START_DAY)).to.equal(false);
    });

    it("reverts the distribution that would take a series past 2^64 − 1 sats (the bound of the packed slots)", async function () {
      const { token, farm, wbtc, distributor, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms());
      await token.connect(farm).mint(holders[0].address, 1, 1, "0x");
      const max = 2n ** 64n - 1n;
      await wbtc.mint(distributor.address, max);
      await token.connect(distributor).distribute(1, START_DAY, max - 1n);
      await token.connect(distributor).distributeRepayment(1, 1);
      await expect(token.connect(distributor).distribute(1, START_DAY + 1, 1))
        .to.be.revertedWithCustomError(token, "SafeCastOverflowedUintDowncast")
        .withArgs(64, max + 1n);
      // one unit took everything: the accumulator is at its largest, (2^64 − 1)·1e36 < 2^184
      expect(await token.accPerUnitE36(1)).to.equal(max * ACC_SCALE);
      expect(await token.claimable(holders[0].address, 1)).to.equal(max);
      await expect(token.connect(holders[0]).claim([1], holders[0].address)).to.changeTokenBalance(ethers, wbtc, holders[0], max);
    });

    it("distributes a repayment to current holders without a day", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, distributor, holders } = sys;
      const model: acc.SeriesAcc = { supply: 60n, accPerUnitE36: 0n, carryE36: 0n };
      acc.distribute(model, 1_001n);
      await expect(token.connect(distributor).distributeRepayment(1, 1_001))
        .to.emit(token, "RepaymentDistributed")
        .withArgs(1, 1_001, 60, model.accPerUnitE36);
      expect(await token.claimable(holders[2].address, 1)).to.equal(500n);
      expect((await token.seriesState(1)).distributed).to.equal(1_001n);
      await expect(token.connect(distributor).distributeRepayment(1, 0)).to.be.revertedWithCustomError(token, "ZeroAmount");
      await expect(token.connect(distributor).distributeRepayment(3, 1))
        .to.be.revertedWithCustomError(token, "UnknownSeries")
        .withArgs(3);
      await expectConserved(sys, 1n, holders.slice(0, 3).map((h) => h.address));
    });

    it("refuses a repayment to a series without supply", async function () {
      const { token, farm, distributor, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms());
      await expect(token.connect(distributor).distributeRepayment(1, 1))
        .to.be.revertedWithCustomError(token, "NoSupply")
        .withArgs(1);
    });
  });

  describe("transfers settle both parties", function () {
    it("a transfer moves units, never accrued yield; later yield follows the new balances", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, distributor, holders } = sys;
      const [a, b, c, d] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      const before = await Promise.all([a, b, c, d].map((h) => token.claimable(h.address, 1)));
      expect(before).to.deep.equal([100n, 200n, 300n, 0n]);
      await token.connect(a).safeTransferFrom(a.address, d.address, 1, 10, "0x");
      await token.connect(c).safeTransferFrom(c.address, b.address, 1, 15, "0x");
      expect(await Promise.all([a, b, c, d].map((h) => token.claimable(h.address, 1)))).to.deep.equal(before);
      await token.connect(distributor).distribute(1, START_DAY + 1, 60);
      // balances now a 0, b 35, c 15, d 10 of 60
      expect(await Promise.all([a, b, c, d].map((h) => token.claimable(h.address, 1)))).to.deep.equal([100n, 235n, 315n, 10n]);
      await expectConserved(sys, 1n, [a, b, c, d].map((h) => h.address));
    });

    it("a batch transfer settles every id of the batch", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, farm, distributor, holders, terms } = sys;
      const [a, b] = holders;
      await token.connect(farm).createSeries(terms({ hashrateThs: 10n, startDay: 0n }));
      await token.connect(farm).createSeries(terms({ hashrateThs: 10n, startDay: 0n }));
      for (const id of [2, 3]) {
        await token.connect(farm).mint(a.address, id, 4, "0x");
        await token.connect(farm).mint(b.address, id, 4, "0x");
      }
      await token.connect(distributor).distribute(1, START_DAY, 60_000);
      await token.connect(distributor).distribute(2, 0, 8_000);
      await token.connect(distributor).distribute(3, 0, 80);
      const ids = [1n, 2n, 3n];
      const snap = async () =>
        Promise.all([a, b].flatMap((h) => ids.map((id) => token.claimable(h.address, id))));
      const before = await snap();
      await expect(token.connect(a).safeBatchTransferFrom(a.address, b.address, ids, [10, 4, 1], "0x"))
        .to.emit(token, "TransferBatch")
        .withArgs(a.address, a.address, b.address, ids, [10n, 4n, 1n]);
      expect(await snap()).to.deep.equal(before);
      await token.connect(distributor).distribute(1, START_DAY + 1, 60);
      await token.connect(distributor).distribute(2, 1, 8);
      await token.connect(distributor).distribute(3, 1, 80);
      // a: 0/60, 0/8, 3/8 ; b: 30/60, 8/8, 5/8
      expect(await snap()).to.deep.equal([10_000n, 4_000n, 40n + 30n, 20_000n + 30n, 4_000n + 8n, 40n + 50n]);
      for (const id of ids) await expectConserved(sys, id, [a, b, holders[2]].map((h) => h.address));
    });

    it("an approved operator transfers; self-transfers and zero-value transfers change nothing", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, distributor, holders, other } = sys;
      const [a, b] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await token.connect(a).setApprovalForAll(other.address, true);
      await token.connect(other).safeTransferFrom(a.address, b.address, 1, 5, "0x");
      await token.connect(b).safeTransferFrom(b.address, b.address, 1, 25, "0x");
      await token.connect(b).safeTransferFrom(b.address, other.address, 1, 0, "0x");
      expect([await token.balanceOf(a.address, 1), await token.balanceOf(b.address, 1)]).to.deep.equal([5n, 25n]);
      expect([await token.claimable(a.address, 1), await token.claimable(b.address, 1)]).to.deep.equal([100n, 200n]);
      expect([await token.balanceOf(other.address, 1), await token.accruedE36(other.address, 1)]).to.deep.equal([0n, 0n]);
      expect([...(await token.balanceOfBatch([a.address, b.address], [1, 1]))]).to.deep.equal([5n, 25n]);
    });

    it("reverts like OpenZeppelin: insufficient balance, missing approval, length mismatch, bad receiver", async function () {
      const { token, holders, other } = await networkHelpers.loadFixture(withSeries);
      const [a, b] = holders;
      await expect(token.connect(a).safeTransferFrom(a.address, b.address, 1, 11, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance")
        .withArgs(a.address, 10, 11, 1);
      await expect(token.connect(a).safeTransferFrom(a.address, b.address, 7, 1, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance")
        .withArgs(a.address, 0, 1, 7);
      await expect(token.connect(other).safeTransferFrom(a.address, b.address, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155MissingApprovalForAll")
        .withArgs(other.address, a.address);
      await expect(token.connect(a).safeBatchTransferFrom(a.address, b.address, [1, 1], [1], "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InvalidArrayLength")
        .withArgs(2, 1);
      await expect(token.connect(a).safeTransferFrom(a.address, ethers.ZeroAddress, 1, 1, "0x"))
        .to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("burning", function () {
    it("keeps the burner's accrued yield, shrinks supply, and later yield goes to the remaining holders", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, wbtc, distributor, holders } = sys;
      const [a, b, c] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await expect(token.connect(a).burn(a.address, 1, 10))
        .to.emit(token, "TransferSingle")
        .withArgs(a.address, a.address, ethers.ZeroAddress, 1, 10);
      expect(await token.balanceOf(a.address, 1)).to.equal(0n);
      expect(await token.claimable(a.address, 1)).to.equal(100n);
      expect((await token.seriesState(1)).supply).to.equal(50n);
      await token.connect(distributor).distribute(1, START_DAY + 1, 500);
      expect(await Promise.all([a, b, c].map((h) => token.claimable(h.address, 1)))).to.deep.equal([100n, 400n, 600n]);
      await expect(token.connect(a).claim([1], a.address)).to.changeTokenBalances(ethers, wbtc, [a, token], [100n, -100n]);
      await expectConserved(sys, 1n, [a, b, c].map((h) => h.address));
    });

    it("partial burns, burns by an approved operator and batch burns settle first", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, farm, distributor, holders, other, terms } = sys;
      const [a, b, c] = holders;
      await token.connect(farm).createSeries(terms({ startDay: 0n }));
      await token.connect(farm).mint(b.address, 2, 10, "0x");
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await token.connect(distributor).distribute(2, 0, 1_000);
      await token.connect(c).burn(c.address, 1, 20);
      await token.connect(b).setApprovalForAll(other.address, true);
      await token.connect(other).burnBatch(b.address, [1, 2], [5, 10]);
      expect([await token.balanceOf(b.address, 1), await token.balanceOf(b.address, 2)]).to.deep.equal([15n, 0n]);
      expect([await token.claimable(b.address, 1), await token.claimable(b.address, 2), await token.claimable(c.address, 1)]).to.deep.equal([
        200n,
        1_000n,
        300n,
      ]);
      await token.connect(distributor).distribute(1, START_DAY + 1, 350); // a 10, b 15, c 10 of 35
      expect(await Promise.all([a, b, c].map((h) => token.claimable(h.address, 1)))).to.deep.equal([200n, 350n, 400n]);
      await expect(token.connect(distributor).distribute(2, 1, 1)).to.be.revertedWithCustomError(token, "NoSupply").withArgs(2);
      await expectConserved(sys, 1n, [a, b, c].map((h) => h.address));
      await expectConserved(sys, 2n, [b.address]);
    });

    it("rejects burning without approval or beyond the balance", async function () {
      const { token, holders, other } = await networkHelpers.loadFixture(withSeries);
      const [a] = holders;
      await expect(token.connect(other).burn(a.address, 1, 1))
        .to.be.revertedWithCustomError(token, "ERC1155MissingApprovalForAll")
        .withArgs(other.address, a.address);
      await expect(token.connect(a).burn(a.address, 1, 11))
        .to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance")
        .withArgs(a.address, 10, 11, 1);
    });
  });

  describe("claims", function () {
    it("pays whole sats and keeps the sub-sat remainder, so nothing is lost", async function () {
      const sys = await networkHelpers.loadFixture(system);
      const { token, wbtc, farm, distributor, holders, terms } = sys;
      await token.connect(farm).createSeries(terms());
      const three = holders.slice(0, 3);
      for (const h of three) await token.connect(farm).mint(h.address, 1, 1, "0x");
      await token.connect(distributor).distribute(1, START_DAY, 10); // 3.333… each
      for (const h of three) {
        await expect(token.connect(h).claim([1], h.address))
          .to.emit(token, "Claimed")
          .withArgs(h.address, 1, h.address, h.address, 3);
      }
      await token.connect(distributor).distribute(1, START_DAY + 1, 2); // 4 each in total
      for (const h of three) expect(await token.claimable(h.address, 1)).to.equal(1n);
      for (const h of three) await token.connect(h).claim([1], h.address);
      for (const h of three) expect(await wbtc.balanceOf(h.address)).to.equal(4n);
      expect([(await token.seriesState(1)).distributed, await claimedOf(token, 1n)]).to.deep.equal([12n, 12n]);
      await expectConserved(sys, 1n, three.map((h) => h.address));
    });

    it("returns the amounts, pays the receiver, and claiming twice pays nothing more", async function () {
      const { token, wbtc, distributor, holders, other } = await networkHelpers.loadFixture(withSeries);
      const [a] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      expect([...(await token.connect(a).claim.staticCall([1], other.address))]).to.deep.equal([100n]);
      const tx = token.connect(a).claim([1], other.address);
      await expect(tx).to.emit(token, "Claimed").withArgs(a.address, 1, other.address, a.address, 100);
      await expect(tx).to.changeTokenBalances(ethers, wbtc, [other, a], [100n, 0n]);
      expect(await token.claimable(a.address, 1)).to.equal(0n);
      expect([...(await token.connect(a).claim.staticCall([1, 1], other.address))]).to.deep.equal([0n, 0n]);
      await expect(token.connect(a).claim([1], other.address)).not.to.emit(token, "Claimed");
      expect(await claimedOf(token, 1n)).to.equal(100n);
    });

    it("aggregates consecutive ids with the same payout asset into one transfer", async function () {
      const { token, wbtc, farm, distributor, holders, terms } = await networkHelpers.loadFixture(withSeries);
      const other = await ethers.deployContract("TestWBTC");
      await other.mint(distributor.address, 10n ** 12n);
      await other.connect(distributor).approve(await token.getAddress(), ethers.MaxUint256);
      await token.connect(farm).createSeries(terms({ startDay: 0n })); // 2, wbtc
      await token.connect(farm).createSeries(terms({ startDay: 0n, payoutAsset: await other.getAddress() })); // 3
      const [a] = holders;
      for (const id of [2, 3]) await token.connect(farm).mint(a.address, id, 1, "0x");
      const transfers = async (ids: number[]) => {
        for (const [id, day] of [[1, START_DAY], [2, 0], [3, 0]]) {
          const d = (await token.isDistributed(id, day)) ? day + 1 : day;
          await token.connect(distributor).distribute(id, d, 6_000);
        }
        const receipt = await (await token.connect(a).claim(ids, a.address)).wait();
        return receipt!.logs
          .filter((l) => l.topics[0] === wbtc.interface.getEvent("Transfer")!.topicHash)
          .map((l) => [l.address, BigInt(l.data)]);
      };
      const w = await wbtc.getAddress();
      const o = await other.getAddress();
      expect(await transfers([1, 2, 3])).to.deep.equal([
        [w, 1_000n + 6_000n],
        [o, 6_000n],
      ]);
      expect(await transfers([1, 3, 2])).to.deep.equal([
        [w, 1_000n],
        [o, 6_000n],
        [w, 6_000n],
      ]);
    });

    it("rejects a zero receiver and an unknown series, and is never blocked by pause", async function () {
      const { token, wbtc, distributor, pauser, holders } = await networkHelpers.loadFixture(withSeries);
      const [a] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await expect(token.connect(a).claim([1], ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "ZeroAddress");
      await expect(token.connect(a).claim([1, 5], a.address))
        .to.be.revertedWithCustomError(token, "UnknownSeries")
        .withArgs(5);
      await token.connect(pauser).pause();
      await expect(token.connect(a).claim([1], a.address)).to.changeTokenBalance(ethers, wbtc, a, 100n);
    });

    it("rejects reentry from a hostile payout asset", async function () {
      const { token, farm, distributor, holders, terms } = await networkHelpers.loadFixture(system);
      const evil = await ethers.deployContract("ReentrantPayoutToken");
      await evil.mint(distributor.address, 1_000_000n);
      await evil.connect(distributor).approve(await token.getAddress(), ethers.MaxUint256);
      await token.connect(farm).createSeries(terms({ payoutAsset: await evil.getAddress() }));
      const [a] = holders;
      await token.connect(farm).mint(a.address, 1, 1, "0x");
      await token.connect(distributor).distribute(1, START_DAY, 1_000);
      // the asset's transfer re-enters claim(): the guard refuses, and the whole claim reverts
      await evil.arm(await token.getAddress(), token.interface.encodeFunctionData("claim", [[1n], a.address]));
      await expect(token.connect(a).claim([1], a.address)).to.be.revertedWithCustomError(token, "ReentrancyGuardReentrantCall");
      expect(await token.claimable(a.address, 1)).to.equal(1_000n);
      // and re-entering distribute() during the pull is refused too
      await evil.arm(await token.getAddress(), token.interface.encodeFunctionData("distribute", [1n, START_DAY + 2, 0n]));
      await expect(token.connect(distributor).distribute(1, START_DAY + 1, 1)).to.be.revertedWithCustomError(
        token,
        "ReentrancyGuardReentrantCall",
      );
    });
  });

  describe("claimers", function () {
    it("a holder authorises a claimer who claims to any receiver; revocation stops it", async function () {
      const { token, wbtc, distributor, holders, other } = await networkHelpers.loadFixture(withSeries);
      const [a, b] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await expect(token.connect(a).setClaimer(other.address)).to.emit(token, "ClaimerSet").withArgs(a.address, other.address);
      expect(await token.claimerOf(a.address)).to.equal(other.address);
      const tx = token.connect(other).claimOnBehalf(a.address, [1], b.address);
      await expect(tx).to.emit(token, "Claimed").withArgs(a.address, 1, b.address, other.address, 100);
      await expect(tx).to.changeTokenBalance(ethers, wbtc, b, 100n);
      await token.connect(a).setClaimer(ethers.ZeroAddress);
      await expect(token.connect(other).claimOnBehalf(a.address, [1], b.address))
        .to.be.revertedWithCustomError(token, "NotClaimer")
        .withArgs(a.address, other.address);
    });

    it("only the authorised claimer may claim on behalf, also when none is set", async function () {
      const { token, holders, other } = await networkHelpers.loadFixture(withSeries);
      const [a, b] = holders;
      await expect(token.connect(other).claimOnBehalf(a.address, [1], other.address))
        .to.be.revertedWithCustomError(token, "NotClaimer")
        .withArgs(a.address, other.address);
      await token.connect(a).setClaimer(b.address);
      await expect(token.connect(other).claimOnBehalf(a.address, [1], other.address))
        .to.be.revertedWithCustomError(token, "NotClaimer")
        .withArgs(a.address, other.address);
      await expect(token.connect(b).claimOnBehalf(a.address, [1], ethers.ZeroAddress)).to.be.revertedWithCustomError(
        token,
        "ZeroAddress",
      );
    });

    it("no role names a holder's claimer: a contract holder that never called setClaimer keeps its yield", async function () {
      const { token, farm, distributor, admin, guardian, terms } = await networkHelpers.loadFixture(system);
      // the holder is a contract without any function to set its claimer
      const vault = await ethers.deployContract("TestERC1155Vault");
      const vaultAddr = await vault.getAddress();
      await token.connect(farm).createSeries(terms());
      await token.connect(farm).mint(vaultAddr, 1, 5, "0x");
      await token.connect(distributor).distribute(1, START_DAY, 50);
      expect(token.interface.getFunction("setClaimerFor" as never)).to.equal(null);
      for (const s of [admin, guardian, distributor]) {
        await expect(token.connect(s).claimOnBehalf(vaultAddr, [1], s.address))
          .to.be.revertedWithCustomError(token, "NotClaimer")
          .withArgs(vaultAddr, s.address);
      }
      expect(await token.claimable(vaultAddr, 1)).to.equal(50n);
    });
  });

  describe("pause", function () {
    it("stops series creation, minting and distribution; transfers, burns and claims stay open", async function () {
      const { token, farm, distributor, pauser, holders, terms } = await networkHelpers.loadFixture(withSeries);
      const [a, b] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      await expect(token.connect(pauser).pause()).to.emit(token, "Paused").withArgs(pauser.address);
      for (const call of [
        () => token.connect(farm).createSeries(terms()),
        () => token.connect(farm).mint(a.address, 1, 1, "0x"),
        () => token.connect(distributor).distribute(1, START_DAY + 1, 1),
        () => token.connect(distributor).distributeRepayment(1, 1),
        () => token.connect(pauser).pause(),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(token, "EnforcedPause");
      }
      await token.connect(a).safeTransferFrom(a.address, b.address, 1, 5, "0x");
      await token.connect(a).safeBatchTransferFrom(a.address, b.address, [1], [1], "0x");
      await token.connect(b).burn(b.address, 1, 1);
      await token.connect(a).claim([1], a.address);
      expect(await token.balanceOf(b.address, 1)).to.equal(25n);
      await expect(token.connect(pauser).unpause()).to.emit(token, "Unpaused").withArgs(pauser.address);
      await expect(token.connect(pauser).unpause()).to.be.revertedWithCustomError(token, "ExpectedPause");
      await token.connect(farm).mint(a.address, 1, 1, "0x");
    });
  });

  describe("metadata", function () {
    it("uri(id) is base64 JSON with the series terms", async function () {
      const { token, farm, farmAdmin, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farmAdmin).registerFarm(farm.address, 1_000, 'Farm "A" \\ Iceland');
      await token.connect(farm).createSeries(
        terms({ hashrateThs: 250n, startDay: 19_782n, termDays: 365n, efficiencyJPerThE3: 17_250n, powerCostUsdPerKWhE6: 45_500n, serviceFeeUsdPerThDayE6: 7n }),
      );
      const uri = await token.uri(1);
      const prefix = "data:application/json;base64,";
      expect(uri.startsWith(prefix)).to.equal(true);
      const json = JSON.parse(Buffer.from(uri.slice(prefix.length), "base64").toString("utf8"));
      expect(json.name).to.equal("Hashpower #1: 250 TH/s × 365 days from 2024-02-29");
      expect(json.description).to.contain('Farm "A" \\ Iceland');
      expect(json.decimals).to.equal(0);
      expect(json.properties).to.deep.equal({
        farm: farm.address.toLowerCase(),
        hashrate_ths: 250,
        start_day: 19_782,
        start_date: dateOfDay(19_782),
        term_days: 365,
        end_date: dateOfDay(19_782 + 364),
        efficiency_j_per_th: "17.250",
        pool_fee_bps: 200,
        sla_bps: 9_500,
        power_cost_usd_per_kwh: "0.045500",
        service_fee_usd_per_th_day: "0.000007",
        payout_asset: (await token.seriesTerms(1)).payoutAsset.toLowerCase(),
        unit: "TH/s·day",
        supply_cap: 250 * 365,
      });
    });

    it("renders ISO dates like the TypeScript units module across leap years and centuries", async function () {
      const { token, farm, farmAdmin, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farmAdmin).setFarmCapacity(farm.address, 10n ** 12n);
      const days = [0, 59, 60, 365, 10_956, 11_016, 11_017, 19_722, 47_540, 47_541, 2_932_896];
      for (const d of days) await token.connect(farm).createSeries(terms({ startDay: BigInt(d), termDays: 1n }));
      for (const [i, d] of days.entries()) {
        const uri = await token.uri(i + 1);
        const json = JSON.parse(Buffer.from(uri.split(",")[1], "base64").toString("utf8"));
        expect(json.properties.start_date, `day ${d}`).to.equal(dateOfDay(d));
      }
    });

    it("views of an unknown series revert UnknownSeries", async function () {
      const { token } = await networkHelpers.loadFixture(withSeries);
      for (const call of [token.uri(2), token.seriesTerms(2), token.seriesState(2), token.supplyCap(2), token.uri(0)]) {
        await expect(call).to.be.revertedWithCustomError(token, "UnknownSeries");
      }
      expect(await token.claimable(ethers.ZeroAddress, 2)).to.equal(0n);
    });
  });

  describe("packed holder slot (balance | reward debt): bounds and attacks", function () {
    /** The mirror (domain/accumulator.ts) beside the chain: series state and one checkpoint per holder. */
    function mirror() {
      const s: acc.SeriesAcc = { supply: 0n, accPerUnitE36: 0n, carryE36: 0n };
      const hs = new Map<string, acc.HolderAcc>();
      const h = (a: string) => hs.get(a) ?? hs.set(a, { balance: 0n, paidE36: 0n, accruedE36: 0n }).get(a)!;
      return {
        s,
        h,
        move(from: string | null, to: string | null, v: bigint) {
          if (from) (acc.settle(s, h(from)), (h(from).balance -= v));
          else s.supply += v;
          if (to) (acc.settle(s, h(to)), (h(to).balance += v));
          else s.supply -= v;
        },
        /** accruedE36 the mirror gives `a`: settled + unsettled, at 1e36 scale */
        accrued: (a: string) => h(a).accruedE36 + h(a).balance * (s.accPerUnitE36 - h(a).paidE36),
      };
    }

    /** Chain = mirror for every holder of `accounts`, and distributed·1e36 = claimed·1e36 + Σ accrued + carry. */
    async function expectMirror(token: TokenSystem["token"], m: ReturnType<typeof mirror>, accounts: string[]) {
      const st = await token.seriesState(1);
      expect([st.supply, st.accPerUnitE36, st.carryE36]).to.deep.equal([m.s.supply, m.s.accPerUnitE36, m.s.carryE36]);
      for (const a of accounts) {
        expect(await token.balanceOf(a, 1), `balance ${a}`).to.equal(m.h(a).balance);
        expect(await token.accruedE36(a, 1), `accruedE36 ${a}`).to.equal(m.accrued(a));
        expect(await token.claimable(a, 1), `claimable ${a}`).to.equal(acc.claimable(m.s, m.h(a)));
      }
      await expectConserved({ token } as TokenSystem, 1n, accounts);
    }

    it("stays exact at the bounds: 2^64 − 1 units, 2^64 − 1 sats, reward debts wrapping past 2^192", async function () {
      const { token, farm, farmAdmin, wbtc, distributor, holders, terms } = await networkHelpers.loadFixture(system);
      const MAX = 2n ** 64n - 1n;
      await token.connect(farmAdmin).registerFarm(farm.address, MAX, "Farm A");
      await token.connect(farm).createSeries(terms({ hashrateThs: MAX, termDays: 1n })); // cap 2^64 − 1 units
      await wbtc.mint(distributor.address, MAX);
      const [a, b, c] = holders.map((x) => x.address);
      const all = [a, b, c];
      const m = mirror();
      const mint = async (to: string, v: bigint) => (await token.connect(farm).mint(to, 1, v, "0x"), m.move(null, to, v));
      const send = async (from: number, to: string, v: bigint) => {
        await token.connect(holders[from]).safeTransferFrom(all[from], to, 1, v, "0x");
        m.move(all[from], to, v);
      };
      const repay = async (amount: bigint) => (await token.connect(distributor).distributeRepayment(1, amount), acc.distribute(m.s, amount));

      await mint(a, 1n);
      await token.connect(distributor).distribute(1, START_DAY, 2n ** 62n); // acc = 2^62·1e36 ≈ 2^181.6
      acc.distribute(m.s, 2n ** 62n);
      await mint(b, MAX - 6n); // b's debt (2^64 − 7)·acc ≈ 2^245.6: kept modulo 2^192
      await mint(c, 5n); // supply = cap = 2^64 − 1
      await expect(token.connect(farm).mint(c, 1, 1, "0x")).to.be.revertedWithCustomError(token, "SupplyCapExceeded");
      await expectMirror(token, m, all);
      expect(await token.claimable(b, 1)).to.equal(0n);

      await send(1, c, 2n ** 63n);
      await send(2, a, 2n ** 62n);
      await send(0, a, 2n ** 62n + 1n); // to self, everything
      await send(1, b, 0n);
      await send(2, b, 0n);
      await expectMirror(token, m, all);

      await repay(2n ** 62n + 12_345n); // leaves a carry
      await expectMirror(token, m, all);
      for (const [i, x] of [[0, a], [1, b]] as const) {
        const want = acc.claim(m.s, m.h(x));
        await expect(token.connect(holders[i]).claim([1], x)).to.changeTokenBalance(ethers, wbtc, holders[i], want);
      }
      await expectMirror(token, m, all);

      await repay(MAX - 2n * 2n ** 62n - 12_345n); // distributed = 2^64 − 1
      expect((await token.seriesState(1)).distributed).to.equal(MAX);
      await expect(token.connect(distributor).distributeRepayment(1, 1)).to.be.revertedWithCustomError(
        token,
        "SafeCastOverflowedUintDowncast",
      );
      await token.connect(holders[1]).burn(b, 1, m.h(b).balance); // b keeps its yield after burning every unit
      m.move(b, null, m.h(b).balance);
      await expectMirror(token, m, all);
      let paid = 0n;
      for (const [i, x] of all.entries()) {
        const want = acc.claim(m.s, m.h(x));
        await expect(token.connect(holders[i]).claim([1], x)).to.changeTokenBalance(ethers, wbtc, holders[i], want);
        paid += want;
      }
      await expectMirror(token, m, all);
      const left = await wbtc.balanceOf(await token.getAddress());
      expect(left <= 3n, `dust ${left}`).to.equal(true); // < 1 sat per holder
      expect(await claimedOf(token, 1n)).to.equal(MAX - left);
      expect(paid > 0n).to.equal(true);
    });

    it("a flash holder that receives units and sends them back in one transaction earns nothing", async function () {
      const sys = await networkHelpers.loadFixture(withSeries);
      const { token, wbtc, distributor, holders } = sys;
      const flash = await ethers.deployContract("TestFlashHolder", [await token.getAddress()]);
      const f = await flash.getAddress();
      const [a] = holders;
      await token.connect(distributor).distribute(1, START_DAY, 600);
      const before = await token.claimable(a.address, 1);
      for (let i = 0; i < 2; i++) {
        // all of a's units go to the flash holder, which claims while holding them and sends them back
        await token.connect(a).safeTransferFrom(a.address, f, 1, 10, "0x");
        await token.connect(distributor).distribute(1, START_DAY + 1 + i, 6_000);
      }
      expect(await flash.claimedInside()).to.equal(0n);
      expect([await token.balanceOf(f, 1), await token.accruedE36(f, 1), await wbtc.balanceOf(f)]).to.deep.equal([0n, 0n, 0n]);
      expect(await token.claimable(a.address, 1)).to.equal(before + 2n * 1_000n);
      await expectConserved(sys, 1n, [...holders.slice(0, 3).map((h) => h.address), f]);
    });

    it("claims after 300 distributions with holders changing pay exactly the mirror's amounts", async function () {
      const { token, farm, wbtc, distributor, holders, terms } = await networkHelpers.loadFixture(system);
      await token.connect(farm).createSeries(terms({ termDays: 300n }));
      const all = holders.slice(0, 3).map((h) => h.address);
      const m = mirror();
      for (const [i, a] of all.entries()) {
        await token.connect(farm).mint(a, 1, 7n + BigInt(i) * 13n, "0x");
        m.move(null, a, 7n + BigInt(i) * 13n);
      }
      for (let d = 0; d < 300; d++) {
        const amount = BigInt((d * 7_919) % 10_007); // zero now and then, primes otherwise
        await token.connect(distributor).distribute(1, START_DAY + d, amount);
        acc.distribute(m.s, amount);
        if (d % 50 === 49) {
          const [i, j] = [d % 3, (d + 1) % 3];
          const v = m.h(all[i]).balance / 2n;
          await token.connect(holders[i]).safeTransferFrom(all[i], all[j], 1, v, "0x");
          m.move(all[i], all[j], v);
        }
        if (d === 150) {
          const want = acc.claim(m.s, m.h(all[2]));
          await expect(token.connect(holders[2]).claim([1], all[2])).to.changeTokenBalance(ethers, wbtc, holders[2], want);
        }
      }
      await expectMirror(token, m, all);
      for (const [i, a] of all.entries()) {
        const want = acc.claim(m.s, m.h(a));
        expect(want > 0n).to.equal(true);
        await expect(token.connect(holders[i]).claim([1], a)).to.changeTokenBalance(ethers, wbtc, holders[i], want);
      }
      await expectMirror(token, m, all);
    });
  });

  describe("one-slot views", function () {
    it("totalSupply(id) and accPerUnitE36(id) follow seriesState through mints, burns and distributions", async function () {
      const { token, distributor, holders } = await networkHelpers.loadFixture(withSeries);
      const [a, b] = holders;
      const expectState = async (supply: bigint, accE36: bigint) => {
        const st = await token.seriesState(1);
        expect([await token.totalSupply(1), st.supply]).to.deep.equal([supply, supply]);
        expect([await token.accPerUnitE36(1), st.accPerUnitE36]).to.deep.equal([accE36, accE36]);
      };
      await expectState(60n, 0n);
      await token.connect(distributor).distribute(1, START_DAY, 600); // 10 sats per unit
      await expectState(60n, 10n * ACC_SCALE);
      await token.connect(a).burn(a.address, 1, 10);
      await token.connect(b).safeTransferFrom(b.address, a.address, 1, 5, "0x");
      await expectState(50n, 10n * ACC_SCALE);
      await token.connect(distributor).distribute(1, START_DAY + 1, 1); // 1e36 / 50 per unit
      await expectState(50n, 10n * ACC_SCALE + ACC_SCALE / 50n);
      // An unknown series reads as empty (ERC1155Supply's convention), where seriesState reverts.
      expect([await token.totalSupply(2), await token.accPerUnitE36(2)]).to.deep.equal([0n, 0n]);
    });
  });
});
