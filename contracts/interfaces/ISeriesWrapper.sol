// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHashpowerToken} from "./IHashpowerToken.sol";

/// @title ISeriesWrapper
/// @notice ERC-20 wrapper of one hash-power series: **1 wrapped token = 1 ERC-1155 unit = 1 TH/s·day**
///         (decimals 0), wrapped and unwrapped 1:1, with the series' yield passed through to whoever holds the
///         ERC-20 when each day is settled (the token's record-date rule), so it can serve as collateral in
///         ERC-20-only protocols (Morpho Blue) without losing the yield.
/// @dev Units: token amounts in units (TH/s·days); payouts in sats (base units of the series' 8-decimal payout
///      asset); accumulator and per-holder accruals in sats per unit × 1e36 / sats × 1e36.
interface ISeriesWrapper {
    // ------------------------------------------------------------------ events
    /// @notice `units` of the series were deposited by `from` (their ERC-1155 owner; address(0) when minted
    ///         straight into the wrapper) and `units` wrapped tokens minted to `to`.
    event Wrapped(address indexed from, address indexed to, uint256 units);
    /// @notice `units` wrapped tokens of `from` were burned and `units` ERC-1155 units sent to `to`.
    event Unwrapped(address indexed from, address indexed to, uint256 units);
    /// @notice `amount` sats of the series' yield were claimed from the token into the wrapper;
    ///         `totalHarvested` is the running total (sats).
    event Harvested(uint256 amount, uint256 totalHarvested);
    /// @notice `holder`'s yield of `amount` sats was claimed by `caller` and sent to `receiver`.
    event Claimed(address indexed holder, address indexed receiver, address caller, uint256 amount);
    /// @notice `claimer` may now claim `holder`'s yield (address(0) revokes). `admin` is true when set by a
    ///         CLAIMER_ADMIN through `setClaimerFor`.
    event ClaimerSet(address indexed holder, address indexed claimer, bool admin);

    // ------------------------------------------------------------------ errors
    /// @notice An ERC-1155 receipt from a contract other than the hash-power token.
    error NotHashpowerToken(address caller);
    /// @notice An ERC-1155 receipt of another series than the wrapper's.
    error WrongSeries(uint256 id);
    /// @notice Batch receipts are refused: wrap with `wrap` or a single `safeTransferFrom`.
    error BatchNotSupported();
    error ZeroAmount();
    error ZeroAddress();
    /// @notice The receipt's `data` is neither empty nor one ABI-encoded address.
    error InvalidData();
    /// @notice Wrapped tokens cannot be minted to the wrapper itself (they would be locked).
    error InvalidRecipient(address to);
    /// @notice `caller` is not `holder`'s claimer.
    error NotClaimer(address holder, address caller);
    /// @notice `caller` lacks the factory's CLAIMER_ADMIN_ROLE.
    error NotClaimerAdmin(address caller);
    /// @notice `setClaimerFor` only serves contracts (a lending market, a pool): an EOA sets its own claimer.
    error NotContract(address holder);

    // ------------------------------------------------------------------ wrap / unwrap
    /// @notice Pulls `units` of the series from msg.sender (ERC-1155 `safeTransferFrom`; msg.sender must have
    ///         `setApprovalForAll(wrapper, true)` on the token) and mints `units` wrapped tokens to `to`.
    /// @dev Equivalent to sending the units to the wrapper with `data = abi.encode(to)`. Reverts `ZeroAmount`,
    ///      `ZeroAddress`, `InvalidRecipient` (the wrapper), the token's ERC-1155 errors. Emits `Wrapped`.
    function wrap(uint256 units, address to) external;
    /// @notice Burns `units` wrapped tokens of msg.sender and sends `units` ERC-1155 units to `to`. The yield
    ///         accrued so far stays claimable by msg.sender. Reverts `ZeroAmount`, `ZeroAddress`,
    ///         `InvalidRecipient` (the wrapper), `ERC20InsufficientBalance`. Emits `Unwrapped`.
    function unwrap(uint256 units, address to) external;

    // ------------------------------------------------------------------ yield
    /// @notice Claims the wrapper's yield from the token into the wrapper (permissionless; also done whenever a
    ///         claim needs the sats). Returns the sats received. Emits `Harvested` when non-zero.
    function harvest() external returns (uint256 amount);
    /// @notice Pays msg.sender's yield (sats) to `receiver`. Reverts `ZeroAddress`. Emits `Claimed` when non-zero.
    function claim(address receiver) external returns (uint256 amount);
    /// @notice Pays `holder`'s yield to `receiver` as its claimer. Reverts `NotClaimer`, `ZeroAddress`.
    function claimOnBehalf(address holder, address receiver) external returns (uint256 amount);
    /// @notice Lets `claimer` claim msg.sender's yield (address(0) revokes). Emits `ClaimerSet`.
    function setClaimer(address claimer) external;
    /// @notice The factory's CLAIMER_ADMIN sets the claimer of a contract holder that cannot call `setClaimer`
    ///         itself (Morpho Blue: its claimer is the collateral adapter), as Aave v3's `setClaimer`.
    /// @dev Reverts `NotClaimerAdmin`, `ZeroAddress`, `NotContract`. Emits `ClaimerSet`.
    function setClaimerFor(address holder, address claimer) external;

    // ------------------------------------------------------------------ views
    /// @notice The hash-power token (ERC-1155) whose series this wraps.
    function token() external view returns (IHashpowerToken);
    /// @notice The wrapped series id.
    function seriesId() external view returns (uint256);
    /// @notice The series' payout asset (8 decimals, sats).
    function payoutAsset() external view returns (IERC20);
    /// @notice Sats `account` can claim now (floor of its 1e36-scaled accrual, including days settled in the
    ///         token but not yet harvested).
    function claimable(address account) external view returns (uint256);
    /// @notice The per-unit accumulator in force: the token's `accPerUnitE36` of the series (sats per unit × 1e36).
    function accPerUnitE36() external view returns (uint256);
    /// @notice `account`'s checkpoint: accumulator at its last settlement and its settled, unclaimed accrual
    ///         (sats × 1e36).
    function checkpoint(address account) external view returns (uint256 paidE36, uint256 accruedE36);
    /// @notice The claimer `holder` authorised (or a CLAIMER_ADMIN set), or address(0).
    function claimerOf(address holder) external view returns (address);
    /// @notice Sats ever harvested from the token into this wrapper.
    function totalHarvested() external view returns (uint256);
    /// @notice Sats ever paid out of this wrapper to holders' receivers (≤ totalHarvested).
    function totalClaimed() external view returns (uint256);
}
