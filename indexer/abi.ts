/**
 * Event ABIs of the contracts the indexer follows, written from the agreed interfaces
 * (`contracts/interfaces/*.sol`) plus the OpenZeppelin v5 events the implementations inherit
 * (ERC-1155, AccessControl, Pausable). `test/indexer/abi.test.ts` checks them against the compiled artifacts.
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
  "event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
  "event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
  "event ApprovalForAll(address indexed account, address indexed operator, bool approved)",
  "event URI(string value, uint256 indexed id)",
  ...accessControlPausable,
]);

/** `IHashpriceOracle` events. */
export const oracleAbi = parseAbi([
  "event DailyReportFinalized(uint32 indexed day, uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats, uint128 hashpriceE18, uint64 btcUsdE8, bool priceFromFeed)",
  "event DailyReportPending(uint32 indexed day, uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats, uint128 hashpriceE18, uint64 btcUsdE8, bool priceFromFeed, uint128 trailingE18)",
  "event DailyReportRejected(uint32 indexed day)",
  "event UptimeReported(address indexed farm, uint32 indexed day, uint16 uptimeBps)",
  "event ReporterSetProposed(address[] reporters, uint8 quorum, uint64 eta)",
  "event ReporterSetChanged(address[] reporters, uint8 quorum)",
  "event ReporterSetCancelled()",
  "event BandSet(uint16 bandBps)",
  "event PriceFeedSet(address indexed feed, uint32 heartbeat)",
  "event EIP712DomainChanged()", // ERC-5267, declared by OpenZeppelin's EIP712
  ...accessControlPausable,
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
  ...accessControlPausable,
]);

/** The three indexed contracts, by role. */
export type ContractName = "token" | "oracle" | "settlement";

/** ABI of each contract role. */
export const abis = { token: tokenAbi, oracle: oracleAbi, settlement: settlementAbi } as const;
