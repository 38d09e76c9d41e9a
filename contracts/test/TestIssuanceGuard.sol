// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHashpowerToken, IIssuanceGuard} from "../interfaces/IHashpowerToken.sol";

/// @title TestIssuanceGuard
/// @notice Test-only issuance guard: records what the token passes to `checkNewSeries`, checks the series is already
///         readable from the token at that point, and refuses when told to.
contract TestIssuanceGuard is IIssuanceGuard {
    error GuardRefused(uint256 id);

    IHashpowerToken public immutable token;
    bool public refuse;
    uint256 public calls;
    uint256 public lastId;
    uint64 public lastHashrateThs;
    bool public seriesReadable;

    constructor(IHashpowerToken token_) {
        token = token_;
    }

    /// @notice Makes the next `checkNewSeries` calls revert `GuardRefused` (or not).
    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    /// @inheritdoc IIssuanceGuard
    function checkNewSeries(uint256 id, IHashpowerToken.SeriesTerms calldata terms) external {
        if (refuse) revert GuardRefused(id);
        ++calls;
        lastId = id;
        lastHashrateThs = terms.hashrateThs;
        seriesReadable = token.seriesTerms(id).hashrateThs == terms.hashrateThs;
    }
}
