/**
 * Shared deployment for the HashpowerToken tests: a token with every role granted to a dedicated signer (guardian included), an
 * 8-decimal OpenZeppelin ERC-20 payout asset (TestWBTC), two registered farms and a funded distributor.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HashpowerToken, IHashpowerToken, TestWBTC } from "../../types/ethers-contracts/index.js";

/** Day number of 2024-01-01 (UTC), the default start of test series. */
export const START_DAY = 19_723;

/** Everything a token test needs. */
export interface TokenSystem {
  token: HashpowerToken;
  wbtc: TestWBTC;
  admin: HardhatEthersSigner;
  farmAdmin: HardhatEthersSigner;
  distributor: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  farm: HardhatEthersSigner;
  farm2: HardhatEthersSigner;
  holders: HardhatEthersSigner[];
  other: HardhatEthersSigner;
  /** Default terms of `farm`, paid in `wbtc`, overridable per field. */
  terms: (over?: Partial<IHashpowerToken.SeriesTermsStruct>) => IHashpowerToken.SeriesTermsStruct;
}

/** Deploys and wires the token; `farm` has 1,000 TH/s of capacity, `farm2` 500 TH/s. */
export async function deployTokenSystem(ethers: HardhatEthers): Promise<TokenSystem> {
  const [admin, farmAdmin, distributor, pauser, guardian, farm, farm2, other, ...rest] = await ethers.getSigners();
  const holders = rest.slice(0, 6);
  const wbtc = await ethers.deployContract("TestWBTC");
  const token = await ethers.deployContract("HashpowerToken", [admin.address, guardian.address, 2 * 86_400]);
  await token.grantRole(await token.FARM_ADMIN_ROLE(), farmAdmin.address);
  await token.setDistributor(distributor.address);
  await token.grantRole(await token.PAUSER_ROLE(), pauser.address);
  await token.connect(farmAdmin).registerFarm(farm.address, 1_000n, "Farm A");
  await token.connect(farmAdmin).registerFarm(farm2.address, 500n, "Farm B");
  await wbtc.mint(distributor.address, 10n ** 15n);
  await wbtc.connect(distributor).approve(await token.getAddress(), ethers.MaxUint256);
  const wbtcAddress = await wbtc.getAddress();
  const terms = (over: Partial<IHashpowerToken.SeriesTermsStruct> = {}): IHashpowerToken.SeriesTermsStruct => ({
    farm: farm.address,
    payoutAsset: wbtcAddress,
    hashrateThs: 100n,
    startDay: START_DAY,
    termDays: 30n,
    efficiencyJPerThE3: 17_500n,
    poolFeeBps: 200n,
    slaBps: 9_500n,
    powerCostUsdPerKWhE6: 50_000n,
    serviceFeeUsdPerThDayE6: 1_200n,
    ...over,
  });
  return { token, wbtc, admin, farmAdmin, distributor, pauser, guardian, farm, farm2, holders, other, terms };
}
