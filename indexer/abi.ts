/**
 * Event ABIs of the contracts the indexer follows, written from the agreed interfaces
 * (`contracts/interfaces/*.sol`) plus the OpenZeppelin v5 events the implementations inherit
 * (ERC-1155, ERC-20, AccessControl, Pausable, Ownable2Step), and Morpho Blue's events, which live in its
 * `EventsLib` (solc 0.8.19 leaves library events out of `Morpho`'s ABI). `test/indexer/config.test.ts` checks them
 * against the compiled artifacts and against `EventsLib.sol`.
 */
import { parseAbi } from "viem";

/** Events every OpenZeppelin AccessControl + Pausable contract may emit. */
const accessControlPausable = [
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)",
  "event Paused(address account)",
  "event Unpaused(address account)",
] as const;

/** `ParameterTimelock` events (token, oracle and settlement): guardian-cancellable parameter changes. */
const parameterTimelock = [
  "event ChangeProposed(bytes32 indexed id, bytes data, uint64 eta)",
  "event ChangeExecuted(bytes32 indexed id)",
  "event ChangeCancelled(bytes32 indexed id)",
] as const;

/** `IHashpowerToken` + ERC-1155 events. */
export const tokenAbi = parseAbi([
  "struct SeriesTerms { address farm; address payoutAsset; uint64 hashrateThs; uint32 startDay; uint32 termDays; uint32 efficiencyJPerThE3; uint16 poolFeeBps; uint16 slaBps; uint32 powerCostUsdPerKWhE6; uint32 serviceFeeUsdPerThDayE6; }",
  "event FarmRegistered(address indexed farm, uint64 capacityThs, string name)",
  "event FarmCapacitySet(address indexed farm, uint64 capacityThs)",
  "event SeriesCreated(uint256 indexed id, address indexed farm, SeriesTerms terms)",
  "event Distributed(uint256 indexed id, uint32 indexed day, uint256 amount, uint256 supply, uint256 accPerUnitE36)",
  "event RepaymentDistributed(uint256 indexed id, uint256 amount, uint256 supply, uint256 accPerUnitE36)",
  "event Claimed(address indexed holder, uint256 indexed id, address indexed receiver, address caller, uint256 amount)",
  "event ClaimerSet(address indexed holder, address indexed claimer)",
  "event IssuanceGuardSet(address indexed guard)",
  "event DistributorSet(address indexed distributor)",
  "event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
  "event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
  "event ApprovalForAll(address indexed account, address indexed operator, bool approved)",
  "event URI(string value, uint256 indexed id)",
  ...accessControlPausable,
  ...parameterTimelock,
]);

/** `IHashpriceOracle` events, as declared in the interface (the reporter's ABI reuses them). */
export const oracleEventSignatures = [
  "event DailyReportFinalized(uint32 indexed day, uint32 firstHeight, uint16 blocks, uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats, uint128 hashpriceE18, uint64 btcUsdE8, bool priceFromFeed)",
  "event DailyReportPending(uint32 indexed day, uint32 firstHeight, uint16 blocks, uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats, uint128 hashpriceE18, uint64 btcUsdE8, bool priceFromFeed, uint8 violations)",
  "event DailyReportRejected(uint32 indexed day)",
  "event UptimeReported(address indexed farm, uint32 indexed day, uint16 uptimeBps)",
  "event ReporterSetProposed(address[] reporters, uint8 quorum, uint64 eta)",
  "event ReporterSetChanged(address[] reporters, uint8 quorum)",
  "event ReporterSetCancelled()",
  "event PriceFeedSet(address indexed feed, uint32 heartbeat)",
] as const;

/** `IHashpriceOracle` events, plus those OpenZeppelin's EIP712 and AccessControl declare. */
export const oracleAbi = parseAbi([
  ...oracleEventSignatures,
  "event EIP712DomainChanged()", // ERC-5267, declared by OpenZeppelin's EIP712
  ...accessControlPausable,
  ...parameterTimelock,
]);

/** `ISettlement` events. */
export const settlementAbi = parseAbi([
  "struct Breakdown { uint256 hashpriceE18; uint16 uptimeBps; uint64 btcUsdE8; uint256 grossE18; uint256 poolFeeE18; uint256 downtimeE18; uint256 compensationE18; uint256 electricityE18; uint256 serviceE18; uint256 netE18; uint256 supply; uint256 owed; uint256 fromBalance; uint256 fromCollateral; uint256 compensation; uint256 debtAdded; }",
  "event Deposited(address indexed farm, address indexed asset, address indexed from, uint256 amount)",
  "event FundingWithdrawn(address indexed farm, address indexed asset, address to, uint256 amount)",
  "event CollateralPosted(address indexed farm, address indexed asset, address indexed from, uint256 amount)",
  "event CollateralWithdrawn(address indexed farm, address indexed asset, address to, uint256 amount)",
  "event Settled(uint256 indexed id, uint32 indexed day, address indexed farm, Breakdown b)",
  "event DebtRepaid(uint256 indexed id, address indexed farm, uint256 amount)",
  "event SeriesRegistered(uint256 indexed id, address indexed farm)",
  "event CoverDaysSet(uint16 coverDays)",
  "event SettleSkipped(uint256 indexed id, uint32 indexed day, bytes4 reason)",
  "event DebtWrittenOff(uint256 indexed id, address indexed farm, uint256 amount)",
  ...accessControlPausable,
  ...parameterTimelock,
]);

/** `SeriesWrapperFactory` events. */
export const wrapperFactoryAbi = parseAbi([
  "event WrapperCreated(uint256 indexed id, address indexed wrapper)",
  ...accessControlPausable,
]);

/** `ISeriesWrapper` (accumulating share) + ERC-20 events (one ABI for every wrapper the factory creates). */
export const wrapperAbi = parseAbi([
  "event Wrapped(address indexed from, address indexed to, uint256 units, uint256 sats, uint256 indexE36)",
  "event Unwrapped(address indexed from, address indexed to, uint256 units, uint256 sats, uint256 indexE36)",
  "event Harvested(uint256 amount, uint256 totalHarvested)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event Approval(address indexed owner, address indexed spender, uint256 value)",
]);

/** Morpho Blue's events (`@morpho-org/morpho-blue/src/libraries/EventsLib.sol`; `Id` is bytes32). */
export const morphoAbi = parseAbi([
  "struct MarketParams { address loanToken; address collateralToken; address oracle; address irm; uint256 lltv; }",
  "event SetOwner(address indexed newOwner)",
  "event SetFee(bytes32 indexed id, uint256 newFee)",
  "event SetFeeRecipient(address indexed newFeeRecipient)",
  "event EnableIrm(address indexed irm)",
  "event EnableLltv(uint256 lltv)",
  "event CreateMarket(bytes32 indexed id, MarketParams marketParams)",
  "event Supply(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares)",
  "event Withdraw(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets, uint256 shares)",
  "event Borrow(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets, uint256 shares)",
  "event Repay(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares)",
  "event SupplyCollateral(bytes32 indexed id, address indexed caller, address indexed onBehalf, uint256 assets)",
  "event WithdrawCollateral(bytes32 indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets)",
  "event Liquidate(bytes32 indexed id, address indexed caller, address indexed borrower, uint256 repaidAssets, uint256 repaidShares, uint256 seizedAssets, uint256 badDebtAssets, uint256 badDebtShares)",
  "event FlashLoan(address indexed caller, address indexed token, uint256 assets)",
  "event SetAuthorization(address indexed caller, address indexed authorizer, address indexed authorized, bool newIsAuthorized)",
  "event IncrementNonce(address indexed caller, address indexed authorizer, uint256 usedNonce)",
  "event AccrueInterest(bytes32 indexed id, uint256 prevBorrowRate, uint256 interest, uint256 feeShares)",
]);

/** `ISeriesValuationOracle` events. */
export const valuationOracleAbi = parseAbi([
  "struct Config { address wrapper; address hashpriceOracle; address loanToken; uint16 windowDays; uint16 haircutBps; uint16 maxAgeDays; uint16 graceDays; uint16 decayDays; uint16 maxGrowthBpsPerDay; uint16 feeCapBps; uint16 hashpriceDriftBpsPerYear; uint32 firstDay; uint32 epochStartDay; uint64 epochStartHeight; }",
  "struct DayValuation { uint32 day; uint32 daysUsed; uint32 remainingDays; uint32 halvingDay; uint32 postHalvingDays; uint64 subsidySats; uint64 epochHeight; uint256 avgNetE18; uint256 avgNetHalvedE18; uint256 boundE18; uint256 rawValueE18; uint256 unitValueE18; }",
  "event Configured(uint256 indexed seriesId, Config config, uint8 loanDecimals)",
  "event DayRecorded(uint32 indexed day, DayValuation v, uint256 accruedE18)",
]);

/**
 * The indexed contracts, by role: the core three, and the DeFi ones (the wrapper factory, every wrapper it
 * created, Morpho Blue, and every `SeriesValuationOracle` of the token).
 */
export type ContractName = "token" | "oracle" | "settlement" | "wrapperFactory" | "wrapper" | "morpho" | "valuationOracle";

/** ABI of each contract role. */
export const abis = {
  token: tokenAbi,
  oracle: oracleAbi,
  settlement: settlementAbi,
  wrapperFactory: wrapperFactoryAbi,
  wrapper: wrapperAbi,
  morpho: morphoAbi,
  valuationOracle: valuationOracleAbi,
} as const;
