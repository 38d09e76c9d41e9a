// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/// @title BenchTransferBatcher
/// @notice Benchmark-only helper (scripts/bench-indexer.ts): holds ERC-1155 units and sends many single transfers in
///         one transaction, so a local chain gets 100,000+ `TransferSingle` events in a few hundred blocks.
contract BenchTransferBatcher is ERC1155Holder {
    /// @notice Sends `amount` units of `id` from this contract to each of `recipients`, one `safeTransferFrom` each
    ///         (one `TransferSingle` event each). Anyone may call: the contract only holds benchmark tokens.
    function spray(IERC1155 token, uint256 id, address[] calldata recipients, uint256 amount) external {
        for (uint256 i; i < recipients.length; ++i) {
            token.safeTransferFrom(address(this), recipients[i], id, amount, "");
        }
    }
}
