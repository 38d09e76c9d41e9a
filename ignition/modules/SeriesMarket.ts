/**
 * Hardhat Ignition module: opens a Morpho Blue market with one series as collateral. Creates the series'
 * accumulating ERC-20 share (`SeriesWrapper`) through the factory, deploys the `SeriesValuationOracle` of its share
 * (trailing net yield at SLA re-priced at the current subsidy, the halving estimated from the retarget count, ×
 * remaining term, + the share's accrued sats; in sats of the BTC-pegged loan token) and creates the market
 * (collateral = the share). A keeper must call the oracle's `poke` after each daily report (`hashpower keeper run --poke <oracle>`).
 *
 * Parameters (module id "SeriesMarket"; see ISeriesValuationOracle.Config):
 *   hashpriceOracle, factory, morpho, irm, loanToken  addresses (required)
 *   seriesId          the series (required)
 *   firstDay          first UTC day the oracle records (required; a day the hash-price oracle will have final)
 *   epochStartDay     UTC day the difficulty epoch in force at the end of firstDay began (required)
 *   epochStartHeight  its first block height, a multiple of 2,016 (required; check it on any block explorer)
 *   lltv              WAD, enabled in Morpho (default 0.77e18)
 *   windowDays 30, haircutBps 0, maxAgeDays 2, graceDays 3, decayDays 7, maxGrowthBpsPerDay 100, feeCapBps 1,000,
 *   hashpriceDriftBpsPerYear 2,000 (defaults; calibrated on 2023-2025, see SeriesValuationOracle's notes)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("SeriesMarket", (m) => {
  const factory = m.contractAt("SeriesWrapperFactory", m.getParameter<string>("factory"));
  const morpho = m.contractAt("Morpho", m.getParameter<string>("morpho"));
  const seriesId = m.getParameter<bigint>("seriesId");
  const created = m.call(factory, "createWrapper", [seriesId]);
  const wrapperAddress = m.readEventArgument(created, "WrapperCreated", "wrapper");
  const wrapper = m.contractAt("SeriesWrapper", wrapperAddress);
  const loanToken = m.getParameter<string>("loanToken");
  const valuation = m.contract("SeriesValuationOracle", [
    {
      wrapper,
      hashpriceOracle: m.getParameter<string>("hashpriceOracle"),
      loanToken,
      windowDays: m.getParameter("windowDays", 30),
      haircutBps: m.getParameter("haircutBps", 0),
      maxAgeDays: m.getParameter("maxAgeDays", 2),
      graceDays: m.getParameter("graceDays", 3),
      decayDays: m.getParameter("decayDays", 7),
      maxGrowthBpsPerDay: m.getParameter("maxGrowthBpsPerDay", 100),
      feeCapBps: m.getParameter("feeCapBps", 1_000),
      hashpriceDriftBpsPerYear: m.getParameter("hashpriceDriftBpsPerYear", 2_000),
      firstDay: m.getParameter<number>("firstDay"),
      epochStartDay: m.getParameter<number>("epochStartDay"),
      epochStartHeight: m.getParameter<number>("epochStartHeight"),
    },
  ]);
  m.call(morpho, "createMarket", [
    { loanToken, collateralToken: wrapper, oracle: valuation, irm: m.getParameter<string>("irm"), lltv: m.getParameter("lltv", 770_000_000_000_000_000n) },
  ]);
  return { wrapper, valuation };
});
