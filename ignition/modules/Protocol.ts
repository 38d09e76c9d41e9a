/**
 * Hardhat Ignition module: the hashpower protocol on any network.
 *
 * Deploys `HashpriceOracle`, `HashpowerToken` and `Settlement`, and wires them as `test/helpers/deploy.ts` does:
 * the settlement becomes the token's distributor (sole DISTRIBUTOR_ROLE holder) and issuance guard — a one-time
 * wiring; later changes go through the contracts' guardian-cancellable timelock — `admin` gets DEFAULT_ADMIN_ROLE
 * on all three contracts and the token's FARM_ADMIN and PAUSER roles; `guardian` holds GUARDIAN_ROLE on all three
 * (only a guardian can revoke it).
 * The deploying account (account 0, or `--default-sender`) is the initial admin that performs the wiring and keeps
 * DEFAULT_ADMIN_ROLE; deploy `Handover.ts` instead on public networks to make it renounce that role.
 *
 * Parameters (module id "Protocol"; units as in contracts/interfaces):
 *   admin          address  DEFAULT_ADMIN + token FARM_ADMIN/PAUSER (default: deployer)
 *   guardian       address  GUARDIAN_ROLE on oracle, token and settlement: confirms/rejects pending reports,
 *                           cancels timelocked parameter changes (default: deployer)
 *   reporters      address[] oracle reporter set, 1..255 distinct addresses (required)
 *   quorum         uint8    signatures required, > n/2 and ≤ n (required)
 *   timelockDelay  seconds  delay of a reporter-set change and of every timelocked parameter change: price feed,
 *                           coverDays, distributor, issuance guard (default 2 days)
 *   feed           address  Chainlink-style BTC/USD feed, address(0) = reporters' price only (default 0)
 *   heartbeat      seconds  max age of the feed's answer; must be > 0 with a feed (default 86400)
 *   coverDays      days     days of expected payouts a farm's collateral must cover to issue (default 30)
 *   bootstrapHashpriceE18  sats/TH/s/day × 1e18  hashprice collateral is computed with until the oracle's first
 *                           final day (default 50e18 = 50 sats per TH/s per day)
 *
 *   npx hardhat ignition deploy ignition/modules/Protocol.ts --network localhost --parameters params.json
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";
import { id, ZeroAddress, ZeroHash } from "ethers";

/** Role ids (keccak256 of the role name; DEFAULT_ADMIN_ROLE is 0x00). */
export const ROLES = {
  DEFAULT_ADMIN: ZeroHash,
  FARM_ADMIN: id("FARM_ADMIN_ROLE"),
  DISTRIBUTOR: id("DISTRIBUTOR_ROLE"),
  PAUSER: id("PAUSER_ROLE"),
  /** the wrapper factory's role (contracts/defi); the token has none */
  CLAIMER_ADMIN: id("CLAIMER_ADMIN_ROLE"),
  GUARDIAN: id("GUARDIAN_ROLE"),
} as const;

/**
 * The protocol's futures inside module `m`, with the BTC/USD `feed` given by the caller (a parameter in
 * `Protocol`, the dev feed in `Devnet`); every other setting is a parameter of `m` (listed above).
 */
export function buildProtocol(m: IgnitionModuleBuilder, feed: ModuleParameterRuntimeValue<string> | ContractFuture<string>) {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const guardian = m.getParameter("guardian", deployer);
  const reporters = m.getParameter<string[]>("reporters");
  const quorum = m.getParameter<number>("quorum");
  const timelockDelay = m.getParameter("timelockDelay", 2 * 86_400);
  const heartbeat = m.getParameter("heartbeat", 86_400);
  const coverDays = m.getParameter("coverDays", 30);
  const bootstrapHashpriceE18 = m.getParameter("bootstrapHashpriceE18", 50n * 10n ** 18n);

  const oracle = m.contract("HashpriceOracle", [deployer, guardian, reporters, quorum, timelockDelay, feed, heartbeat]);
  const token = m.contract("HashpowerToken", [deployer, guardian, timelockDelay]);
  const settlement = m.contract("Settlement", [
    deployer,
    guardian,
    timelockDelay,
    token,
    oracle,
    coverDays,
    bootstrapHashpriceE18,
  ]);

  m.call(token, "setDistributor", [settlement]);
  m.call(token, "setIssuanceGuard", [settlement]);
  m.call(token, "grantRole", [ROLES.FARM_ADMIN, admin], { id: "token_grant_farm_admin" });
  m.call(token, "grantRole", [ROLES.PAUSER, admin], { id: "token_grant_pauser" });
  // a no-op when admin is the deployer (AccessControl's grantRole skips existing members)
  m.call(token, "grantRole", [ROLES.DEFAULT_ADMIN, admin], { id: "token_grant_admin" });
  m.call(oracle, "grantRole", [ROLES.DEFAULT_ADMIN, admin], { id: "oracle_grant_admin" });
  m.call(settlement, "grantRole", [ROLES.DEFAULT_ADMIN, admin], { id: "settlement_grant_admin" });

  return { oracle, token, settlement };
}

export default buildModule("Protocol", (m) => buildProtocol(m, m.getParameter("feed", ZeroAddress)));
