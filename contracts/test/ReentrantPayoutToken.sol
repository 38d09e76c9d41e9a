// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantPayoutToken
/// @notice Test-only hostile 8-decimal ERC-20: once armed, its next transfer calls `target` with `payload` and
///         bubbles up any revert, to show the token's claims and distributions reject reentry.
contract ReentrantPayoutToken is ERC20 {
    address public reentryTarget;
    bytes public payload;

    constructor() ERC20("Reentrant", "RE") {}

    /// @notice Arms one reentrant call to `target` with `payload` on the next transfer between two non-zero accounts.
    function arm(address target_, bytes calldata payload_) external {
        (reentryTarget, payload) = (target_, payload_);
    }

    /// @notice Mints `amount` base units to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice 8 decimals, like WBTC.
    function decimals() public pure override returns (uint8) {
        return 8;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = reentryTarget;
        if (t != address(0) && from != address(0) && to != address(0)) {
            reentryTarget = address(0);
            (bool ok, bytes memory ret) = t.call(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }
}
