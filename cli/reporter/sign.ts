/**
 * EIP-712 signing of the oracle's reports (IHashpriceOracle.sol): domain name "HashpriceOracle", version "1",
 * chain id and oracle address; signatures returned in strictly ascending signer-address order, as the contract
 * requires.
 */
import type { Address, Hex, LocalAccount } from "viem";
import { getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { DailyReport } from "../../domain/data.js";

export type { DailyReport };

/** `UptimeReport` as signed and submitted (IHashpriceOracle.UptimeReport). */
export interface UptimeReport {
  farm: Address;
  /** UTC day number */
  day: number;
  /** delivered hashrate in bps of the promised hashrate, 0..10000 */
  uptimeBps: number;
}

/** The oracle's EIP-712 domain. */
export interface OracleDomain {
  name: "HashpriceOracle";
  version: "1";
  chainId: number;
  verifyingContract: Address;
}

/** The EIP-712 domain of the oracle at `verifyingContract` on `chainId`. */
export function oracleDomain(chainId: number, verifyingContract: Address): OracleDomain {
  return { name: "HashpriceOracle", version: "1", chainId, verifyingContract: getAddress(verifyingContract) };
}

/** EIP-712 types; must match the type strings in IHashpriceOracle.sol. */
export const reportTypes = {
  DailyReport: [
    { name: "day", type: "uint32" },
    { name: "firstHeight", type: "uint32" },
    { name: "blocks", type: "uint16" },
    { name: "bits", type: "uint32" },
    { name: "subsidySats", type: "uint64" },
    { name: "feesPerBlockSats", type: "uint64" },
    { name: "btcUsdE8", type: "uint64" },
  ],
  UptimeReport: [
    { name: "farm", type: "address" },
    { name: "day", type: "uint32" },
    { name: "uptimeBps", type: "uint16" },
  ],
} as const;

/** Accounts of the given private keys. Throws on a malformed key (without echoing it). */
export function accountsFromKeys(keys: readonly Hex[]): LocalAccount[] {
  return keys.map((k, i) => {
    try {
      return privateKeyToAccount(k);
    } catch {
      throw new Error(`reporter key #${i + 1} is not a valid 32-byte hex private key`);
    }
  });
}

/** `accounts` sorted by strictly ascending address. Throws on a duplicate signer. */
export function sortSigners(accounts: readonly LocalAccount[]): LocalAccount[] {
  const sorted = [...accounts].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i].address) === BigInt(sorted[i - 1].address)) throw new Error(`duplicate reporter ${sorted[i].address}`);
  }
  return sorted;
}

/** Signatures of `report` by every account, ordered by ascending signer address. */
export async function signDailyReport(accounts: readonly LocalAccount[], domain: OracleDomain, report: DailyReport): Promise<Hex[]> {
  const message = { ...report };
  return Promise.all(
    sortSigners(accounts).map((a) => a.signTypedData({ domain, types: reportTypes, primaryType: "DailyReport", message })),
  );
}

/** Signatures of `report` by every account, ordered by ascending signer address. */
export async function signUptimeReport(accounts: readonly LocalAccount[], domain: OracleDomain, report: UptimeReport): Promise<Hex[]> {
  const message = { ...report, farm: getAddress(report.farm) };
  return Promise.all(
    sortSigners(accounts).map((a) => a.signTypedData({ domain, types: reportTypes, primaryType: "UptimeReport", message })),
  );
}
