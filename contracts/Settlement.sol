// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ParameterTimelock} from "./governance/ParameterTimelock.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";
import {IHashpowerToken} from "./interfaces/IHashpowerToken.sol";
import {IHashpriceOracle} from "./interfaces/IHashpriceOracle.sol";
import {PayoutMath} from "./libraries/PayoutMath.sol";

/// @title Settlement
/// @notice Holds farms' payout balances and collateral per (farm, asset), settles each (series, day) from the
///         oracle's final reports into a payout distributed by the token, and guards issuance with a collateral
///         check. The formula and the draw order are `ISettlement`'s, bit-identical to
///         `domain/settlement.ts` (`perThDay`, `owedForDay`, `draw`); the per-TH/s·day formula itself is
///         `PayoutMath.perThDay`.
/// @dev Record-date rule: a day's yield is credited, through the token's accumulator, to whoever holds the units
///      at the moment the day is settled (`supply` in the breakdown is the supply at that moment), not to who held
///      them during the day; a debt repayment likewise goes to the holders at the time of the deposit that repays
///      it. Settling is permissionless, so anyone can fix the record date as soon as the day's reports are final.
///
///      Roles: this contract must be the token's `distributor` and issuance guard. DEFAULT_ADMIN_ROLE only
///      proposes `coverDays` changes, which wait `parameterDelay` and which GUARDIAN_ROLE can cancel
///      (`ParameterTimelock`). Nobody can move a farm's funds except the farm (withdrawals) and settlement.
///      Assets are plain ERC-20s with 8 decimals (no fee-on-transfer, no rebasing).
///
///      Debt write-off: debt owed to a series whose supply is 0 is written off (`writeOffDebt`, and by a deposit
///      that reaches it), since no holder exists to be owed it; otherwise `farmDebt` would never return to 0 and
///      the farm's collateral in that asset would be frozen forever. Holders who burned had been credited every
///      settled day before burning; what they give up by burning is their share of unrepaid debt.
contract Settlement is ISettlement, ParameterTimelock, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The series was not registered here at creation (this contract was not the token's guard then).
    error UnregisteredSeries(uint256 id);
    /// @notice Invalid constructor argument; `field` names it.
    error InvalidConfig(string field);

    uint256 private constant E18 = 1e18;

    /// @notice The hash-power token whose series this contract settles.
    IHashpowerToken public immutable token;
    /// @notice The oracle whose final reports are settled.
    IHashpriceOracle public immutable oracle;

    /// @notice Hashprice (sats per TH/s per day × 1e18) `requiredCollateral` uses while the oracle has no final day.
    uint256 public immutable bootstrapHashpriceE18;

    /// @notice Days of expected payouts the collateral must cover (see `requiredCollateral`).
    uint16 public coverDays;

    /// @dev Per-series book: unpaid debt (sats) and how many of its days have been settled.
    struct Book {
        uint224 debt;
        uint32 settledDays;
    }

    mapping(address farm => mapping(address asset => uint256)) private _balance;
    mapping(address farm => mapping(address asset => uint256)) private _collateral;
    /// @notice Sum of `farm`'s debts to its series paid in `asset`, sats.
    mapping(address farm => mapping(address asset => uint256)) public farmDebt;
    mapping(address farm => uint256[]) private _farmSeries;
    mapping(uint256 id => IHashpowerToken.SeriesTerms) private _terms;
    mapping(uint256 id => Book) private _book;

    /// @param admin DEFAULT_ADMIN_ROLE (proposes coverDays changes); @param guardian GUARDIAN_ROLE (cancels them);
    /// @param delay seconds a change waits; @param token_ the token; @param oracle_ the oracle;
    /// @param coverDays_ days of expected payouts collateral must cover;
    /// @param bootstrapHashpriceE18_ hashprice (sats per TH/s per day × 1e18, > 0) used for collateral until the
    ///        oracle's first final day. Reverts `InvalidConfig` naming the field, `ZeroGuardian`.
    constructor(
        address admin,
        address guardian,
        uint64 delay,
        IHashpowerToken token_,
        IHashpriceOracle oracle_,
        uint16 coverDays_,
        uint256 bootstrapHashpriceE18_
    ) ParameterTimelock(guardian, delay) {
        if (admin == address(0)) revert InvalidConfig("admin");
        if (address(token_) == address(0)) revert InvalidConfig("token");
        if (address(oracle_) == address(0)) revert InvalidConfig("oracle");
        if (bootstrapHashpriceE18_ == 0) revert InvalidConfig("bootstrapHashpriceE18");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
        oracle = oracle_;
        bootstrapHashpriceE18 = bootstrapHashpriceE18_;
        coverDays = coverDays_;
        emit CoverDaysSet(coverDays_);
    }

    // ------------------------------------------------------------------ issuance guard

    /// @notice Issuance guard, called by the token on `createSeries` for the series `id` about to be created.
    /// @dev Only the token (reverts `OnlyToken`). Records the series and its terms, then requires the farm's
    ///      collateral in the payout asset to cover `requiredCollateral` including the new series. Reverts
    ///      `UnsupportedAsset` unless the payout asset reports 8 decimals, `InsufficientCollateral`.
    function checkNewSeries(uint256 id, IHashpowerToken.SeriesTerms calldata terms) external {
        if (msg.sender != address(token)) revert OnlyToken();
        address asset = terms.payoutAsset;
        if (asset.code.length == 0) revert UnsupportedAsset(asset);
        try IERC20Metadata(asset).decimals() returns (uint8 d) {
            if (d != 8) revert UnsupportedAsset(asset);
        } catch {
            revert UnsupportedAsset(asset);
        }
        _terms[id] = terms;
        _farmSeries[terms.farm].push(id);
        emit SeriesRegistered(id, terms.farm);
        uint256 required = requiredCollateral(terms.farm, asset);
        uint256 have = _collateral[terms.farm][asset];
        if (have < required) revert InsufficientCollateral(terms.farm, have, required);
    }

    // ------------------------------------------------------------------ funds

    /// @inheritdoc ISettlement
    /// @dev Debts of `farm`'s series in `asset` are repaid first, oldest series first, each through the token's
    ///      `distributeRepayment`; the debt of a series with no supply is written off (`DebtWrittenOff`). Reverts `ZeroAmount`,
    ///      `NotFarm(address(0))`. While the token is paused, a deposit that would repay debt reverts.
    function deposit(address farm, address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (farm == address(0)) revert NotFarm(farm);
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(farm, asset, msg.sender, amount);
        uint256 rest = amount;
        if (farmDebt[farm][asset] != 0) rest = _repay(farm, asset, rest);
        if (rest != 0) _balance[farm][asset] += rest;
    }

    /// @inheritdoc ISettlement
    /// @dev Reverts `ZeroAmount`, `InsufficientBalance(have, requested)`.
    function withdrawFunding(address asset, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 have = _balance[msg.sender][asset];
        if (amount > have) revert InsufficientBalance(have, amount);
        _balance[msg.sender][asset] = have - amount;
        emit FundingWithdrawn(msg.sender, asset, to, amount);
        IERC20(asset).safeTransfer(to, amount);
    }

    /// @inheritdoc ISettlement
    /// @dev Reverts `ZeroAmount`, `NotFarm(address(0))`.
    function postCollateral(address farm, address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (farm == address(0)) revert NotFarm(farm);
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        _collateral[farm][asset] += amount;
        emit CollateralPosted(farm, asset, msg.sender, amount);
    }

    /// @inheritdoc ISettlement
    /// @dev Reverts `ZeroAmount`, `OutstandingDebt(farm, debt)`, `InsufficientBalance(have, requested)` when more
    ///      than posted, `InsufficientCollateral(farm, left, required)` when what is left would not cover
    ///      `requiredCollateral`.
    function withdrawCollateral(address asset, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 d = farmDebt[msg.sender][asset];
        if (d != 0) revert OutstandingDebt(msg.sender, d);
        uint256 have = _collateral[msg.sender][asset];
        if (amount > have) revert InsufficientBalance(have, amount);
        uint256 left = have - amount;
        uint256 required = requiredCollateral(msg.sender, asset);
        if (left < required) revert InsufficientCollateral(msg.sender, left, required);
        _collateral[msg.sender][asset] = left;
        emit CollateralWithdrawn(msg.sender, asset, to, amount);
        IERC20(asset).safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc ISettlement
    /// @dev Per pair: skips it with `SettleSkipped(id, day, AlreadySettled.selector)` when already settled; else
    ///      checks (registered, inside the term, oracle final, uptime reported), computes
    ///      the `Breakdown`, draws compensation ← collateral, rest ← payout balance, shortfall ← collateral, records
    ///      the remainder as debt, and calls `token.distribute(id, day, paid)` with paid = owed − debtAdded.
    ///      Also reverts `UnregisteredSeries`.
    function settle(uint256[] calldata ids, uint32[] calldata dayList) external nonReentrant {
        if (ids.length != dayList.length) revert LengthMismatch();
        for (uint256 i; i < ids.length; ++i) {
            _settle(ids[i], dayList[i]);
        }
    }

    /// @inheritdoc ISettlement
    /// @dev Permissionless; emits `DebtWrittenOff`.
    function writeOffDebt(uint256 id) external nonReentrant {
        uint256 d = _book[id].debt;
        if (d == 0 || token.totalSupply(id) != 0) revert NothingToWriteOff(id);
        _writeOff(id, d);
    }

    /// @inheritdoc ISettlement
    /// @dev Reverts `NotTimelocked` when called directly. Emits `CoverDaysSet`.
    function setCoverDays(uint16 coverDays_) external onlyTimelock {
        coverDays = coverDays_;
        emit CoverDaysSet(coverDays_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISettlement
    function quote(uint256 id, uint32 day) external view returns (Breakdown memory b) {
        (b,) = _quote(id, day);
    }

    /// @inheritdoc ISettlement
    function payoutBalance(address farm, address asset) external view returns (uint256) {
        return _balance[farm][asset];
    }

    /// @inheritdoc ISettlement
    function collateral(address farm, address asset) external view returns (uint256) {
        return _collateral[farm][asset];
    }

    /// @inheritdoc ISettlement
    function debt(uint256 id) external view returns (uint256) {
        return _book[id].debt;
    }

    /// @notice Days of series `id` settled so far.
    function settledDays(uint256 id) external view returns (uint32) {
        return _book[id].settledDays;
    }

    /// @inheritdoc ISettlement
    /// @dev Sats = ceil( Σ over `farm`'s series in `asset` with unsettled days of
    ///      min(coverDays, termDays − settledDays) · hashrateThs · grossE18 / 1e18 ), where
    ///      grossE18 = trailingHashpriceE18 · (1e4 − poolFeeBps) / 1e4 (`PayoutMath.grossE18`). A series counts until
    ///      every day of its term is settled (not merely until its term ends), and never for more days than it
    ///      has left. While the oracle has no final day, `bootstrapHashpriceE18` stands in for the trailing value.
    function requiredCollateral(address farm, address asset) public view returns (uint256) {
        (uint256 sumE18,) = _requiredE18(farm, asset);
        return Math.ceilDiv(sumE18, E18);
    }

    /// @inheritdoc ISettlement
    /// @dev ceil((Σ of `requiredCollateral` + min(coverDays, termDays) · hashrateThs · grossE18) / 1e18), exactly
    ///      what `checkNewSeries` will require of `terms` if nothing changes before `createSeries`.
    function quoteCollateral(IHashpowerToken.SeriesTerms calldata terms) external view returns (uint256) {
        (uint256 sumE18, uint256 trailing) = _requiredE18(terms.farm, terms.payoutAsset);
        sumE18 += Math.min(coverDays, terms.termDays) * terms.hashrateThs * PayoutMath.grossE18(trailing, terms.poolFeeBps);
        return Math.ceilDiv(sumE18, E18);
    }

    /// @inheritdoc ISettlement
    function farmSeries(address farm) external view returns (uint256[] memory) {
        return _farmSeries[farm];
    }

    /// @notice Terms of series `id` as registered at creation. Reverts `UnregisteredSeries`.
    function registeredTerms(uint256 id) external view returns (IHashpowerToken.SeriesTerms memory) {
        IHashpowerToken.SeriesTerms memory t = _terms[id];
        if (t.farm == address(0)) revert UnregisteredSeries(id);
        return t;
    }

    /// @notice The formula of `domain/settlement.ts` `perThDay` (`PayoutMath.perThDay`) for `terms` (only
    ///         the formula fields are read): the inputs and the per-TH/s·day fields of the breakdown, sats per
    ///         TH/s·day × 1e18; the amount fields are 0. Reverts `IHashpriceOracle.NoPrice` when btcUsdE8 is 0 and
    ///         `IHashpriceOracle.InvalidUptime` above 10,000 bps.
    function perThDay(IHashpowerToken.SeriesTerms memory terms, uint256 hashpriceE18, uint16 uptimeBps, uint64 btcUsdE8)
        public
        pure
        returns (Breakdown memory b)
    {
        _perThDay(b, terms, hashpriceE18, uptimeBps, btcUsdE8);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Σ over `farm`'s series in `asset` of min(coverDays, days left) · hashrateThs · grossE18 (sats × 1e18)
    ///      and the hashprice used: the trailing one, or the bootstrap value before the first final day.
    function _requiredE18(address farm, address asset) private view returns (uint256 sumE18, uint256 trailing) {
        (trailing,) = oracle.trailingHashprice();
        if (trailing == 0) trailing = bootstrapHashpriceE18;
        uint256[] storage ids = _farmSeries[farm];
        uint256 cover = coverDays;
        for (uint256 i; i < ids.length; ++i) {
            IHashpowerToken.SeriesTerms storage t = _terms[ids[i]];
            if (t.payoutAsset != asset) continue;
            uint256 left = t.termDays - _book[ids[i]].settledDays;
            if (left == 0) continue;
            sumE18 += Math.min(cover, left) * t.hashrateThs * PayoutMath.grossE18(trailing, t.poolFeeBps);
        }
    }

    function _settle(uint256 id, uint32 day) private {
        if (token.isDistributed(id, day)) {
            emit SettleSkipped(id, day, AlreadySettled.selector);
            return;
        }
        (Breakdown memory b, IHashpowerToken.SeriesTerms memory t) = _quote(id, day);
        address farm = t.farm;
        address asset = t.payoutAsset;
        if (b.fromBalance != 0) _balance[farm][asset] -= b.fromBalance;
        if (b.fromCollateral != 0) _collateral[farm][asset] -= b.fromCollateral;
        Book storage book = _book[id];
        book.settledDays += 1;
        if (b.debtAdded != 0) {
            book.debt += uint224(b.debtAdded);
            farmDebt[farm][asset] += b.debtAdded;
        }
        uint256 paid = b.owed - b.debtAdded;
        if (paid != 0) _ensureAllowance(asset, paid);
        token.distribute(id, day, paid);
        emit Settled(id, day, farm, b);
    }

    /// @dev Everything `settle` computes, with the draws taken from the current pools, without writing.
    function _quote(uint256 id, uint32 day)
        private
        view
        returns (Breakdown memory b, IHashpowerToken.SeriesTerms memory t)
    {
        t = _terms[id];
        if (t.farm == address(0)) revert UnregisteredSeries(id);
        if (day < t.startDay || day >= uint256(t.startDay) + t.termDays) {
            revert IHashpowerToken.DayOutsideTerm(id, day);
        }
        if (token.isDistributed(id, day)) revert AlreadySettled(id, day);
        IHashpriceOracle.DailyValues memory v = oracle.dailyValues(day);
        if (v.status != IHashpriceOracle.Status.Final) revert IHashpriceOracle.NotFinal(day);
        uint16 up = oracle.uptimeBps(t.farm, day);
        _perThDay(b, t, v.hashpriceE18, up, v.btcUsdE8);

        // owedForDay: owed = net · supply / (termDays · 1e18); compensation = min(owed, comp · supply / (…))
        b.supply = token.totalSupply(id);
        uint256 denom = uint256(t.termDays) * E18;
        b.owed = Math.mulDiv(b.netE18, b.supply, denom);
        b.compensation = Math.min(Math.mulDiv(b.compensationE18, b.supply, denom), b.owed);

        // draw: compensation ← collateral; remainder ← balance; shortfall ← collateral; the rest is debt.
        uint256 coll = _collateral[t.farm][t.payoutAsset];
        uint256 x = Math.min(b.compensation, coll);
        coll -= x;
        uint256 rest = b.owed - x;
        uint256 y = Math.min(rest, _balance[t.farm][t.payoutAsset]);
        rest -= y;
        uint256 z = Math.min(rest, coll);
        rest -= z;
        b.fromBalance = y;
        b.fromCollateral = x + z;
        b.debtAdded = rest;
    }

    /// @dev Records the inputs in `b` and fills its per-TH/s·day fields (`PayoutMath.perThDay`).
    function _perThDay(
        Breakdown memory b,
        IHashpowerToken.SeriesTerms memory t,
        uint256 hashpriceE18,
        uint16 up,
        uint64 btcUsdE8
    ) private pure {
        PayoutMath.perThDay(b, t, hashpriceE18, up, btcUsdE8);
        b.hashpriceE18 = hashpriceE18;
        b.uptimeBps = up;
        b.btcUsdE8 = btcUsdE8;
    }

    /// @dev Repays `farm`'s debts in `asset` from `amount`, oldest series first; returns what is left.
    function _repay(address farm, address asset, uint256 amount) private returns (uint256) {
        uint256[] storage ids = _farmSeries[farm];
        for (uint256 i; i < ids.length && amount != 0; ++i) {
            uint256 id = ids[i];
            Book storage book = _book[id];
            uint256 d = book.debt;
            if (d == 0 || _terms[id].payoutAsset != asset) continue;
            if (token.totalSupply(id) == 0) {
                _writeOff(id, d);
                continue;
            }
            uint256 x = Math.min(d, amount);
            book.debt = uint224(d - x);
            farmDebt[farm][asset] -= x;
            amount -= x;
            _ensureAllowance(asset, x);
            token.distributeRepayment(id, x);
            emit DebtRepaid(id, farm, x);
        }
        return amount;
    }

    /// @dev Clears series `id`'s debt `d` from its book and from its farm's `farmDebt`.
    function _writeOff(uint256 id, uint256 d) private {
        IHashpowerToken.SeriesTerms storage t = _terms[id];
        _book[id].debt = 0;
        farmDebt[t.farm][t.payoutAsset] -= d;
        emit DebtWrittenOff(id, t.farm, d);
    }

    /// @dev Approves the token for the asset once (max allowance) when the current allowance is short.
    function _ensureAllowance(address asset, uint256 amount) private {
        if (IERC20(asset).allowance(address(this), address(token)) < amount) {
            IERC20(asset).forceApprove(address(token), type(uint256).max);
        }
    }
}
