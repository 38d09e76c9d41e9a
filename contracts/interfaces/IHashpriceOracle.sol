// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHashpriceOracle
/// @notice M-of-N reporter quorum for the network's daily hashprice (with its inputs) and each farm's daily
///         uptime; BTC/USD from a Chainlink `AggregatorV3Interface` feed with a staleness check, backed up by
///         the reporters' signed price.
/// @dev Units: day = UTC day number (`unix seconds / 86400`); hashprice = gross sats per TH/s per day × 1e18
///      (`E18`); uptime in bps of the promised hashrate (0..10000); BTC/USD × 1e8 (`E8`, Chainlink's 8 decimals).
///      Hashprice formula (shared/data/README.md; difficulty as in Bitcoin Core's `GetDifficulty`):
///        difficulty      = 0xFFFF · 2^208 / target(bits)
///        hashprice sats  = (subsidySats + feesPerBlockSats) · 86400 · 1e12 / (difficulty · 2^32)
///      computed on-chain from the signed inputs, so anyone can recompute it.
///      Reports are EIP-712 signed (domain: name "HashpriceOracle", version "1", chain id, this contract), so a
///      signature binds chain, contract and day and cannot be replayed. Signatures must come from distinct
///      reporters in strictly ascending signer-address order; at least `quorum` of them.
interface IHashpriceOracle {
    /// @notice Signed daily network report. EIP-712 type:
    /// `DailyReport(uint32 day,uint32 bits,uint64 subsidySats,uint64 feesPerBlockSats,uint64 btcUsdE8)`
    struct DailyReport {
        uint32 day; // UTC day number; must have ended (day < block.timestamp / 86400)
        uint32 bits; // compact difficulty target in force at the end of the day (Bitcoin header `nBits`)
        uint64 subsidySats; // block subsidy, sats
        uint64 feesPerBlockSats; // mean transaction fees per block over the day, sats
        uint64 btcUsdE8; // reporters' BTC/USD × 1e8; backs up the Chainlink feed when stale (0 = none)
    }

    /// @notice Signed farm uptime report. EIP-712 type: `UptimeReport(address farm,uint32 day,uint16 uptimeBps)`
    struct UptimeReport {
        address farm;
        uint32 day; // must have ended
        uint16 uptimeBps; // delivered hashrate, bps of promised (0..10000)
    }

    enum Status {
        None,
        Pending, // outside the band around the trailing value: waits for a guardian
        Final
    }

    /// @notice Stored daily values.
    struct DailyValues {
        Status status;
        uint32 bits;
        uint64 subsidySats;
        uint64 feesPerBlockSats;
        uint64 btcUsdE8; // price applied for the day (feed if fresh at submission, else reporters')
        bool priceFromFeed; // true when btcUsdE8 came from the Chainlink feed
        uint128 hashpriceE18; // sats per TH/s per day × 1e18
    }

    // ------------------------------------------------------------------ events
    /// @notice A daily report became final (directly, or by guardian confirmation).
    event DailyReportFinalized(
        uint32 indexed day,
        uint32 bits,
        uint64 subsidySats,
        uint64 feesPerBlockSats,
        uint128 hashpriceE18,
        uint64 btcUsdE8,
        bool priceFromFeed
    );
    /// @notice A daily report fell outside the band around `trailingE18` and waits for a guardian.
    event DailyReportPending(
        uint32 indexed day,
        uint32 bits,
        uint64 subsidySats,
        uint64 feesPerBlockSats,
        uint128 hashpriceE18,
        uint64 btcUsdE8,
        bool priceFromFeed,
        uint128 trailingE18
    );
    /// @notice A guardian rejected the pending report of `day`; a new report may be submitted.
    event DailyReportRejected(uint32 indexed day);
    /// @notice A farm's uptime for `day` became final.
    event UptimeReported(address indexed farm, uint32 indexed day, uint16 uptimeBps);
    /// @notice A new reporter set was proposed; it may be executed at `eta`.
    event ReporterSetProposed(address[] reporters, uint8 quorum, uint64 eta);
    /// @notice The proposed reporter set is now in force.
    event ReporterSetChanged(address[] reporters, uint8 quorum);
    /// @notice The proposed reporter set was cancelled.
    event ReporterSetCancelled();
    /// @notice The band (bps) around the trailing hashprice outside which reports are held pending.
    event BandSet(uint16 bandBps);
    /// @notice The BTC/USD feed and its heartbeat (seconds) were set.
    event PriceFeedSet(address indexed feed, uint32 heartbeat);

    // ------------------------------------------------------------------ errors
    error DayNotEnded(uint32 day);
    error AlreadyReported(uint32 day);
    error UptimeAlreadyReported(address farm, uint32 day);
    error InvalidUptime(uint16 uptimeBps);
    error InvalidBits(uint32 bits);
    error QuorumNotReached(uint256 valid, uint256 quorum);
    error UnknownReporter(address signer);
    error SignersNotAscending();
    error NotPending(uint32 day);
    error NotFinal(uint32 day);
    error NoPrice(uint32 day);
    error NoUptime(address farm, uint32 day);
    error InvalidReporterSet();
    error NoProposal();
    error TimelockNotElapsed(uint64 eta);
    error LengthMismatch();

    // ------------------------------------------------------------------ reports
    /// @notice Submits a quorum-signed daily report; anyone may call. Final if within the band, else pending.
    /// @dev Reverts `DayNotEnded`, `AlreadyReported` (final or pending), `InvalidBits`, `QuorumNotReached`,
    ///      `UnknownReporter`, `SignersNotAscending`, `NoPrice` (feed stale and no reporter price).
    function submitDailyReport(DailyReport calldata report, bytes[] calldata signatures) external;
    /// @notice Submits quorum-signed uptime reports; anyone may call. `signatures[i]` signs `reports[i]`.
    /// @dev Reverts `DayNotEnded`, `UptimeAlreadyReported`, `InvalidUptime`, `QuorumNotReached`, `LengthMismatch`, ...
    function submitUptimeReports(UptimeReport[] calldata reports, bytes[][] calldata signatures) external;
    /// @notice GUARDIAN_ROLE confirms the pending report of `day`, making it final. Reverts `NotPending`.
    function confirmPending(uint32 day) external;
    /// @notice GUARDIAN_ROLE rejects the pending report of `day`, clearing it. Reverts `NotPending`.
    function rejectPending(uint32 day) external;

    // ------------------------------------------------------------------ governance (timelocked)
    /// @notice DEFAULT_ADMIN_ROLE proposes a reporter set and quorum (quorum > n/2, ≤ n); executable after the delay.
    function proposeReporterSet(address[] calldata reporters, uint8 quorum) external;
    /// @notice Anyone executes the proposal once its eta has passed. Reverts `NoProposal`, `TimelockNotElapsed`.
    function executeReporterSet() external;
    /// @notice DEFAULT_ADMIN_ROLE or GUARDIAN_ROLE cancels the proposal.
    function cancelReporterSet() external;

    // ------------------------------------------------------------------ views
    /// @notice Final hashprice of `day`, sats per TH/s per day × 1e18. Reverts `NotFinal`.
    function hashpriceE18(uint32 day) external view returns (uint256);
    /// @notice Final BTC/USD of `day` × 1e8. Reverts `NotFinal`.
    function btcUsdE8(uint32 day) external view returns (uint256);
    /// @notice Final uptime of `farm` on `day`, bps. Reverts `NoUptime`.
    function uptimeBps(address farm, uint32 day) external view returns (uint16);
    /// @notice Whether `farm`'s uptime for `day` is final.
    function hasUptime(address farm, uint32 day) external view returns (bool);
    /// @notice Everything stored for `day` (status None when nothing).
    function dailyValues(uint32 day) external view returns (DailyValues memory);
    /// @notice Hashprice of the most recent final day (the trailing value for the band), × 1e18, and that day.
    function trailingHashprice() external view returns (uint256 hashpriceE18_, uint32 day);
    /// @notice The hashprice formula above: sats per TH/s per day × 1e18 from a header's `bits`, the subsidy and
    ///         fees per block (sats). Reverts `InvalidBits`.
    function computeHashpriceE18(uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats)
        external
        pure
        returns (uint256);
    /// @notice Current reporters and quorum.
    function reporters() external view returns (address[] memory, uint8 quorum);
}
