// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {ISeriesWrapper} from "../interfaces/ISeriesWrapper.sol";

/// @title SeriesWrapper
/// @notice Accumulating ERC-20 share of one hash-power series: **1 share = 1 unit (1 TH/s·day) + `index` sats**,
///         decimals 0. The units' payouts stay inside the wrapper and raise the index of every share equally, as
///         wstETH's exchange rate or sDAI's `chi`: a holder earns by holding through time, never by holding at an
///         instant. A share is a plain OpenZeppelin ERC-20 (no transfer hooks), so Morpho Blue takes it as
///         collateral directly: no adapter, no per-borrower records, a liquidator seizes the yield with the units.
/// @dev Deployed by `SeriesWrapperFactory` at a CREATE2 address (salt = series id).
///
///      Accounting (all from the token's accumulator `acc` of the series, sats per unit × 1e36):
///        indexE36   = acc − acc0,  acc0 = acc when the wrapper was created (so the index starts at 0)
///        wrap n     : pays in  ceil(n · indexE36 / 1e36) sats  (rounded in the wrapper's favour)
///        unwrap n   : pays out floor(n · indexE36 / 1e36) sats (rounded in the wrapper's favour)
///        reserve    = Σ wrap payments + Σ harvests − Σ unwrap payments (sats; a counter, never balanceOf)
///      Solvency (exact, at 1e36 scale): the wrapper holds `supply` units in the token, so it accrues
///      `supply · Δacc` there, exactly what its shares' claim `supply · ΔindexE36` grows by; every wrap pays at
///      least, and every unwrap pays at most, the exact claim of the shares it mints or burns. Hence
///        reserve · 1e36 + wrapper's unclaimed accrual in the token ≥ supply · indexE36
///      and an unwrap of n ≤ supply shares can always be paid (after a harvest: floor(n·I) ≤ reserve + floor(T)).
///      Edge cases: the index does not depend on the supply or on any balance, so the first wrapper of an
///      empty wrapper pays the same per share as every other (no first-depositor inflation); with supply 0 the
///      index still follows `acc` and a later wrap pays it in. Units arrive only through `wrap` (a plain
///      ERC-1155 transfer or a mint to the wrapper is refused), and donated sats are not in `reserve`: a
///      donation moves nothing. Flash loans: a flash borrower of shares returns the shares it took, and shares
///      unwrapped inside the loan must be wrapped back at the then-current index (the token also refuses to
///      settle a series whose units moved in the same transaction: `SeriesMovedInTransaction`).
///
///      Trust: none beyond the token (no admin, no upgrade). The token's CLAIMER_ADMIN could name a claimer for
///      this wrapper in the token and take its unharvested yield; that role should be held by a timelock.
contract SeriesWrapper is ERC20, IERC1155Receiver, ReentrancyGuardTransient, ISeriesWrapper {
    using SafeERC20 for IERC20;

    uint256 private constant ACC_SCALE = 1e36;

    /// @inheritdoc ISeriesWrapper
    IHashpowerToken public immutable token;
    /// @inheritdoc ISeriesWrapper
    uint256 public immutable seriesId;
    /// @inheritdoc ISeriesWrapper
    IERC20 public immutable payoutAsset;
    /// @inheritdoc ISeriesWrapper
    uint256 public immutable acc0;

    uint256 private _reserve;
    uint256 private _harvested;
    /// @dev Set only inside `wrap`, so `onERC1155Received` accepts exactly the units `wrap` pulls.
    bool private transient _wrapping;

    /// @param token_ the hash-power token; @param id the series to wrap (reverts `UnknownSeries` via the token).
    constructor(IHashpowerToken token_, uint256 id)
        ERC20(
            string.concat("Hashpower series ", Strings.toString(id), unicode" share (1 TH/s·day + accrued sats)"),
            string.concat("sTHD-", Strings.toString(id))
        )
    {
        token = token_;
        seriesId = id;
        payoutAsset = IERC20(token_.seriesTerms(id).payoutAsset);
        acc0 = token_.accPerUnitE36(id);
    }

    /// @notice 0: one share is one indivisible unit of one TH/s·day plus its accrued sats.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    // ------------------------------------------------------------------ wrap / unwrap
    /// @inheritdoc ISeriesWrapper
    function wrap(uint256 units, address to) external nonReentrant returns (uint256 sats) {
        if (units == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert InvalidRecipient(to);
        uint256 index = indexE36();
        sats = Math.mulDiv(units, index, ACC_SCALE, Math.Rounding.Ceil);
        if (sats != 0) {
            _reserve += sats;
            payoutAsset.safeTransferFrom(msg.sender, address(this), sats);
        }
        _wrapping = true;
        IERC1155(address(token)).safeTransferFrom(msg.sender, address(this), seriesId, units, "");
        _wrapping = false;
        _mint(to, units);
        emit Wrapped(msg.sender, to, units, sats, index);
    }

    /// @inheritdoc ISeriesWrapper
    function unwrap(uint256 units, address to) external nonReentrant returns (uint256 sats) {
        if (units == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert InvalidRecipient(to);
        uint256 index = indexE36();
        _burn(msg.sender, units);
        sats = Math.mulDiv(units, index, ACC_SCALE);
        if (sats != 0) {
            if (_reserve < sats) _harvest();
            _reserve -= sats; // cannot underflow: solvency invariant (contract notes)
        }
        emit Unwrapped(msg.sender, to, units, sats, index);
        IERC1155(address(token)).safeTransferFrom(address(this), to, seriesId, units, "");
        if (sats != 0) payoutAsset.safeTransfer(to, sats);
    }

    /// @inheritdoc ISeriesWrapper
    function harvest() external nonReentrant returns (uint256 amount) {
        return _harvest();
    }

    /// @notice ERC-1155 receipt hook: accepts the units `wrap` pulls, refuses everything else.
    /// @dev Reverts `NotHashpowerToken`, `DirectDepositRefused` (any receipt not initiated by `wrap`: a plain
    ///      transfer or a mint to the wrapper would add units without paying the index in).
    function onERC1155Received(address operator, address, uint256, uint256, bytes calldata)
        external
        view
        returns (bytes4)
    {
        if (msg.sender != address(token)) revert NotHashpowerToken(msg.sender);
        if (operator != address(this) || !_wrapping) revert DirectDepositRefused(operator);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Batch receipts are refused (`BatchNotSupported`).
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        revert BatchNotSupported();
    }

    /// @notice ERC-165: IERC1155Receiver and IERC165.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ views
    /// @inheritdoc ISeriesWrapper
    function indexE36() public view returns (uint256) {
        return token.accPerUnitE36(seriesId) - acc0;
    }

    /// @inheritdoc ISeriesWrapper
    function previewWrap(uint256 units) external view returns (uint256) {
        return Math.mulDiv(units, indexE36(), ACC_SCALE, Math.Rounding.Ceil);
    }

    /// @inheritdoc ISeriesWrapper
    function previewUnwrap(uint256 units) external view returns (uint256) {
        return Math.mulDiv(units, indexE36(), ACC_SCALE);
    }

    /// @inheritdoc ISeriesWrapper
    function reserve() external view returns (uint256) {
        return _reserve;
    }

    /// @inheritdoc ISeriesWrapper
    function totalHarvested() external view returns (uint256) {
        return _harvested;
    }

    // ------------------------------------------------------------------ internals
    /// @dev Claims the wrapper's whole-sat accrual in the token into the reserve.
    function _harvest() private returns (uint256 amount) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = seriesId;
        amount = token.claim(ids, address(this))[0];
        if (amount != 0) {
            _reserve += amount;
            uint256 total = _harvested + amount;
            _harvested = total;
            emit Harvested(amount, total);
        }
    }
}
