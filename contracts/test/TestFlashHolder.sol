// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";

/// @title TestFlashHolder
/// @notice Test-only holder for zero blocks: on receiving units it claims its yield in that series (recording the
///         amount) and sends the units straight back to the sender, all inside the sender's transfer.
contract TestFlashHolder is ERC1155Holder {
    IHashpowerToken public immutable token;
    /// @notice Sats its claims inside the transfers returned, summed.
    uint256 public claimedInside;

    constructor(IHashpowerToken token_) {
        token = token_;
    }

    function onERC1155Received(address, address from, uint256 id, uint256 value, bytes memory)
        public
        override
        returns (bytes4)
    {
        require(msg.sender == address(token), "not the token");
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        claimedInside += token.claim(ids, address(this))[0];
        IERC1155(msg.sender).safeTransferFrom(address(this), from, id, value, "");
        return this.onERC1155Received.selector;
    }
}
