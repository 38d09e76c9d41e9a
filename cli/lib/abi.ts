/**
 * Contract ABIs for the CLI: the protocol's from `client/` (typed `as const`, generated from the Hardhat artifacts),
 * plus the ERC-20 calls on the payout asset and the dev-only mint/feed calls of `DevAssets`. Every ABI carries the
 * custom errors of all protocol contracts, so a revert anywhere in a call (e.g. the token reverting inside a
 * settlement call) decodes into its name and fields.
 */
import { type Abi, type AbiItem, erc20Abi, parseAbi } from "viem";
import { hashpowerTokenAbi, hashpriceOracleAbi, seriesValuationOracleAbi, seriesWrapperAbi, seriesWrapperFactoryAbi, settlementAbi } from "../../client/index.js";

const ABIS = {
  HashpowerToken: hashpowerTokenAbi as Abi,
  HashpriceOracle: hashpriceOracleAbi as Abi,
  Settlement: settlementAbi as Abi,
  SeriesValuationOracle: seriesValuationOracleAbi as Abi,
  /** the payout asset: a standard ERC-20; `mint` exists on the dev asset (TestWBTC) only */
  TestWBTC: [...erc20Abi, ...parseAbi(["function mint(address to, uint256 amount)"])] as Abi,
  /** the dev BTC/USD feed (TestPriceFeed) */
  TestPriceFeed: parseAbi(["function setPrice(int256 answer)"]) as Abi,
} as const;

export type ContractName = keyof typeof ABIS;

let errors: AbiItem[] | undefined;

/** Every custom error of the protocol's contracts (deduplicated by signature). */
export function allErrors(): AbiItem[] {
  if (errors) return errors;
  const seen = new Map<string, AbiItem>();
  for (const abi of [hashpowerTokenAbi, hashpriceOracleAbi, settlementAbi, seriesWrapperFactoryAbi, seriesWrapperAbi, seriesValuationOracleAbi] as Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const sig = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (!seen.has(sig)) seen.set(sig, item);
    }
  }
  errors = [...seen.values()];
  return errors;
}

/** ABI of `name` with every protocol error appended (for decoding reverts of nested calls). */
export function abiOf(name: ContractName): Abi {
  const own = ABIS[name];
  const names = new Set(own.filter((i) => i.type === "error").map((i) => (i as { name: string }).name));
  return [...own, ...allErrors().filter((e) => !names.has((e as { name: string }).name))] as Abi;
}
