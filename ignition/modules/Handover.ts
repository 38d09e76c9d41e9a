/**
 * Hardhat Ignition module for public networks: `Protocol`, then the deploying account renounces its
 * DEFAULT_ADMIN_ROLE on the oracle, token and settlement, leaving `admin` (e.g. a multisig) in sole control.
 *
 * The `Protocol.admin` parameter MUST be set to an address other than the deployer: otherwise nobody would be
 * left as admin. Set `Protocol.guardian` to its own address too (e.g. a second multisig): only a guardian can
 * revoke GUARDIAN_ROLE, so a deployer left as guardian stays one. Parameters are those of `Protocol` (see ignition/parameters/sepolia.example.json).
 *
 *   npx hardhat ignition deploy ignition/modules/Handover.ts --network sepolia \
 *     --parameters ignition/parameters/sepolia.example.json
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import Protocol, { ROLES } from "./Protocol.js";

export default buildModule("Handover", (m) => {
  const { oracle, token, settlement } = m.useModule(Protocol);
  const deployer = m.getAccount(0);
  m.call(token, "renounceRole", [ROLES.DEFAULT_ADMIN, deployer], { id: "token_renounce_admin" });
  m.call(oracle, "renounceRole", [ROLES.DEFAULT_ADMIN, deployer], { id: "oracle_renounce_admin" });
  m.call(settlement, "renounceRole", [ROLES.DEFAULT_ADMIN, deployer], { id: "settlement_renounce_admin" });
  return { oracle, token, settlement };
});
