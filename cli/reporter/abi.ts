/**
 * The oracle's ABI for the reporter: the typed one of `client/` (generated from the Hardhat artifacts by
 * `npm run schema`), and the day status enum.
 */
export { hashpriceOracleAbi } from "../../client/index.js";

/** `IHashpriceOracle.Status`: what is stored for a day. */
export const Status = { None: 0, Pending: 1, Final: 2 } as const;
