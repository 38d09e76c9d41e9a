/**
 * Hardhat Ignition module: the collateral layer on any network with Morpho Blue — `SeriesWrapperFactory` (one
 * accumulating ERC-20 share per series, CREATE2; no admin). Morpho Blue takes the shares as collateral directly.
 *
 * Parameters (module id "Collateral"):
 *   token   address  the HashpowerToken (required)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("Collateral", (m) => {
  const factory = m.contract("SeriesWrapperFactory", [m.getParameter<string>("token")]);
  return { factory };
});
