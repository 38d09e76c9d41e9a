// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/// @title TestERC1155Vault
/// @notice Test-only contract holder (a stand-in for a pool or lending market) that accepts ERC-1155 tokens and has
///         no way to call `setClaimer` itself.
contract TestERC1155Vault is ERC1155Holder {}
