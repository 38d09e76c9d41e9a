// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title PlainERC1155
/// @notice Benchmark baseline only: an unmodified OpenZeppelin v5 ERC-1155 with an unrestricted `mint`.
contract PlainERC1155 is ERC1155 {
    constructor() ERC1155("") {}

    /// @notice Mints `value` units of `id` to `to`; anyone may call (benchmark contract).
    function mint(address to, uint256 id, uint256 value) external {
        _mint(to, id, value, "");
    }
}
