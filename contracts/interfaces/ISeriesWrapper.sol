// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHashpowerToken} from "./IHashpowerToken.sol";

/// @title ISeriesWrapper
/// @notice Accumulating ERC-20 share of one hash-power series (as wstETH or sDAI): **1 share = 1 ERC-1155 unit
///         (1 TH/s·day) + `index` sats**, decimals 0. The wrapper holds the units and keeps their payouts inside;
///         the index grows with every settled day exactly as one unit's accumulator does. Wrapping pays the
///         current index in, unwrapping pays it out. A share is a plain ERC-20 (no hooks, no per-holder records),
///         so a lending market (Morpho Blue) can hold it and a flash borrower returns exactly what it took.
/// @dev Units: shares and units in TH/s·days; payouts in sats (base units of the series' 8-decimal payout asset);
///      index in sats per share × 1e36 (`E36`).
///        indexE36   = token.accPerUnitE36(id) − acc0      (acc0 = the token's accumulator at the wrapper's creation)
///        wrap n     : pulls n units and ceil(n · indexE36 / 1e36) sats from the caller, mints n shares
///        unwrap n   : burns n shares, sends n units and floor(n · indexE36 / 1e36) sats
///      Everything is computed from the token's accumulator and the wrapper's own counters, never from
///      `balanceOf(this)`: donated units are refused and donated sats change nothing.
interface ISeriesWrapper {
    // ------------------------------------------------------------------ events
    /// @notice `from` deposited `units` and paid `sats` (the index in force, rounded up); `units` shares were
    ///         minted to `to`.
    event Wrapped(address indexed from, address indexed to, uint256 units, uint256 sats, uint256 indexE36);
    /// @notice `units` shares of `from` were burned; `units` ERC-1155 units and `sats` (the index in force, rounded
    ///         down) were sent to `to`.
    event Unwrapped(address indexed from, address indexed to, uint256 units, uint256 sats, uint256 indexE36);
    /// @notice `amount` sats of the wrapper's yield were claimed from the token into its reserve; `totalHarvested`
    ///         is the running total (sats).
    event Harvested(uint256 amount, uint256 totalHarvested);

    // ------------------------------------------------------------------ errors
    /// @notice An ERC-1155 receipt from a contract other than the hash-power token.
    error NotHashpowerToken(address caller);
    /// @notice Units arrive only through `wrap` (a plain transfer or mint to the wrapper is refused: it would
    ///         not pay the index in).
    error DirectDepositRefused(address operator);
    /// @notice Batch receipts are refused.
    error BatchNotSupported();
    error ZeroAmount();
    error ZeroAddress();
    /// @notice Shares or units cannot be sent to the wrapper itself.
    error InvalidRecipient(address to);

    // ------------------------------------------------------------------ wrap / unwrap
    /// @notice Pulls `units` of the series (msg.sender must have `setApprovalForAll(wrapper, true)` on the token)
    ///         and `previewWrap(units)` sats of the payout asset (ERC-20 allowance) from msg.sender and mints
    ///         `units` shares to `to`. Returns the sats paid.
    /// @dev Reverts `ZeroAmount`, `ZeroAddress`, `InvalidRecipient`, the token's ERC-1155 and the asset's ERC-20
    ///      errors. Moves units of the series, so a settlement of it cannot follow in the same transaction
    ///      (the token's record-date rule). Emits `Wrapped`.
    function wrap(uint256 units, address to) external returns (uint256 sats);
    /// @notice Burns `units` shares of msg.sender and sends `units` ERC-1155 units and `previewUnwrap(units)` sats
    ///         to `to` (harvesting the wrapper's claim in the token when its reserve is short). Returns the sats.
    /// @dev Reverts `ZeroAmount`, `ZeroAddress`, `InvalidRecipient`, `ERC20InsufficientBalance`. Emits `Unwrapped`.
    function unwrap(uint256 units, address to) external returns (uint256 sats);
    /// @notice Claims the wrapper's yield from the token into its reserve (permissionless; unwrap does it when
    ///         needed). Returns the sats received. Emits `Harvested` when non-zero.
    function harvest() external returns (uint256 amount);

    // ------------------------------------------------------------------ views
    /// @notice The hash-power token (ERC-1155) whose series this wraps.
    function token() external view returns (IHashpowerToken);
    /// @notice The wrapped series id.
    function seriesId() external view returns (uint256);
    /// @notice The series' payout asset (8 decimals, sats).
    function payoutAsset() external view returns (IERC20);
    /// @notice The token's accumulator of the series when this wrapper was created (sats per unit × 1e36).
    function acc0() external view returns (uint256);
    /// @notice Sats per share × 1e36 on top of the unit: `token.accPerUnitE36(id) − acc0`. Only grows.
    function indexE36() external view returns (uint256);
    /// @notice Sats `wrap(units)` costs now: ceil(units · indexE36 / 1e36).
    function previewWrap(uint256 units) external view returns (uint256);
    /// @notice Sats `unwrap(units)` pays now: floor(units · indexE36 / 1e36).
    function previewUnwrap(uint256 units) external view returns (uint256);
    /// @notice Sats the wrapper holds for its shares (wrap payments + harvests − unwrap payments); donations
    ///         are not counted.
    function reserve() external view returns (uint256);
    /// @notice Sats ever harvested from the token into this wrapper.
    function totalHarvested() external view returns (uint256);
}
