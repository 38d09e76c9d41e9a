/**
 * Contract addresses per deployment. `deployments` lists the deployments the project publishes (keyed by name;
 * none on a public chain yet); `fromIgnition` reads any other one from Hardhat Ignition's
 * `ignition/deployments/<id>/deployed_addresses.json`, so a devnet or a fork gets the same shape.
 */
import { getAddress, type Address } from "viem";

/** Where a deployment's contracts live (checksummed addresses) and where an indexer starts. */
export interface Deployment {
  chainId: number;
  /** HashpowerToken (ERC-1155 series) */
  token: Address;
  /** HashpriceOracle (daily reports) */
  oracle: Address;
  /** Settlement */
  settlement: Address;
  /** SeriesWrapperFactory (absent: DeFi contracts not deployed) */
  wrapperFactory?: Address;
  /** Morpho Blue, where markets on the wrappers live */
  morpho?: Address;
  /** first block to index (the token's deployment block) */
  fromBlock?: number;
}

/** Published deployments by name. */
export const deployments: Record<string, Deployment> = {};

/** Ignition future ids of each contract (`<module>#<contract>`). */
const IGNITION_IDS: Record<"token" | "oracle" | "settlement" | "wrapperFactory" | "morpho", string[]> = {
  token: ["Protocol#HashpowerToken"],
  oracle: ["Protocol#HashpriceOracle"],
  settlement: ["Protocol#Settlement"],
  wrapperFactory: ["Collateral#SeriesWrapperFactory"],
  morpho: ["DevMorpho#Morpho"],
};

/**
 * A deployment from Ignition's `deployed_addresses.json` (future id → address) on `chainId`. Throws naming the
 * missing contract when the protocol module is not in it.
 */
export function fromIgnition(chainId: number, deployedAddresses: Record<string, string>, extra: Partial<Deployment> = {}): Deployment {
  const find = (k: keyof typeof IGNITION_IDS) => {
    const a = IGNITION_IDS[k].map((id) => deployedAddresses[id]).find(Boolean);
    return a ? getAddress(a) : undefined;
  };
  const token = find("token");
  const oracle = find("oracle");
  const settlement = find("settlement");
  if (!token || !oracle || !settlement) {
    throw new Error(`deployed_addresses.json lacks ${[!token && "Protocol#HashpowerToken", !oracle && "Protocol#HashpriceOracle", !settlement && "Protocol#Settlement"].filter(Boolean).join(", ")}`);
  }
  const wrapperFactory = find("wrapperFactory");
  const morpho = find("morpho");
  return { chainId, token, oracle, settlement, ...(wrapperFactory ? { wrapperFactory } : {}), ...(morpho ? { morpho } : {}), ...extra };
}
