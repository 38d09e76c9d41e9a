// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {ISeriesWrapper} from "../interfaces/ISeriesWrapper.sol";

/// @title SeriesWrapper
/// @notice ERC-20 of one hash-power series. **1 wrapped token = 1 unit = 1 TH/s·day; decimals 0.** Wrapping and
///         unwrapping are 1:1; the series' yield follows the ERC-20: whoever holds a wrapped token when a day is
///         settled earns exactly what an unwrapped unit earns that day.
/// @dev Deployed by `SeriesWrapperFactory` at a CREATE2 address (salt = series id).
///
///      Yield pass-through. The wrapper holds `totalSupply()` units of the series (every mint and burn of the
///      ERC-20 is matched by an ERC-1155 transfer in or out), so in the token it accrues `totalSupply · Δacc`
///      where `acc` is the series' accumulator (sats per unit × 1e36). It passes that on with an accumulator of
///      its own whose per-unit value *is* the token's: each holder has a checkpoint `paidE36` and a 1e36-scaled
///      `accruedE36`, settled (`accrued += balance · (acc − paid); paid = acc`) for both parties in `_update`
///      before every balance change (mints, burns, transfers). Hence, exactly, at 1e36 scale:
///        Σ holders' accrual (settled + unsettled) = wrapper's accrual in the token + (harvested − claimed) · 1e36
///      A wrapped unit earns bit-for-bit what an unwrapped unit earns (no re-distribution, so no second rounding
///      and no remainder to carry: the token carries the distribution remainder), and the record date is the
///      token's: a transfer needs no harvest, only a read of the token's accumulator. A claim pays
///      `floor(accrued / 1e36)` sats, keeps the sub-sat remainder, and harvests from the token first when the
///      wrapper's balance is short; since Σ floor ≤ floor Σ, the wrapper can always pay every holder.
///
///      Contract holders (Morpho Blue) accrue like anyone; their claimer (set by the factory's CLAIMER_ADMIN,
///      Aave v3's `setClaimer` model) claims for them, e.g. `MorphoCollateralAdapter` for Morpho.
///
///      Trust: the token's CLAIMER_ADMIN could name a claimer for this wrapper in the token and drain the yield
///      not yet harvested; the factory's CLAIMER_ADMIN can redirect the yield of contract holders (never EOAs).
contract SeriesWrapper is ERC20, IERC1155Receiver, ReentrancyGuardTransient, ISeriesWrapper {
    using SafeERC20 for IERC20;

    /// @notice Role (in the factory's AccessControl) that may call `setClaimerFor`.
    bytes32 public constant CLAIMER_ADMIN_ROLE = keccak256("CLAIMER_ADMIN_ROLE");
    /// @notice Scale of the accumulator and of accruals.
    uint256 public constant ACC_SCALE = 1e36;

    /// @inheritdoc ISeriesWrapper
    IHashpowerToken public immutable token;
    /// @inheritdoc ISeriesWrapper
    uint256 public immutable seriesId;
    /// @inheritdoc ISeriesWrapper
    IERC20 public immutable payoutAsset;
    /// @notice The factory that deployed this wrapper; its AccessControl holds CLAIMER_ADMIN_ROLE.
    address public immutable factory;

    /// @dev Holder checkpoint: accumulator at the last settlement and settled unclaimed sats × 1e36.
    struct Checkpoint {
        uint256 paidE36;
        uint256 accruedE36;
    }

    mapping(address holder => Checkpoint) private _checkpoints;
    mapping(address holder => address) private _claimers;
    uint256 private _harvested;
    uint256 private _claimed;

    /// @param token_ the hash-power token; @param id the series to wrap (reverts `UnknownSeries` via the token).
    constructor(IHashpowerToken token_, uint256 id)
        ERC20(
            string.concat("Wrapped hashpower series ", Strings.toString(id), unicode" (1 token = 1 TH/s·day)"),
            string.concat("wTHD-", Strings.toString(id))
        )
    {
        token = token_;
        seriesId = id;
        payoutAsset = IERC20(token_.seriesTerms(id).payoutAsset);
        factory = msg.sender;
    }

    /// @notice 0: one wrapped token is one indivisible unit of one TH/s·day.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    // ------------------------------------------------------------------ wrap / unwrap
    /// @inheritdoc ISeriesWrapper
    function wrap(uint256 units, address to) external nonReentrant {
        if (units == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        // The token calls back `onERC1155Received`, which mints to `to` and emits `Wrapped`.
        IERC1155(address(token)).safeTransferFrom(msg.sender, address(this), seriesId, units, abi.encode(to));
    }

    /// @inheritdoc ISeriesWrapper
    function unwrap(uint256 units, address to) external nonReentrant {
        if (units == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        _burn(msg.sender, units);
        emit Unwrapped(msg.sender, to, units);
        IERC1155(address(token)).safeTransferFrom(address(this), to, seriesId, units, "");
    }

    /// @notice ERC-1155 receipt hook: a receipt of `value` units of the series mints `value` wrapped tokens to
    ///         the address ABI-encoded in `data`, or to `from` when `data` is empty. So a holder may also wrap by
    ///         a plain `safeTransferFrom` to the wrapper, and a farm may mint straight into it with
    ///         `data = abi.encode(recipient)`.
    /// @dev Reverts `NotHashpowerToken`, `WrongSeries`, `ZeroAmount`, `InvalidData`, `ZeroAddress` (no recipient),
    ///      `InvalidRecipient` (the wrapper itself, e.g. an unwrap to the wrapper).
    ///      Emits `Wrapped(from, to, value)`.
    function onERC1155Received(address, address from, uint256 id, uint256 value, bytes calldata data)
        external
        returns (bytes4)
    {
        if (msg.sender != address(token)) revert NotHashpowerToken(msg.sender);
        if (id != seriesId) revert WrongSeries(id);
        if (value == 0) revert ZeroAmount();
        address to = from;
        if (data.length == 32) to = abi.decode(data, (address));
        else if (data.length != 0) revert InvalidData();
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert InvalidRecipient(to);
        _mint(to, value);
        emit Wrapped(from, to, value);
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

    // ------------------------------------------------------------------ yield
    /// @inheritdoc ISeriesWrapper
    function harvest() external nonReentrant returns (uint256 amount) {
        return _harvest();
    }

    /// @inheritdoc ISeriesWrapper
    function claim(address receiver) external nonReentrant returns (uint256 amount) {
        return _claim(msg.sender, receiver);
    }

    /// @inheritdoc ISeriesWrapper
    function claimOnBehalf(address holder, address receiver) external nonReentrant returns (uint256 amount) {
        address claimer = _claimers[holder];
        if (claimer == address(0) || claimer != msg.sender) revert NotClaimer(holder, msg.sender);
        return _claim(holder, receiver);
    }

    /// @inheritdoc ISeriesWrapper
    function setClaimer(address claimer) external {
        _claimers[msg.sender] = claimer;
        emit ClaimerSet(msg.sender, claimer, false);
    }

    /// @inheritdoc ISeriesWrapper
    function setClaimerFor(address holder, address claimer) external {
        if (!IAccessControl(factory).hasRole(CLAIMER_ADMIN_ROLE, msg.sender)) revert NotClaimerAdmin(msg.sender);
        if (holder == address(0)) revert ZeroAddress();
        if (holder.code.length == 0) revert NotContract(holder);
        _claimers[holder] = claimer;
        emit ClaimerSet(holder, claimer, true);
    }

    // ------------------------------------------------------------------ views
    /// @inheritdoc ISeriesWrapper
    function claimable(address account) external view returns (uint256) {
        Checkpoint storage c = _checkpoints[account];
        uint256 accrued = c.accruedE36;
        uint256 balance = balanceOf(account);
        if (balance != 0) accrued += balance * (_acc() - c.paidE36);
        return accrued / ACC_SCALE;
    }

    /// @inheritdoc ISeriesWrapper
    function accPerUnitE36() external view returns (uint256) {
        return _acc();
    }

    /// @inheritdoc ISeriesWrapper
    function checkpoint(address account) external view returns (uint256 paidE36, uint256 accruedE36) {
        Checkpoint storage c = _checkpoints[account];
        return (c.paidE36, c.accruedE36);
    }

    /// @inheritdoc ISeriesWrapper
    function claimerOf(address holder) external view returns (address) {
        return _claimers[holder];
    }

    /// @inheritdoc ISeriesWrapper
    function totalHarvested() external view returns (uint256) {
        return _harvested;
    }

    /// @inheritdoc ISeriesWrapper
    function totalClaimed() external view returns (uint256) {
        return _claimed;
    }

    // ------------------------------------------------------------------ internals
    /// @dev Settles both parties at the token's accumulator before OpenZeppelin moves the balance.
    function _update(address from, address to, uint256 value) internal override {
        uint256 acc = _acc();
        if (from != address(0)) _settle(from, acc);
        if (to != address(0) && to != from) _settle(to, acc);
        super._update(from, to, value);
    }

    /// @dev `accrued += balance · (acc − paid); paid = acc` (accumulator.ts `settle`).
    function _settle(address account, uint256 acc) private {
        Checkpoint storage c = _checkpoints[account];
        uint256 paid = c.paidE36;
        if (paid == acc) return;
        uint256 balance = balanceOf(account);
        if (balance != 0) c.accruedE36 += balance * (acc - paid);
        c.paidE36 = acc;
    }

    /// @dev Settles `holder`, pays `floor(accrued / 1e36)` sats, keeps the remainder; harvests when short.
    function _claim(address holder, address receiver) private returns (uint256 amount) {
        if (receiver == address(0)) revert ZeroAddress();
        _settle(holder, _acc());
        Checkpoint storage c = _checkpoints[holder];
        amount = c.accruedE36 / ACC_SCALE;
        if (amount == 0) return 0;
        c.accruedE36 -= amount * ACC_SCALE;
        _claimed += amount;
        if (payoutAsset.balanceOf(address(this)) < amount) _harvest();
        payoutAsset.safeTransfer(receiver, amount);
        emit Claimed(holder, receiver, msg.sender, amount);
    }

    /// @dev Claims the wrapper's whole-sat accrual in the token into the wrapper.
    function _harvest() private returns (uint256 amount) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = seriesId;
        amount = token.claim(ids, address(this))[0];
        if (amount != 0) {
            uint256 total = _harvested + amount;
            _harvested = total;
            emit Harvested(amount, total);
        }
    }

    /// @dev The series' accumulator in the token, sats per unit × 1e36.
    function _acc() private view returns (uint256) {
        return token.accPerUnitE36(seriesId);
    }
}
