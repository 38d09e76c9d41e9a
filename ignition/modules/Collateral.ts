/**
 * Hardhat Ignition module: the collateral layer on any network with Morpho Blue — `SeriesWrapperFactory` (one
 * ERC-20 wrapper per series, CREATE2) and `MorphoCollateralAdapter` (routes the yield of wrapped collateral held by
 * Morpho to the borrowers). `admin` gets the factory's DEFAULT_ADMIN and CLAIMER_ADMIN roles and owns the adapter;
 * the deployer keeps the factory's DEFAULT_ADMIN_ROLE (renounce it on public networks, as in `Handover.ts`).
 *
 * Parameters (module id "Collateral"):
 *   token   address  the HashpowerToken (required)
 *   morpho  address  Morpho Blue (required; on a local chain deploy `DevMorpho.ts` first)
 *   admin   address  (default: deployer)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLES } from "./Protocol.js";

export default buildModule("Collateral", (m) => {
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const factory = m.contract("SeriesWrapperFactory", [m.getParameter<string>("token"), deployer]);
  m.call(factory, "grantRole", [ROLES.CLAIMER_ADMIN, admin], { id: "factory_grant_claimer_admin" });
  m.call(factory, "grantRole", [ROLES.DEFAULT_ADMIN, admin], { id: "factory_grant_admin" });
  const adapter = m.contract("MorphoCollateralAdapter", [m.getParameter<string>("morpho"), factory, admin]);
  return { factory, adapter };
});
