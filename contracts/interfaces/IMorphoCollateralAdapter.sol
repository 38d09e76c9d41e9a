// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Id, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";

/// @title IMorphoCollateralAdapter
/// @notice Routes the yield of wrapped hash-power collateral held by Morpho Blue to the borrowers whose
///         collateral it is. Borrowers supply and withdraw collateral through the adapter (or sync positions they
///         opened directly); the adapter, Morpho's claimer in each wrapper, claims what the wrapper pays Morpho's
///         address and splits it over the recorded collateral with a second accumulator.
/// @dev Units: collateral in wrapped units (TH/s·days, decimals 0); yield in sats of the wrapper's payout asset;
///      accumulator in sats per recorded unit × 1e36. Ids are Morpho market ids (`keccak256(abi.encode(params))`).
interface IMorphoCollateralAdapter {
    // ------------------------------------------------------------------ events
    /// @notice Market `id` (collateral `wrapper`) was first used through the adapter.
    event MarketRegistered(Id indexed id, address indexed wrapper);
    /// @notice `caller` supplied `units` of collateral to market `id` on behalf of `onBehalf`.
    event CollateralSupplied(Id indexed id, address indexed caller, address indexed onBehalf, uint256 units);
    /// @notice `user` withdrew `units` of collateral from market `id` to `receiver`.
    event CollateralWithdrawn(Id indexed id, address indexed user, address indexed receiver, uint256 units);
    /// @notice `user`'s recorded collateral in market `id` was set from Morpho's position: `oldUnits` → `newUnits`;
    ///         `totalRecorded` is the wrapper's recorded total across markets after it.
    event CollateralSynced(Id indexed id, address indexed user, uint256 oldUnits, uint256 newUnits, uint256 totalRecorded);
    /// @notice `amount` sats of `wrapper` yield paid to Morpho's address were claimed by the adapter:
    ///         `accPerUnitE36` is the wrapper pool's accumulator after it, `unallocated` the sats set aside for
    ///         units Morpho holds that nobody has recorded, `recorded` / `held` the denominators used (units).
    event Harvested(
        address indexed wrapper, uint256 amount, uint256 accPerUnitE36, uint256 unallocated, uint256 recorded, uint256 held
    );
    /// @notice `user`'s yield from collateral in market `id` (`amount` sats) was claimed by `caller` to `receiver`.
    event Claimed(Id indexed id, address indexed user, address indexed receiver, address caller, uint256 amount);
    /// @notice The owner sent `amount` unallocated sats of `wrapper` yield to `to`.
    event UnallocatedSwept(address indexed wrapper, address indexed to, uint256 amount);

    // ------------------------------------------------------------------ errors
    /// @notice Market `id` does not exist in Morpho or its collateral is not a wrapper of the factory.
    error UnsupportedMarket(Id id);
    /// @notice `caller` is neither `user` nor authorised by `user` in Morpho.
    error NotAuthorized(address user, address caller);
    error ZeroAmount();
    error ZeroAddress();

    // ------------------------------------------------------------------ actions
    /// @notice Pulls `units` wrapped tokens from msg.sender, supplies them as collateral to the Morpho market
    ///         `marketParams` for `onBehalf`, and syncs `onBehalf`. No Morpho authorisation needed.
    /// @dev Harvests first, so yield earned before is split over the old records. Reverts `ZeroAmount`,
    ///      `ZeroAddress`, `UnsupportedMarket`, the wrapper's `NotClaimer` (adapter not yet Morpho's claimer).
    ///      Emits `CollateralSupplied`, `CollateralSynced`.
    function supplyCollateral(MarketParams calldata marketParams, uint256 units, address onBehalf) external;
    /// @notice Withdraws `units` of msg.sender's collateral from the market to `receiver` and syncs msg.sender.
    ///         msg.sender must have called Morpho `setAuthorization(adapter, true)`.
    /// @dev Reverts `ZeroAmount`, `ZeroAddress`, `UnsupportedMarket`, Morpho's `unauthorized` / `insufficient
    ///      collateral`. Emits `CollateralWithdrawn`, `CollateralSynced`.
    function withdrawCollateral(MarketParams calldata marketParams, uint256 units, address receiver) external;
    /// @notice Harvests, settles `user`'s yield on its recorded collateral, then records Morpho's
    ///         `position(id, user).collateral`. Permissionless: call it after any change the adapter did not make
    ///         (a Morpho `liquidate`, a direct supply or withdrawal). Reverts `UnsupportedMarket`.
    function sync(Id id, address user) external;
    /// @notice Syncs msg.sender and pays its yield in market `id` to `receiver`. Returns sats paid.
    function claim(Id id, address receiver) external returns (uint256 amount);
    /// @notice As `claim` for `user`, by anyone `user` authorised in Morpho. Reverts `NotAuthorized`.
    function claimFor(Id id, address user, address receiver) external returns (uint256 amount);
    /// @notice Owner: sends the whole sats set aside for unrecorded collateral of `wrapper` to `to` (e.g. back to
    ///         the depositors who bypassed the adapter). Emits `UnallocatedSwept`.
    function sweepUnallocated(address wrapper, address to) external returns (uint256 amount);

    // ------------------------------------------------------------------ views
    /// @notice Sats `user` could claim now in market `id` (pending wrapper yield included, on its recorded
    ///         collateral). Reverts `UnsupportedMarket`.
    function claimable(Id id, address user) external view returns (uint256);
    /// @notice `user`'s record in market `id`: collateral units at its last sync, accumulator checkpoint,
    ///         settled unclaimed accrual (sats × 1e36).
    function accountOf(Id id, address user)
        external
        view
        returns (uint256 collateral, uint256 paidE36, uint256 accruedE36);
    /// @notice The pool of `wrapper`: recorded units across markets, accumulator (sats per unit × 1e36), carried
    ///         remainder and unallocated accrual (sats × 1e36), sats received from the wrapper and paid out.
    function poolOf(address wrapper)
        external
        view
        returns (
            uint256 totalRecorded,
            uint256 accPerUnitE36,
            uint256 carryE36,
            uint256 unallocatedE36,
            uint256 received,
            uint256 paid
        );
}
