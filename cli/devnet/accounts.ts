/**
 * The well-known accounts of `hardhat node` (mnemonic "test … junk"; public, for local chains only) and their roles
 * in the devnet and in `ignition/parameters/localhost.json`: 0 admin/deployer, 1 guardian, 2 keeper, 3 farm,
 * 4 holder, 5..9 the oracle's reporters (quorum 3), 10 report submitter.
 */
import { type Address, type Hex, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

const MNEMONIC = "test test test test test test test test test test test junk";
const accounts = Array.from({ length: 12 }, (_, i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));

/** Private keys of the dev accounts 0..11. */
export const DEV_KEYS: Hex[] = accounts.map((a) => toHex(a.getHdKey().privateKey!));
/** Addresses of the dev accounts 0..11. */
export const DEV_ADDRESSES: Address[] = accounts.map((a) => a.address);
/** Roles by account index. */
export const ROLE = { admin: 0, guardian: 1, keeper: 2, farm: 3, holder: 4, firstReporter: 5, submitter: 10 } as const;
