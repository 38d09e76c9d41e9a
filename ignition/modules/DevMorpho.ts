/**
 * Hardhat Ignition module for local/dev chains only: Morpho Blue itself (`Morpho`, compiled unmodified from
 * @morpho-org/morpho-blue, owner = deployer) with its `IrmMock` interest rate model and one LLTV enabled.
 * On a public network use the deployed Morpho Blue instead.
 *
 * Parameters (module id "DevMorpho"):
 *   lltv  liquidation LTV, WAD (1e18 = 100 %; default 0.77e18, one of Morpho's governance-enabled values)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("DevMorpho", (m) => {
  const morpho = m.contract("Morpho", [m.getAccount(0)]);
  const irm = m.contract("IrmMock");
  m.call(morpho, "enableIrm", [irm]);
  m.call(morpho, "enableLltv", [m.getParameter("lltv", 770_000_000_000_000_000n)]);
  return { morpho, irm };
});
