// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHashpowerToken, IIssuanceGuard} from "./IHashpowerToken.sol";

/// @title ISettlement
/// @notice Turns final oracle reports into funded payouts: a farm pre-funds a payout balance and posts
///         collateral; settling a (series, day) computes the net yield per TH/s·day, draws what the series is
///         owed from the balance, then from collateral (slashing), and records any remainder as the farm's debt
///         to the series, repaid first from its next deposit. Also the token's issuance guard: a farm may create
///         a series only while its collateral covers `coverDays` of expected payouts at the trailing hashprice.
/// @dev Units: amounts in payout-asset base units (sats: the payout asset must have 8 decimals); per-TH/s·day
///      values in sats × 1e18 (`E18`); uptime and fees in bps; day = UTC day number.
///      Formula (per TH/s·day, all × 1e18 sats, floored at 0):
///        gross        = hashprice · (1 − poolFeeBps/1e4)
///        downtime     = gross · (1e4 − uptimeBps)/1e4                     (production not delivered)
///        compensation = gross · max(0, slaBps − uptimeBps)/1e4            (paid from collateral)
///        electricity  = efficiencyJPerTh · 24 h / 1000 · usdPerKWh · 1e8 / btcUsd
///        service      = serviceFeeUsdPerThDay · 1e8 / btcUsd
///        net          = max(0, gross − downtime + compensation − electricity − service)
///      Each unit of the series is credited net ÷ termDays for the day (one unit = one TH/s·day of production
///      spread over the term); the farm owes owed = net · supply / termDays / 1e18 (floor) for the day.
///      Record-date rule: a day's yield belongs to whoever holds the unit when the day is settled.
interface ISettlement is IIssuanceGuard {
    /// @notice What one series-day settlement computed and paid. Emitted in `Settled`.
    struct Breakdown {
        uint256 hashpriceE18; // oracle hashprice, sats per TH/s·day × 1e18
        uint16 uptimeBps; // farm's reported uptime
        uint64 btcUsdE8; // BTC/USD of the day × 1e8
        uint256 grossE18; // after pool fee, at full uptime
        uint256 poolFeeE18;
        uint256 downtimeE18;
        uint256 compensationE18;
        uint256 electricityE18;
        uint256 serviceE18;
        uint256 netE18; // floored at 0
        uint256 supply; // units outstanding at settlement (record date)
        uint256 owed; // sats owed to holders for the day
        uint256 fromBalance; // sats drawn from the farm's payout balance
        uint256 fromCollateral; // sats slashed from the farm's collateral
        uint256 compensation; // sats of `owed` that compensate downtime below the SLA
        uint256 debtAdded; // sats neither source covered: the farm's new debt to the series
    }

    event Deposited(address indexed farm, address indexed asset, address indexed from, uint256 amount);
    event FundingWithdrawn(address indexed farm, address indexed asset, address to, uint256 amount);
    event CollateralPosted(address indexed farm, address indexed asset, address indexed from, uint256 amount);
    event CollateralWithdrawn(address indexed farm, address indexed asset, address to, uint256 amount);
    /// @notice Series-day `id`/`day` was settled; `b` holds every input and amount.
    event Settled(uint256 indexed id, uint32 indexed day, address indexed farm, Breakdown b);
    /// @notice `amount` of the farm's debt to series `id` was repaid (and distributed to its holders).
    event DebtRepaid(uint256 indexed id, address indexed farm, uint256 amount);
    /// @notice Series `id` of `farm` was registered with the settlement at creation.
    event SeriesRegistered(uint256 indexed id, address indexed farm);
    event CoverDaysSet(uint16 coverDays);
    /// @notice `settle` skipped the pair (`id`, `day`) instead of reverting the batch; `reason` is the selector of
    ///         the error `quote` gives for it (`AlreadySettled`).
    event SettleSkipped(uint256 indexed id, uint32 indexed day, bytes4 reason);
    /// @notice The farm's debt `amount` to series `id` was written off: the series has no supply, so no holder
    ///         is owed it (units burned after the day was settled had already received their accrual).
    event DebtWrittenOff(uint256 indexed id, address indexed farm, uint256 amount);

    error OnlyToken();
    error NotFarm(address caller);
    error UnsupportedAsset(address asset);
    error InsufficientCollateral(address farm, uint256 have, uint256 required);
    error InsufficientBalance(uint256 have, uint256 requested);
    error OutstandingDebt(address farm, uint256 debt);
    error AlreadySettled(uint256 id, uint32 day);
    error LengthMismatch();
    error ZeroAmount();
    /// @notice Series `id` has no debt, or still has holders (only the debt of a series with no supply is written off).
    error NothingToWriteOff(uint256 id);

    /// @notice Adds `amount` (pulled from msg.sender) to `farm`'s payout balance in `asset`; repays the farm's
    ///         debts to its series in that asset first (oldest series first). Reverts `ZeroAmount`.
    function deposit(address farm, address asset, uint256 amount) external;
    /// @notice The farm (msg.sender) withdraws unused payout balance. Reverts `InsufficientBalance`.
    function withdrawFunding(address asset, uint256 amount, address to) external;
    /// @notice Posts `amount` (pulled from msg.sender) as `farm`'s collateral in `asset`. Reverts `ZeroAmount`.
    function postCollateral(address farm, address asset, uint256 amount) external;
    /// @notice The farm withdraws collateral while it has no debt and keeps `requiredCollateral`.
    /// @dev Reverts `OutstandingDebt`, `InsufficientCollateral`.
    function withdrawCollateral(address asset, uint256 amount, address to) external;
    /// @notice Settles each (ids[i], dayList[i]); permissionless once the day's reports are final. A pair already
    ///         settled (by anyone, or earlier in the batch) is skipped with `SettleSkipped`, so a front-runner
    ///         cannot revert a keeper's batch.
    /// @dev Reverts `LengthMismatch`, the token's `DayOutsideTerm`, the oracle's `NotFinal`, `NoUptime`.
    function settle(uint256[] calldata ids, uint32[] calldata dayList) external;
    /// @notice Writes off the farm's debt to series `id` once the series' supply is 0 (every unit burned): no
    ///         holder is owed it, and it would otherwise keep `farmDebt` above 0 and the farm's collateral frozen.
    ///         Permissionless. Reverts `NothingToWriteOff(id)` when there is no debt or the supply is not 0.
    function writeOffDebt(uint256 id) external;
    /// @notice Sets how many days of expected payouts collateral must cover. Timelocked (`ParameterTimelock`):
    ///         DEFAULT_ADMIN_ROLE proposes, GUARDIAN_ROLE may cancel, the admin executes after the delay.
    function setCoverDays(uint16 coverDays) external;

    /// @notice What settling (`id`, `day`) would compute now, amounts drawn as if settled now. Reverts like `settle`,
    ///         and `AlreadySettled` for a settled pair (which `settle` skips).
    function quote(uint256 id, uint32 day) external view returns (Breakdown memory);
    /// @notice `farm`'s payout balance in `asset`, sats.
    function payoutBalance(address farm, address asset) external view returns (uint256);
    /// @notice `farm`'s posted collateral in `asset`, sats.
    function collateral(address farm, address asset) external view returns (uint256);
    /// @notice Farm's unpaid debt to series `id`, sats.
    function debt(uint256 id) external view returns (uint256);
    /// @notice Collateral `farm` must keep in `asset`: coverDays × trailing hashprice × (1 − pool fee) × hashrate
    ///         summed over its series not yet fully settled, sats (rounded up). A series counts for
    ///         min(coverDays, its days not yet settled) days, so it stops counting once every day of its term is
    ///         settled (not merely when its term ends).
    ///         Before the oracle's first final day the constructor's bootstrap hashprice stands in for the trailing one.
    function requiredCollateral(address farm, address asset) external view returns (uint256);
    /// @notice Collateral (sats, in `terms.payoutAsset`) the farm `terms.farm` must have posted for
    ///         `createSeries(terms)` to pass now: `requiredCollateral` with the new series included.
    function quoteCollateral(IHashpowerToken.SeriesTerms calldata terms) external view returns (uint256);
    /// @notice Series ids issued by `farm`, in creation order.
    function farmSeries(address farm) external view returns (uint256[] memory);
}
