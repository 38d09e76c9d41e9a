/**
 * Deploys the `Devnet` Ignition module (dev WBTC and BTC/USD feed, then the protocol) to a node, with the journal
 * in `<ignitionDir>/deployments/<deploymentId>` so that the CLI finds the addresses (`--deployment`). An existing
 * journal of that id is removed first: a devnet is a fresh chain every time.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createHardhatRuntimeEnvironment, importUserConfig } from "hardhat/hre";
import Devnet from "../../ignition/modules/Devnet.js";
import { ROOT } from "../lib/paths.js";

/** Addresses of a devnet deployment. */
export interface DevnetDeployment {
  token: string;
  oracle: string;
  settlement: string;
  asset: string;
  feed: string;
  /** the deployment folder (pass it to `--deployment`) */
  dir: string;
  /** first block of the deployment (the indexer starts there) */
  fromBlock: number;
}

/** Deploys `Devnet` with `ignition/parameters/localhost.json` (or `parametersFile`) to `url`. */
export async function deployDevnet(url: string, opts: { ignitionDir?: string; deploymentId?: string; parametersFile?: string } = {}): Promise<DevnetDeployment> {
  const ignitionDir = opts.ignitionDir ?? join(ROOT, "ignition");
  const deploymentId = opts.deploymentId ?? "devnet";
  const dir = join(ignitionDir, "deployments", deploymentId);
  rmSync(dir, { recursive: true, force: true });
  const configPath = join(ROOT, "hardhat.config.ts");
  const user = await importUserConfig(configPath);
  const hre = await createHardhatRuntimeEnvironment({ ...user, paths: { ...user.paths, ignition: ignitionDir } }, { config: configPath }, ROOT);
  const conn = await hre.network.create({ network: "localhost", override: { url } });
  try {
    const fromBlock = (await conn.ethers.provider.getBlockNumber()) + 1;
    const parameters = JSON.parse(readFileSync(opts.parametersFile ?? join(ROOT, "ignition/parameters/localhost.json"), "utf8"));
    const r = await conn.ignition.deploy(Devnet, { parameters, deploymentId, config: { blockPollingInterval: 20 }, displayUi: false });
    const a = async (c: { getAddress(): Promise<string> }) => c.getAddress();
    return { token: await a(r.token), oracle: await a(r.oracle), settlement: await a(r.settlement), asset: await a(r.wbtc), feed: await a(r.feed), dir, fromBlock };
  } finally {
    await conn.close();
  }
}
