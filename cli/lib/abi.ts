/**
 * Contract ABIs for the CLI, read from the Hardhat artifacts (`npx hardhat build` writes them; `npm test` and
 * `npm run devnet` build first). Every ABI carries the custom errors of all protocol contracts, so a revert
 * anywhere in a call (e.g. the token reverting inside a settlement call) decodes into its name and fields.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Abi, type AbiItem } from "viem";
import { ROOT } from "./paths.js";

const ARTIFACTS: Record<string, string> = {
  HashpowerToken: "contracts/HashpowerToken.sol/HashpowerToken.json",
  HashpriceOracle: "contracts/HashpriceOracle.sol/HashpriceOracle.json",
  Settlement: "contracts/Settlement.sol/Settlement.json",
  TestWBTC: "contracts/test/TestWBTC.sol/TestWBTC.json",
  TestPriceFeed: "contracts/test/TestPriceFeed.sol/TestPriceFeed.json",
};

export type ContractName = keyof typeof ARTIFACTS;

const cache = new Map<string, Abi>();

/** The artifact ABI of `name`; throws naming the build command when the artifacts are missing. */
function artifactAbi(name: string): Abi {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = join(ROOT, "artifacts", ARTIFACTS[name]);
  if (!existsSync(file)) throw new Error(`missing ${file}: run \`npx hardhat build\` first`);
  const abi = (JSON.parse(readFileSync(file, "utf8")) as { abi: Abi }).abi;
  cache.set(name, abi);
  return abi;
}

/** Every custom error of the protocol's contracts (deduplicated by signature). */
export function allErrors(): AbiItem[] {
  const seen = new Map<string, AbiItem>();
  for (const n of Object.keys(ARTIFACTS)) {
    for (const item of artifactAbi(n)) {
      if (item.type !== "error") continue;
      const sig = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (!seen.has(sig)) seen.set(sig, item);
    }
  }
  return [...seen.values()];
}

/** ABI of `name` with every protocol error appended (for decoding reverts of nested calls). */
export function abiOf(name: ContractName): Abi {
  const own = artifactAbi(name);
  const names = new Set(own.filter((i) => i.type === "error").map((i) => (i as { name: string }).name));
  return [...own, ...allErrors().filter((e) => !names.has((e as { name: string }).name))] as Abi;
}
