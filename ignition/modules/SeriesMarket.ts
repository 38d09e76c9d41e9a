/**
 * Hardhat Ignition module: opens a Morpho Blue market with one series as collateral. Creates the series'
 * ERC-20 wrapper through the factory, makes the adapter Morpho's claimer in it (the admin must hold the factory's
 * CLAIMER_ADMIN_ROLE and be the deploying account), deploys the series' `SeriesValuationOracle` (trailing net
 * yield × remaining term, in sats of the loan token) and creates the market (collateral = wrapper).
 *
 * Parameters (module id "SeriesMarket"; see ISeriesValuationOracle.Config):
 *   token, hashpriceOracle, factory, adapter, morpho, irm, loanToken  addresses (required)
 *   seriesId    the series (required)
 *   lltv        WAD, enabled in Morpho (default 0.77e18)
 *   windowDays  trailing window of the valuation, days (default 30)
 *   haircutBps  valuation haircut, bps (default 0)
 *   maxAgeDays  max age of the latest final oracle day, days (default 2)
 *   halvingDay  UTC day of the next halving (required; 0 opts out). Without it the valuation prices the
 *               pre-halving subsidy into days after the halving: measured on the 2024-04-20 halving, a unit
 *               valued 91.3 sats on 2024-04-17 went on to earn 23.6 (3.9×); halving-aware it was 27.7.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ZeroAddress } from "ethers";

export default buildModule("SeriesMarket", (m) => {
  const factory = m.contractAt("SeriesWrapperFactory", m.getParameter<string>("factory"));
  const morpho = m.contractAt("Morpho", m.getParameter<string>("morpho"));
  const seriesId = m.getParameter<bigint>("seriesId");
  const created = m.call(factory, "createWrapper", [seriesId]);
  const wrapperAddress = m.readEventArgument(created, "WrapperCreated", "wrapper");
  const wrapper = m.contractAt("SeriesWrapper", wrapperAddress);
  m.call(wrapper, "setClaimerFor", [morpho, m.getParameter<string>("adapter")]);
  const loanToken = m.getParameter<string>("loanToken");
  const valuation = m.contract("SeriesValuationOracle", [
    {
      token: m.getParameter<string>("token"),
      hashpriceOracle: m.getParameter<string>("hashpriceOracle"),
      seriesId,
      quote: 0, // sats: the loan token is BTC-pegged
      loanToken,
      btcUsdFeed: ZeroAddress,
      feedHeartbeat: 0,
      windowDays: m.getParameter("windowDays", 30),
      haircutBps: m.getParameter("haircutBps", 0),
      maxAgeDays: m.getParameter("maxAgeDays", 2),
      halvingDay: m.getParameter<number>("halvingDay"),
    },
  ]);
  m.call(morpho, "createMarket", [
    { loanToken, collateralToken: wrapper, oracle: valuation, irm: m.getParameter<string>("irm"), lltv: m.getParameter("lltv", 770_000_000_000_000_000n) },
  ]);
  return { wrapper, valuation };
});
