/**
 * Deploys the protocol with the Hardhat Ignition modules (`DevAssets` for the test WBTC and BTC/USD feed, then
 * `Protocol` with the feed's address), then does the admin's part: registers the farms.
 */
import type { PrivateKeyAccount } from "viem/accounts";
import DevAssets from "../../ignition/modules/DevAssets.js";
import Protocol from "../../ignition/modules/Protocol.js";
import type { HashpowerToken, HashpriceOracle, Settlement, TestPriceFeed, TestWBTC } from "../../types/ethers-contracts/index.js";
import { ACCOUNTS, type Plan } from "./actors.js";
import type { Connection, NodeAccount } from "./chain.js";

/** Oracle parameters of the replay. */
export const ORACLE = {
  quorum: 2,
  /** reporter-set timelock, seconds */
  timelockDelay: 2 * 86_400,
  /** feed heartbeat, seconds: shorter than a day, so a missed daily update makes the feed stale */
  heartbeat: 3_600,
  /** days of expected payouts a farm's collateral must cover to issue */
  coverDays: 30,
} as const;

/** The deployed system and the accounts that run it. */
export interface System {
  token: HashpowerToken;
  oracle: HashpriceOracle;
  settlement: Settlement;
  wbtc: TestWBTC;
  feed: TestPriceFeed;
  addresses: { token: string; oracle: string; settlement: string; wbtc: string; feed: string };
  admin: NodeAccount;
  guardian: NodeAccount;
  keeper: NodeAccount;
  farms: NodeAccount[];
  submitter: NodeAccount;
  /** first block of the deployment (where the indexer starts) */
  fromBlock: number;
}

/**
 * Deploys `DevAssets` and `Protocol` through Ignition (deployer and admin = node account 0, guardian = account 1,
 * the given reporters with quorum 2, the test feed with a 1-hour heartbeat), then registers the
 * plan's farms.
 */
export async function deploySystem(conn: Connection, plan: Plan, reporters: PrivateKeyAccount[]): Promise<System> {
  const { ethers } = conn;
  const admin = await conn.account(ACCOUNTS.admin);
  const guardian = await conn.account(ACCOUNTS.guardian);
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const config = { blockPollingInterval: 20 };
  const dev = await conn.ignition.deploy(DevAssets, { config, defaultSender: admin.address });
  const feedAddress = await dev.feed.getAddress();
  const p = await conn.ignition.deploy(Protocol, {
    config,
    defaultSender: admin.address,
    parameters: {
      Protocol: {
        admin: admin.address,
        guardian: guardian.address,
        reporters: reporters.map((r) => r.address),
        quorum: ORACLE.quorum,
        timelockDelay: ORACLE.timelockDelay,
        feed: feedAddress,
        heartbeat: ORACLE.heartbeat,
        coverDays: ORACLE.coverDays,
      },
    },
  });
  const at = async <T>(name: string, c: { getAddress(): Promise<string> }) =>
    (await ethers.getContractAt(name, await c.getAddress(), admin)) as unknown as T;
  const token = await at<HashpowerToken>("HashpowerToken", p.token);
  const oracle = await at<HashpriceOracle>("HashpriceOracle", p.oracle);
  const settlement = await at<Settlement>("Settlement", p.settlement);
  const wbtc = await at<TestWBTC>("TestWBTC", dev.wbtc);
  const feed = await at<TestPriceFeed>("TestPriceFeed", dev.feed);
  const farms = await Promise.all(plan.farms.map((f) => conn.account(f.account)));
  for (const [i, f] of plan.farms.entries()) await token.registerFarm(farms[i].address, f.capacityThs, f.name);
  const addr = async (c: { getAddress(): Promise<string> }) => (await c.getAddress()).toLowerCase();
  return {
    token, oracle, settlement, wbtc, feed,
    addresses: { token: await addr(token), oracle: await addr(oracle), settlement: await addr(settlement), wbtc: await addr(wbtc), feed: feedAddress.toLowerCase() },
    admin, guardian, keeper: await conn.account(ACCOUNTS.keeper), farms, submitter: await conn.account(ACCOUNTS.submitter), fromBlock,
  };
}
