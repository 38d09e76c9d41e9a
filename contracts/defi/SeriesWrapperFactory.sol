// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {SeriesWrapper} from "./SeriesWrapper.sol";

/// @title SeriesWrapperFactory
/// @notice Deploys one `SeriesWrapper` accumulating ERC-20 share (1 share = 1 TH/s·day + accrued sats, decimals
///         0) per series of the hash-power token, permissionlessly, at a deterministic CREATE2 address
///         (salt = series id). No admin.
contract SeriesWrapperFactory {
    /// @notice The hash-power token whose series are wrapped.
    IHashpowerToken public immutable token;
    /// @notice Wrapper of series `id`, or address(0) before `createWrapper(id)`.
    mapping(uint256 id => address) public wrapperOf;
    /// @notice Whether `wrapper` was deployed by this factory.
    mapping(address wrapper => bool) public isWrapper;

    /// @notice The wrapper of series `id` was deployed at `wrapper`.
    event WrapperCreated(uint256 indexed id, address indexed wrapper);

    /// @notice Series `id` already has its wrapper at `wrapper`.
    error WrapperExists(uint256 id, address wrapper);
    error ZeroAddress();

    /// @param token_ the hash-power token. Reverts `ZeroAddress`.
    constructor(IHashpowerToken token_) {
        if (address(token_) == address(0)) revert ZeroAddress();
        token = token_;
    }

    /// @notice Deploys the wrapper of series `id` at `predictWrapper(id)`; anyone may call.
    /// @dev Reverts `WrapperExists`, the token's `UnknownSeries`. Emits `WrapperCreated`.
    function createWrapper(uint256 id) external returns (address wrapper) {
        address existing = wrapperOf[id];
        if (existing != address(0)) revert WrapperExists(id, existing);
        wrapper = address(new SeriesWrapper{salt: bytes32(id)}(token, id));
        wrapperOf[id] = wrapper;
        isWrapper[wrapper] = true;
        emit WrapperCreated(id, wrapper);
    }

    /// @notice The address the wrapper of series `id` has or will have (CREATE2 from this factory, salt = id).
    function predictWrapper(uint256 id) external view returns (address) {
        bytes32 initCodeHash = keccak256(abi.encodePacked(type(SeriesWrapper).creationCode, abi.encode(token, id)));
        return Create2.computeAddress(bytes32(id), initCodeHash);
    }
}
