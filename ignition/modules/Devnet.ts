/**
 * Hardhat Ignition module for a local node (`npm run devnet`, or by hand): the dev payout asset and BTC/USD feed
 * (`DevAssets`), then the protocol wired to that feed (the same futures as `Protocol`, see `buildProtocol`).
 * Use it wherever no real Chainlink feed exists: `Protocol` with a `feed` address that has no code reverts
 * "without reason" in the oracle's constructor (it reads `feed.decimals()`).
 *
 * Parameters: module "Devnet" takes those of `Protocol` except `feed`; module "DevAssets" takes `initialPriceE8`.
 *
 *   npx hardhat ignition deploy ignition/modules/Devnet.ts --network localhost \
 *     --parameters ignition/parameters/localhost.json
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import DevAssets from "./DevAssets.js";
import { buildProtocol } from "./Protocol.js";

export default buildModule("Devnet", (m) => {
  const { wbtc, feed } = m.useModule(DevAssets);
  return { ...buildProtocol(m, feed), wbtc, feed };
});
