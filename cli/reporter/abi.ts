/**
 * ABI of `contracts/interfaces/IHashpriceOracle.sol`, in viem's human-readable form so that the reporter runs
 * without a build (artifacts/ is not committed) and viem infers argument and result types.
 * `test/reporter/abi.test.ts` checks it item by item against the compiled interface artifact.
 */
import { parseAbi } from "viem";
import { oracleEventSignatures } from "../../indexer/abi.js";

export const hashpriceOracleAbi = parseAbi([
  "struct DailyReport { uint32 day; uint32 firstHeight; uint16 blocks; uint32 bits; uint64 subsidySats; uint64 feesPerBlockSats; uint64 btcUsdE8; }",
  "struct UptimeReport { address farm; uint32 day; uint16 uptimeBps; }",
  "struct DailyValues { uint8 status; uint32 firstHeight; uint16 blocks; uint32 bits; uint64 subsidySats; uint64 feesPerBlockSats; uint64 btcUsdE8; bool priceFromFeed; uint128 hashpriceE18; }",
  // reports
  "function submitDailyReport(DailyReport report, bytes[] signatures)",
  "function submitUptimeReports(UptimeReport[] reports, bytes[][] signatures)",
  "function confirmPending(uint32 day)",
  "function rejectPending(uint32 day)",
  // governance
  "function proposeReporterSet(address[] reporters, uint8 quorum)",
  "function executeReporterSet()",
  "function cancelReporterSet()",
  // views
  "function hashpriceE18(uint32 day) view returns (uint256)",
  "function btcUsdE8(uint32 day) view returns (uint256)",
  "function uptimeBps(address farm, uint32 day) view returns (uint16)",
  "function hasUptime(address farm, uint32 day) view returns (bool)",
  "function dailyValues(uint32 day) view returns (DailyValues)",
  "function trailingHashprice() view returns (uint256 hashpriceE18_, uint32 day)",
  "function computeHashpriceE18(uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats) pure returns (uint256)",
  "function checkReport(DailyReport report) view returns (uint8 violations)",
  "function feeMedian() view returns (uint64 medianSats, uint8 count)",
  "function reporters() view returns (address[], uint8 quorum)",
  // events (one list with the indexer)
  ...oracleEventSignatures,
  // errors
  "error DayNotEnded(uint32 day)",
  "error AlreadyReported(uint32 day)",
  "error UptimeAlreadyReported(address farm, uint32 day)",
  "error InvalidUptime(uint16 uptimeBps)",
  "error InvalidBits(uint32 bits)",
  "error QuorumNotReached(uint256 valid, uint256 quorum)",
  "error UnknownReporter(address signer)",
  "error SignersNotAscending()",
  "error NotPending(uint32 day)",
  "error NotFinal(uint32 day)",
  "error NoPrice(uint32 day)",
  "error NoUptime(address farm, uint32 day)",
  "error InvalidReporterSet()",
  "error NoProposal()",
  "error TimelockNotElapsed(uint64 eta)",
  "error LengthMismatch()",
]);

/** `IHashpriceOracle.Status`: what is stored for a day. */
export const Status = { None: 0, Pending: 1, Final: 2 } as const;
