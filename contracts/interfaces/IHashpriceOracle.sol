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
///      computed on-chain from the signed inputs, so anyone can recompute it. Fees per block = the day's fees ÷ its
///      blocks (the FPPS convention).
///      Validation (constant rules, no admin knob): each input is checked against its own bound (`Violation`
///      flags below); a report breaking none is final at once, any other waits for the guardian (pending).
///      Reports are EIP-712 signed (domain: name "HashpriceOracle", version "1", chain id, this contract), so a
///      signature binds chain, contract and day and cannot be replayed. Signatures must come from distinct
///      reporters in strictly ascending signer-address order; at least `quorum` of them.
interface IHashpriceOracle {
    /// @notice Signed daily network report. EIP-712 type:
    /// `DailyReport(uint32 day,uint32 firstHeight,uint16 blocks,uint32 bits,uint64 subsidySats,uint64 feesPerBlockSats,uint64 btcUsdE8)`
    struct DailyReport {
        uint32 day; // UTC day number; must have ended (day < block.timestamp / 86400)
        uint32 firstHeight; // height of the day's first block; the day's heights are [firstHeight, firstHeight + blocks)
        uint16 blocks; // blocks mined that day
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

    /// Violation flags (bit set; `HashpriceOracle.VIOLATION_*`), each the bound of one input. The reference is the
    /// most recent final day R ("trailing"); without one only SUBSIDY and BLOCKS apply.
    ///  - 1 SUBSIDY:  subsidySats is not the subsidy (50 BTC >> (height / 210,000)) of the day's first or last height.
    ///  - 2 BITS:     bits differ from R's though no retarget height (multiple of 2016) lies in the heights of R and
    ///               the day together; or, with k such heights, the target moved more than 4^k× (consensus limit).
    ///  - 4 BLOCKS:   blocks outside [36, 576] (144/4 .. 144·4).
    ///  - 8 FEES:     feesPerBlockSats above 20× or below 1/20 of the lower median of the last 7 final days' fees
    ///               per block (skipped until one day is final).
    ///  - 16 HEIGHTS: the day's heights overlap R's, or (for the day next to R) do not continue them exactly.
    enum Status {
        None,
        Pending, // some input outside its bound (see `Violation` flags): waits for a guardian
        Final
    }

    /// @notice Stored daily values.
    struct DailyValues {
        Status status;
        uint32 firstHeight;
        uint16 blocks;
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
        uint32 firstHeight,
        uint16 blocks,
        uint32 bits,
        uint64 subsidySats,
        uint64 feesPerBlockSats,
        uint128 hashpriceE18,
        uint64 btcUsdE8,
        bool priceFromFeed
    );
    /// @notice A daily report broke the input bounds in `violations` (bit set of `Violation` flags) and waits for a
    ///         guardian.
    event DailyReportPending(
        uint32 indexed day,
        uint32 firstHeight,
        uint16 blocks,
        uint32 bits,
        uint64 subsidySats,
        uint64 feesPerBlockSats,
        uint128 hashpriceE18,
        uint64 btcUsdE8,
        bool priceFromFeed,
        uint8 violations
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
    /// @notice Submits a quorum-signed daily report; anyone may call. Final if `checkReport` finds no violation,
    ///         else pending.
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
    /// @notice Hashprice of the most recent final day (the reference for the next report's checks), × 1e18, and that day.
    function trailingHashprice() external view returns (uint256 hashpriceE18_, uint32 day);
    /// @notice The hashprice formula above: sats per TH/s per day × 1e18 from a header's `bits`, the subsidy and
    ///         fees per block (sats). Reverts `InvalidBits`.
    function computeHashpriceE18(uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats)
        external
        pure
        returns (uint256);
    /// @notice The input bounds `report` breaks against the current state, as a bit set of `Violation` flags
    ///         (0 = none: it would be final). Reverts `InvalidBits`.
    function checkReport(DailyReport calldata report) external view returns (uint8 violations);
    /// @notice Lower median of the fees per block (sats) of the last `count` (≤ 7) days finalized in day order.
    function feeMedian() external view returns (uint64 medianSats, uint8 count);
    /// @notice Current reporters and quorum.
    function reporters() external view returns (address[] memory, uint8 quorum);
}
