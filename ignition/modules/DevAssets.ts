/**
 * Hardhat Ignition module for local/dev chains only: the test payout asset `TestWBTC` (8 decimals, open mint) and
 * the Chainlink-style `TestPriceFeed` (8 decimals, anyone sets the answer). Deploy it first and pass the feed's
 * address to `Protocol` as its `feed` parameter (the replay, scripts/replay/deploy.ts, does exactly that).
 *
 * Parameters (module id "DevAssets"):
 *   initialPriceE8  BTC/USD × 1e8 the feed starts with (0 = no answer yet; default 0)
 *
 *   npx hardhat ignition deploy ignition/modules/DevAssets.ts --network localhost
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("DevAssets", (m) => {
  const wbtc = m.contract("TestWBTC");
  const feed = m.contract("TestPriceFeed", [8, m.getParameter("initialPriceE8", 0n)]);
  return { wbtc, feed };
});
