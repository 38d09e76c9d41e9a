// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IHashpriceOracle} from "./interfaces/IHashpriceOracle.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {ParameterTimelock} from "./governance/ParameterTimelock.sol";

/// @title HashpriceOracle
/// @notice M-of-N quorum of EIP-712 signed reports: each UTC day's network hashprice (computed on-chain from the
///         signed header `bits`, subsidy and fees), each farm's daily uptime, and BTC/USD (Chainlink feed, backed
///         up by the reporters' signed price). See `IHashpriceOracle` for units and the formula.
/// @dev Trust model:
///  - Reporters: any `quorum` of the N reporters can make a report final (every input within its bound) or
///    pending.
///  - Input bounds (constants, no admin setter; `checkReport`, flags in `IHashpriceOracle`): the subsidy must be
///    the subsidy of the day's heights, `bits` may change from the most recent final day's only across a retarget
///    height and then by at most 4× per retarget (consensus), the block count must lie in [36, 576], fees per
///    block within 20× of the trailing 7-day median, heights must continue the reference day's. A report breaking
///    any bound is never applied silently: it waits for GUARDIAN_ROLE to confirm or reject it. The hashprice
///    itself is not banded: with fees it really moves −50 %..+67 % in a day (2024-04-19 → 2024-04-20).
///  - GUARDIAN_ROLE: confirms/rejects pending reports, cancels reporter-set proposals and timelocked parameter
///    changes. Cannot create values. A rejected report is remembered by its EIP-712 digest and can never be
///    submitted again (`ReportRejected`); a corrected report (other values) is accepted. Only a guardian grants or
///    revokes GUARDIAN_ROLE (`ParameterTimelock`): the admin cannot remove it.
///  - DEFAULT_ADMIN_ROLE: proposes reporter sets (timelocked by the constructor-set `timelockDelay`) and the
///    BTC/USD feed (`ParameterTimelock`, same delay, guardian-cancellable), manages other roles.
///  - Feed: trusted when fresh (`updatedAt` within `heartbeat`, answer > 0); its price at submission time is the
///    day's price. When stale, unset or reverting, the reporters' signed `btcUsdE8` is used.
contract HashpriceOracle is IHashpriceOracle, ParameterTimelock, EIP712 {
    /// @notice EIP-712 type hash of `DailyReport`.
    bytes32 public constant DAILY_REPORT_TYPEHASH = keccak256(
        "DailyReport(uint32 day,uint32 firstHeight,uint16 blocks,uint32 bits,uint64 subsidySats,uint64 feesPerBlockSats,uint64 btcUsdE8)"
    );
    /// @notice EIP-712 type hash of `UptimeReport`.
    bytes32 public constant UPTIME_REPORT_TYPEHASH = keccak256("UptimeReport(address farm,uint32 day,uint16 uptimeBps)");

    /// @notice Violation flags of `checkReport` (see `IHashpriceOracle`).
    uint8 public constant VIOLATION_SUBSIDY = 1;
    uint8 public constant VIOLATION_BITS = 2;
    uint8 public constant VIOLATION_BLOCKS = 4;
    uint8 public constant VIOLATION_FEES = 8;
    uint8 public constant VIOLATION_HEIGHTS = 16;
    /// @notice Fewest and most blocks a day may have without the guardian: 144/4 and 144·4 (real days since
    ///         2010: 58..307).
    uint16 public constant MIN_BLOCKS = 36;
    uint16 public constant MAX_BLOCKS = 576;
    /// @notice Fees per block must lie within ×/÷ FEE_MULTIPLE of the lower median of the last FEE_MEDIAN_DAYS
    ///         final days (real days 2013..2026: 0.23× .. 12.6×, the top being the 2024-04-20 Runes halving day).
    uint8 public constant FEE_MULTIPLE = 20;
    uint8 public constant FEE_MEDIAN_DAYS = 7;
    /// @dev Bitcoin consensus: retarget every 2016 blocks by at most 4× (2 bits of shift); halving every 210,000.
    uint256 private constant RETARGET_INTERVAL = 2016;
    uint256 private constant HALVING_INTERVAL = 210_000;
    uint256 private constant INITIAL_SUBSIDY_SATS = 50e8;
    uint256 private constant BPS = 10_000;
    /// @dev 0xFFFF · 2^208 (difficulty-1 target) · 2^32 (hashes per difficulty unit).
    uint256 private constant MAX_TARGET_NUMERATOR = uint256(0xFFFF) << 240;
    /// @dev 86,400 s/day · 1e12 H/s per TH/s · 1e18 (E18 scale).
    uint256 private constant SECONDS_TH_E18 = 86_400 * 1e12 * 1e18;

    /// @notice Invalid configuration; `field` names it ("admin", "heartbeat", "feed").
    error InvalidConfig(string field);
    /// @notice The guardian rejected this very report (same EIP-712 digest) for `day`; it can never be submitted again.
    error ReportRejected(uint32 day);

    struct Uptime {
        bool reported;
        uint16 bps;
    }

    struct Proposal {
        address[] reporters;
        uint8 quorum;
        uint64 eta; // 0 = no proposal
    }

    /// @notice Seconds between proposing and executing a reporter-set change.
    uint64 public immutable timelockDelay;

    mapping(uint32 day => DailyValues) private _daily;
    mapping(address farm => mapping(uint32 day => Uptime)) private _uptime;

    uint128 private _trailingE18;
    uint32 private _trailingDay;
    bool private _hasTrailing;
    /// @dev Ring of the fees per block of the last FEE_MEDIAN_DAYS days finalized in day order.
    uint64[7] private _recentFees;
    uint8 private _recentCount;
    uint8 private _recentNext;

    /// @notice BTC/USD feed (address(0) = none: the reporters' signed price is used).
    AggregatorV3Interface public priceFeed;
    /// @notice Max age of the feed's answer, seconds: older (or future-dated) answers are stale.
    uint32 public heartbeat;
    uint8 private _feedDecimals;

    address[] private _reporters;
    /// @notice Whether `account` is in the current reporter set.
    mapping(address account => bool) public isReporter;
    uint8 private _quorum;

    Proposal private _proposal;

    /// @notice Whether the guardian rejected the report with this EIP-712 digest (it can never be submitted again).
    mapping(bytes32 digest => bool) public rejectedReports;
    /// @dev EIP-712 digest of the report pending for a day (remembered by `rejectPending`).
    mapping(uint32 day => bytes32) private _pendingDigest;

    /// @param admin DEFAULT_ADMIN_ROLE holder (ideally a multisig or TimelockController).
    /// @param guardian GUARDIAN_ROLE holder.
    /// @param reporters_ initial reporter set (distinct, non-zero; 1..255 addresses).
    /// @param quorum_ signatures required: quorum > n/2 and ≤ n.
    /// @param timelockDelay_ seconds a reporter-set proposal or a parameter change (`ParameterTimelock`) waits.
    /// @param feed BTC/USD feed (address(0) = none); @param heartbeat_ its max age in seconds (> 0 when feed set).
    constructor(
        address admin,
        address guardian,
        address[] memory reporters_,
        uint8 quorum_,
        uint64 timelockDelay_,
        AggregatorV3Interface feed,
        uint32 heartbeat_
    ) EIP712("HashpriceOracle", "1") ParameterTimelock(guardian, timelockDelay_) {
        if (admin == address(0)) revert InvalidConfig("admin");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        timelockDelay = timelockDelay_;
        _validateReporterSet(reporters_, quorum_);
        _setReporters(reporters_, quorum_);
        _setPriceFeed(feed, heartbeat_);
    }

    // ------------------------------------------------------------------ reports

    /// @inheritdoc IHashpriceOracle
    function submitDailyReport(DailyReport calldata report, bytes[] calldata signatures) external {
        uint32 day = report.day;
        _requireEnded(day);
        if (_daily[day].status != Status.None) revert AlreadyReported(day);
        uint256 hp = computeHashpriceE18(report.bits, report.subsidySats, report.feesPerBlockSats);
        bytes32 digest = _dailyDigest(report);
        if (rejectedReports[digest]) revert ReportRejected(day);
        _verifyQuorum(digest, signatures);

        (uint64 price, bool fromFeed) = _feedPrice();
        if (!fromFeed) {
            if (report.btcUsdE8 == 0) revert NoPrice(day);
            price = report.btcUsdE8;
        }
        uint8 violations = checkReport(report);
        _daily[day] = DailyValues({
            status: violations == 0 ? Status.Final : Status.Pending,
            firstHeight: report.firstHeight,
            blocks: report.blocks,
            bits: report.bits,
            subsidySats: report.subsidySats,
            feesPerBlockSats: report.feesPerBlockSats,
            btcUsdE8: price,
            priceFromFeed: fromFeed,
            hashpriceE18: SafeCast.toUint128(hp)
        });
        if (violations == 0) {
            _finalize(day, _daily[day]);
        } else {
            _pendingDigest[day] = digest;
            _emitPending(day, _daily[day], violations);
        }
    }

    /// @inheritdoc IHashpriceOracle
    function submitUptimeReports(UptimeReport[] calldata reports, bytes[][] calldata signatures) external {
        if (reports.length != signatures.length) revert LengthMismatch();
        for (uint256 i; i < reports.length; ++i) {
            UptimeReport calldata r = reports[i];
            _requireEnded(r.day);
            if (r.uptimeBps > BPS) revert InvalidUptime(r.uptimeBps);
            Uptime storage u = _uptime[r.farm][r.day];
            if (u.reported) revert UptimeAlreadyReported(r.farm, r.day);
            bytes32 digest =
                _hashTypedDataV4(keccak256(abi.encode(UPTIME_REPORT_TYPEHASH, r.farm, r.day, r.uptimeBps)));
            _verifyQuorum(digest, signatures[i]);
            u.reported = true;
            u.bps = r.uptimeBps;
            emit UptimeReported(r.farm, r.day, r.uptimeBps);
        }
    }

    /// @inheritdoc IHashpriceOracle
    function confirmPending(uint32 day) external onlyRole(GUARDIAN_ROLE) {
        DailyValues storage v = _daily[day];
        if (v.status != Status.Pending) revert NotPending(day);
        v.status = Status.Final;
        delete _pendingDigest[day];
        _finalize(day, v);
    }

    /// @inheritdoc IHashpriceOracle
    /// @dev Remembers the rejected report's digest: the same report reverts `ReportRejected` forever after.
    function rejectPending(uint32 day) external onlyRole(GUARDIAN_ROLE) {
        if (_daily[day].status != Status.Pending) revert NotPending(day);
        rejectedReports[_pendingDigest[day]] = true;
        delete _pendingDigest[day];
        delete _daily[day];
        emit DailyReportRejected(day);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IHashpriceOracle
    /// @dev Replaces any earlier proposal (with a fresh eta = now + `timelockDelay`). Reverts `InvalidReporterSet`
    ///      (empty, > 255, zero or duplicate address, quorum ≤ n/2 or > n).
    function proposeReporterSet(address[] calldata reporters_, uint8 quorum_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _validateReporterSet(reporters_, quorum_);
        uint64 eta = uint64(block.timestamp) + timelockDelay;
        _proposal = Proposal({reporters: reporters_, quorum: quorum_, eta: eta});
        emit ReporterSetProposed(reporters_, quorum_, eta);
    }

    /// @inheritdoc IHashpriceOracle
    function executeReporterSet() external {
        Proposal storage p = _proposal;
        uint64 eta = p.eta;
        if (eta == 0) revert NoProposal();
        if (block.timestamp < eta) revert TimelockNotElapsed(eta);
        address[] memory next = p.reporters;
        uint8 q = p.quorum;
        delete _proposal;
        _setReporters(next, q);
    }

    /// @inheritdoc IHashpriceOracle
    function cancelReporterSet() external {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender) && !hasRole(GUARDIAN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, GUARDIAN_ROLE);
        }
        if (_proposal.eta == 0) revert NoProposal();
        delete _proposal;
        emit ReporterSetCancelled();
    }

    /// @notice Sets the BTC/USD feed (address(0) = none: reporters' price only) and its heartbeat in seconds
    ///         (> 0 when a feed is set). Reads the feed's `decimals()` once (≤ 36). Timelocked: DEFAULT_ADMIN_ROLE
    ///         proposes `abi.encodeCall(this.setPriceFeed, (feed, heartbeat))` (`proposeChange`), GUARDIAN_ROLE may
    ///         cancel, the admin executes it after `parameterDelay` (`executeChange`).
    /// @dev Reverts `NotTimelocked` when called directly, `InvalidConfig("heartbeat")`, `InvalidConfig("feed")`.
    ///      Emits `PriceFeedSet`.
    function setPriceFeed(AggregatorV3Interface feed, uint32 heartbeat_) external onlyTimelock {
        _setPriceFeed(feed, heartbeat_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IHashpriceOracle
    function hashpriceE18(uint32 day) external view returns (uint256) {
        DailyValues storage v = _daily[day];
        if (v.status != Status.Final) revert NotFinal(day);
        return v.hashpriceE18;
    }

    /// @inheritdoc IHashpriceOracle
    function btcUsdE8(uint32 day) external view returns (uint256) {
        DailyValues storage v = _daily[day];
        if (v.status != Status.Final) revert NotFinal(day);
        return v.btcUsdE8;
    }

    /// @inheritdoc IHashpriceOracle
    function uptimeBps(address farm, uint32 day) external view returns (uint16) {
        Uptime storage u = _uptime[farm][day];
        if (!u.reported) revert NoUptime(farm, day);
        return u.bps;
    }

    /// @inheritdoc IHashpriceOracle
    function hasUptime(address farm, uint32 day) external view returns (bool) {
        return _uptime[farm][day].reported;
    }

    /// @inheritdoc IHashpriceOracle
    function dailyValues(uint32 day) external view returns (DailyValues memory) {
        return _daily[day];
    }

    /// @inheritdoc IHashpriceOracle
    function trailingHashprice() external view returns (uint256 hashpriceE18_, uint32 day) {
        return (_trailingE18, _trailingDay);
    }

    /// @inheritdoc IHashpriceOracle
    /// @dev hashpriceE18 = (subsidy + fees) · 86,400 · 1e12 · 1e18 · target / (0xFFFF · 2^240), one floor
    ///      division via `Math.mulDiv` (512-bit intermediate); bit-identical to `domain/hashprice.ts`.
    function computeHashpriceE18(uint32 bits, uint64 subsidySats, uint64 feesPerBlockSats)
        public
        pure
        returns (uint256)
    {
        uint256 reward = uint256(subsidySats) + feesPerBlockSats;
        return Math.mulDiv(reward * SECONDS_TH_E18, targetFromBits(bits), MAX_TARGET_NUMERATOR);
    }

    /// @inheritdoc IHashpriceOracle
    /// @dev Sources: subsidy schedule and 2016-block retarget with the ×4/÷4 clamp are Bitcoin Core's
    ///      `GetBlockSubsidy` and `CalculateNextWorkRequired`; the lower target bound allows the compact encoding's
    ///      truncation (< 2^-15 relative). Blocks = 0 is a BLOCKS violation (its heights count as [first, first]).
    function checkReport(DailyReport calldata report) public view returns (uint8 violations) {
        uint256 first = report.firstHeight;
        uint256 last = first + (report.blocks == 0 ? 0 : report.blocks - 1);
        if (report.subsidySats != subsidyAt(first) && report.subsidySats != subsidyAt(last)) {
            violations |= VIOLATION_SUBSIDY;
        }
        if (report.blocks < MIN_BLOCKS || report.blocks > MAX_BLOCKS) violations |= VIOLATION_BLOCKS;
        if (!_hasTrailing) return violations;

        DailyValues storage r = _daily[_trailingDay];
        uint256 refFirst = r.firstHeight;
        uint256 refLast = refFirst + (r.blocks == 0 ? 0 : r.blocks - 1);
        if (report.day > _trailingDay) {
            if (first <= refLast || (report.day == _trailingDay + 1 && first != refLast + 1)) {
                violations |= VIOLATION_HEIGHTS;
            }
        } else if (last >= refFirst || (report.day + 1 == _trailingDay && last + 1 != refFirst)) {
            violations |= VIOLATION_HEIGHTS;
        }
        if (report.bits != r.bits) {
            uint256 lo = Math.min(first, refFirst);
            uint256 hi = Math.max(last, refLast);
            // retarget heights (multiples of 2016) in [lo, hi]
            uint256 k = hi / RETARGET_INTERVAL + 1 - Math.ceilDiv(lo, RETARGET_INTERVAL);
            if (k == 0 || !_withinRetargets(targetFromBits(report.bits), targetFromBits(r.bits), Math.min(k, 32))) {
                violations |= VIOLATION_BITS;
            }
        }
        (uint64 median, uint8 n) = feeMedian();
        if (n > 0) {
            uint256 fees = report.feesPerBlockSats;
            if (fees > uint256(median) * FEE_MULTIPLE || fees * FEE_MULTIPLE < median) violations |= VIOLATION_FEES;
        }
    }

    /// @inheritdoc IHashpriceOracle
    function feeMedian() public view returns (uint64 medianSats, uint8 count) {
        count = _recentCount;
        if (count == 0) return (0, 0);
        uint64[] memory v = new uint64[](count);
        for (uint256 i; i < count; ++i) {
            uint64 x = _recentFees[i];
            uint256 j = i;
            for (; j > 0 && v[j - 1] > x; --j) {
                v[j] = v[j - 1];
            }
            v[j] = x;
        }
        medianSats = v[(count - 1) / 2];
    }

    /// @notice Block subsidy at `height`, sats: 50 BTC halved every 210,000 blocks (Bitcoin Core `GetBlockSubsidy`).
    function subsidyAt(uint256 height) public pure returns (uint256) {
        uint256 halvings = height / HALVING_INTERVAL;
        return halvings >= 64 ? 0 : INITIAL_SUBSIDY_SATS >> halvings;
    }

    /// @notice Decodes Bitcoin's compact `nBits` into the 256-bit target (Bitcoin Core `arith_uint256::SetCompact`).
    /// @dev Reverts `InvalidBits` on a negative (sign bit set), zero or overflowing (≥ 2^256) target.
    function targetFromBits(uint32 bits) public pure returns (uint256 target) {
        uint256 exponent = bits >> 24;
        uint256 mantissa = bits & 0x007fffff;
        if (bits & 0x00800000 != 0 || mantissa == 0) revert InvalidBits(bits);
        if (exponent <= 3) {
            target = mantissa >> (8 * (3 - exponent));
        } else {
            uint256 shift = 8 * (exponent - 3);
            if (shift >= 256) revert InvalidBits(bits);
            target = mantissa << shift;
            if (target >> shift != mantissa) revert InvalidBits(bits);
        }
        if (target == 0) revert InvalidBits(bits);
    }

    /// @inheritdoc IHashpriceOracle
    function reporters() external view returns (address[] memory, uint8 quorum) {
        return (_reporters, _quorum);
    }

    /// @notice The pending reporter-set proposal (eta 0 = none).
    function proposal() external view returns (address[] memory reporters_, uint8 quorum, uint64 eta) {
        return (_proposal.reporters, _proposal.quorum, _proposal.eta);
    }

    /// @notice The EIP-712 domain separator (chain id and this contract bound in).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice BTC/USD × 1e8 from the feed now, and whether it is usable (fresh, > 0, fits 64 bits).
    function feedPrice() external view returns (uint64 priceE8, bool fresh) {
        return _feedPrice();
    }

    // ------------------------------------------------------------------ internals

    function _requireEnded(uint32 day) private view {
        if (day >= block.timestamp / 1 days) revert DayNotEnded(day);
    }

    /// @dev Signatures must be ≥ quorum, recover to reporters, in strictly ascending address order.
    function _verifyQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 q = _quorum;
        if (signatures.length < q) revert QuorumNotReached(signatures.length, q);
        address prev;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!isReporter[signer]) revert UnknownReporter(signer);
            if (signer <= prev) revert SignersNotAscending();
            prev = signer;
        }
    }

    /// @dev EIP-712 digest of `report` (`DAILY_REPORT_TYPEHASH`).
    function _dailyDigest(DailyReport calldata report) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    DAILY_REPORT_TYPEHASH,
                    report.day,
                    report.firstHeight,
                    report.blocks,
                    report.bits,
                    report.subsidySats,
                    report.feesPerBlockSats,
                    report.btcUsdE8
                )
            )
        );
    }

    /// @dev Whether `target` is within 4^k× of `ref` (k retargets), the lower side less the compact truncation.
    function _withinRetargets(uint256 target, uint256 ref, uint256 k) private pure returns (bool) {
        uint256 s = 2 * k;
        return target <= ref << s && target << s >= ref - (ref >> 15);
    }

    function _finalize(uint32 day, DailyValues storage v) private {
        if (!_hasTrailing || day > _trailingDay) {
            _trailingE18 = v.hashpriceE18;
            _trailingDay = day;
            _hasTrailing = true;
            uint8 next = _recentNext;
            _recentFees[next] = v.feesPerBlockSats;
            _recentNext = (next + 1) % FEE_MEDIAN_DAYS;
            if (_recentCount < FEE_MEDIAN_DAYS) ++_recentCount;
        }
        emit DailyReportFinalized(
            day,
            v.firstHeight,
            v.blocks,
            v.bits,
            v.subsidySats,
            v.feesPerBlockSats,
            v.hashpriceE18,
            v.btcUsdE8,
            v.priceFromFeed
        );
    }

    function _emitPending(uint32 day, DailyValues storage v, uint8 violations) private {
        emit DailyReportPending(
            day,
            v.firstHeight,
            v.blocks,
            v.bits,
            v.subsidySats,
            v.feesPerBlockSats,
            v.hashpriceE18,
            v.btcUsdE8,
            v.priceFromFeed,
            violations
        );
    }

    /// @dev (price × 1e8, true) when the feed is set, answers > 0, is not from the future, is at most `heartbeat`
    ///      old and fits 64 bits after scaling; (0, false) otherwise, including when the feed reverts.
    function _feedPrice() private view returns (uint64, bool) {
        AggregatorV3Interface feed = priceFeed;
        if (address(feed) == address(0)) return (0, false);
        try feed.latestRoundData() returns (uint80, int256 answer, uint256, uint256 updatedAt, uint80) {
            if (answer <= 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > heartbeat) {
                return (0, false);
            }
            uint256 d = _feedDecimals;
            uint256 scaled = d >= 8 ? uint256(answer) / 10 ** (d - 8) : uint256(answer) * 10 ** (8 - d);
            if (scaled == 0 || scaled > type(uint64).max) return (0, false);
            return (uint64(scaled), true);
        } catch {
            return (0, false);
        }
    }

    function _validateReporterSet(address[] memory set, uint8 quorum_) private pure {
        uint256 n = set.length;
        if (n == 0 || n > type(uint8).max || quorum_ > n || uint256(quorum_) * 2 <= n) revert InvalidReporterSet();
        for (uint256 i; i < n; ++i) {
            if (set[i] == address(0)) revert InvalidReporterSet();
            for (uint256 j; j < i; ++j) {
                if (set[j] == set[i]) revert InvalidReporterSet();
            }
        }
    }

    function _setReporters(address[] memory set, uint8 quorum_) private {
        address[] storage old = _reporters;
        for (uint256 i; i < old.length; ++i) {
            isReporter[old[i]] = false;
        }
        _reporters = set;
        for (uint256 i; i < set.length; ++i) {
            isReporter[set[i]] = true;
        }
        _quorum = quorum_;
        emit ReporterSetChanged(set, quorum_);
    }

    function _setPriceFeed(AggregatorV3Interface feed, uint32 heartbeat_) private {
        uint8 d;
        if (address(feed) != address(0)) {
            if (heartbeat_ == 0) revert InvalidConfig("heartbeat");
            d = feed.decimals();
            if (d > 36) revert InvalidConfig("feed");
        }
        priceFeed = feed;
        heartbeat = heartbeat_;
        _feedDecimals = d;
        emit PriceFeedSet(address(feed), heartbeat_);
    }
}
