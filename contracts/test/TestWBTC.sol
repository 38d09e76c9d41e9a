// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestWBTC
/// @notice Test-only WBTC-like payout asset: a plain OpenZeppelin ERC-20 with 8 decimals (one base unit = one sat)
///         and an unrestricted `mint`. Never deploy outside tests.
contract TestWBTC is ERC20 {
    constructor() ERC20("Test Wrapped BTC", "tWBTC") {}

    /// @notice Mints `amount` sats to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice 8, like WBTC: amounts are in sats.
    function decimals() public pure override returns (uint8) {
        return 8;
    }
}

/// @title TestERC20Decimals
/// @notice Test-only OpenZeppelin ERC-20 with configurable decimals, to exercise the 8-decimal payout-asset check.
contract TestERC20Decimals is ERC20 {
    uint8 private immutable _decimals;

    constructor(uint8 decimals_) ERC20("Test Token", "TT") {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` base units to `to`; anyone may call (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The decimals given at deployment.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
