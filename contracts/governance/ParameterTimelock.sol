// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title ParameterTimelock
/// @notice Parameter changes that move holders' money go through a delay that the guardian can cancel and the
///         admin cannot bypass. DEFAULT_ADMIN_ROLE proposes a call to one of this contract's own `onlyTimelock`
///         setters (`proposeChange(abi.encodeCall(this.setX, (...)))`); after `parameterDelay` seconds the admin
///         executes it (`executeChange(sameData)`), which calls the setter from the contract itself. GUARDIAN_ROLE
///         cancels a proposal at any time before it is executed (the admin simply does not execute its own).
/// @dev The guardian cannot be removed by the admin: GUARDIAN_ROLE is its own admin role, so only a guardian grants
///      or revokes guardians (it hands its role over by granting it and renouncing). A proposal is identified by
///      `keccak256(data)`; proposing the same data twice while pending reverts. Model: OpenZeppelin
///      TimelockController (operation id = hash of the call, ready after a delay, canceller role), reduced to
///      self-calls.
abstract contract ParameterTimelock is AccessControl {
    /// @notice Role that cancels proposed parameter changes (and, per contract, confirms/rejects oracle reports).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Seconds between `proposeChange` and the earliest `executeChange`.
    uint64 public immutable parameterDelay;

    /// @notice Earliest execution time (unix seconds) of the pending change `id = keccak256(data)`; 0 = none.
    mapping(bytes32 id => uint64 eta) public changeEta;

    /// @notice The admin proposed the self-call `data` (id = keccak256(data)), executable from `eta` (unix seconds).
    event ChangeProposed(bytes32 indexed id, bytes data, uint64 eta);
    /// @notice The proposed change `id` was applied.
    event ChangeExecuted(bytes32 indexed id);
    /// @notice The guardian cancelled the proposed change `id`.
    event ChangeCancelled(bytes32 indexed id);

    /// @notice The setter may only be reached through `executeChange`.
    error NotTimelocked();
    /// @notice No pending change with this id.
    error UnknownChange(bytes32 id);
    /// @notice The change's delay has not elapsed; executable from `eta` (unix seconds).
    error ChangeNotReady(bytes32 id, uint64 eta);
    /// @notice The same change is already pending.
    error ChangeAlreadyProposed(bytes32 id);
    /// @notice The guardian address is zero.
    error ZeroGuardian();

    /// @dev Only a call the contract makes to itself from `executeChange`.
    modifier onlyTimelock() {
        if (msg.sender != address(this)) revert NotTimelocked();
        _;
    }

    /// @param guardian GUARDIAN_ROLE holder (non-zero; reverts `ZeroGuardian`); @param delay seconds a change waits.
    constructor(address guardian, uint64 delay) {
        if (guardian == address(0)) revert ZeroGuardian();
        _setRoleAdmin(GUARDIAN_ROLE, GUARDIAN_ROLE);
        _grantRole(GUARDIAN_ROLE, guardian);
        parameterDelay = delay;
    }

    /// @notice DEFAULT_ADMIN_ROLE proposes `data`: an ABI-encoded call to one of this contract's `onlyTimelock`
    ///         setters. Returns its id (keccak256(data)). Emits `ChangeProposed`.
    /// @dev Reverts `ChangeAlreadyProposed` while the same data is pending.
    function proposeChange(bytes calldata data) external onlyRole(DEFAULT_ADMIN_ROLE) returns (bytes32 id) {
        id = keccak256(data);
        if (changeEta[id] != 0) revert ChangeAlreadyProposed(id);
        uint64 eta = uint64(block.timestamp) + parameterDelay;
        changeEta[id] = eta;
        emit ChangeProposed(id, data, eta);
    }

    /// @notice DEFAULT_ADMIN_ROLE applies the proposed `data` once its delay has elapsed. Emits `ChangeExecuted`
    ///         and whatever the setter emits.
    /// @dev Reverts `UnknownChange` (never proposed, cancelled or already executed), `ChangeNotReady`, or the
    ///      setter's own error (the proposal then stays pending).
    function executeChange(bytes calldata data) external onlyRole(DEFAULT_ADMIN_ROLE) {
        bytes32 id = keccak256(data);
        uint64 eta = changeEta[id];
        if (eta == 0) revert UnknownChange(id);
        if (block.timestamp < eta) revert ChangeNotReady(id, eta);
        delete changeEta[id];
        emit ChangeExecuted(id);
        Address.functionCall(address(this), data);
    }

    /// @notice GUARDIAN_ROLE cancels the pending change `id`.
    /// @dev Reverts `AccessControlUnauthorizedAccount(caller, GUARDIAN_ROLE)`, `UnknownChange`. Emits `ChangeCancelled`.
    function cancelChange(bytes32 id) external onlyRole(GUARDIAN_ROLE) {
        if (changeEta[id] == 0) revert UnknownChange(id);
        delete changeEta[id];
        emit ChangeCancelled(id);
    }
}
