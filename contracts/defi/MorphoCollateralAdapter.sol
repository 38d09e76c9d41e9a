// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMorpho, Id, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {IMorphoCollateralAdapter} from "../interfaces/IMorphoCollateralAdapter.sol";
import {ISeriesWrapper} from "../interfaces/ISeriesWrapper.sol";
import {SeriesWrapperFactory} from "./SeriesWrapperFactory.sol";

/// @title MorphoCollateralAdapter
/// @notice Keeps the yield of hash-power collateral with the borrower while Morpho Blue holds it. Wrapped units
///         supplied to Morpho accrue, in the wrapper, to Morpho's address; this adapter is Morpho's claimer in
///         every wrapper (set by the factory's CLAIMER_ADMIN) and splits what it claims among the borrowers by
///         their recorded collateral.
/// @dev One adapter serves every market of one Morpho instance whose collateral is a wrapper of `factory`.
///
///      Records. For each (market, user) the adapter records Morpho's `position(id, user).collateral` at the
///      user's last `sync`; the records of all markets sharing a wrapper form that wrapper's pool. Sync happens in
///      the adapter's own supply / withdraw / claim, and anyone may call `sync` (a keeper or the liquidator after a
///      Morpho `liquidate`; the indexer can watch Morpho's `Liquidate`, `SupplyCollateral`, `WithdrawCollateral`).
///
///      Split (the accumulator pattern again, second level). Every action first harvests: `x` sats claimed from
///      the wrapper for Morpho's address are credited per unit over `den = max(recorded, held)`, where `held` is
///      Morpho's wrapper balance: `acc += (x·1e36 + carry) / den`, remainder carried; the share of units Morpho
///      holds but nobody recorded (`den − recorded`, deposits that bypassed the adapter and were never synced) is
///      set aside as `unallocated` (the owner may return it; syncing such a position records it from then on).
///      A user's accrual is `collateral · (acc − paid)`, settled before its record changes. Hence, exactly:
///        received · 1e36 = paid · 1e36 + Σ users' accrual (incl. unsettled) + carry + unallocated
///      so nobody is ever paid more than the wrapper paid Morpho's address. When every unit Morpho holds is
///      recorded and nothing changed between harvests, each recorded unit earns what a wrapped unit earns.
///
///      Liquidation window (limit). Morpho calls no hook on `liquidate`: the seized units leave Morpho (the
///      liquidator earns their yield in the wrapper from then on), but the borrower's record keeps the old
///      collateral until someone syncs it. Yield arrives only when a day is settled, so a sync before the next
///      settlement loses nothing. If a day is settled in between, that day's yield (on the units Morpho still
///      holds) is split over a `recorded` larger than `held`: the stale record takes a share and the other
///      borrowers get proportionally less; the total stays bounded by what Morpho's address was paid. The same
///      holds for a borrower who withdraws directly from Morpho without syncing; anyone can sync them.
///      Between two harvests the split uses the records and `held` at harvest time; changes the adapter did not
///      make (direct Morpho actions) are only seen at the next harvest.
contract MorphoCollateralAdapter is IMorphoCollateralAdapter, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Scale of the accumulator and of accruals.
    uint256 public constant ACC_SCALE = 1e36;

    /// @notice The Morpho Blue instance.
    IMorpho public immutable morpho;
    /// @notice The factory whose wrappers are accepted as collateral.
    SeriesWrapperFactory public immutable factory;

    /// @dev Per-wrapper pool (across markets).
    struct Pool {
        uint256 totalRecorded; // units
        uint256 accPerUnitE36; // sats per recorded unit × 1e36
        uint256 carryE36; // distribution remainder, sats × 1e36
        uint256 unallocatedE36; // set aside for unrecorded units, sats × 1e36
        uint256 received; // sats claimed from the wrapper
        uint256 paid; // sats paid to users and swept
    }

    /// @dev Per (market, user) record.
    struct Account {
        uint256 collateral; // units recorded at the last sync
        uint256 paidE36; // pool accumulator at the last settlement
        uint256 accruedE36; // settled unclaimed, sats × 1e36
    }

    mapping(address wrapper => Pool) private _pools;
    mapping(Id id => address wrapper) private _marketWrapper;
    mapping(Id id => mapping(address user => Account)) private _accounts;

    /// @param morpho_ Morpho Blue; @param factory_ the wrapper factory; @param owner_ may sweep unallocated yield.
    /// @dev Reverts `ZeroAddress`.
    constructor(IMorpho morpho_, SeriesWrapperFactory factory_, address owner_) Ownable(owner_) {
        if (address(morpho_) == address(0) || address(factory_) == address(0)) revert ZeroAddress();
        morpho = morpho_;
        factory = factory_;
    }

    // ------------------------------------------------------------------ actions
    /// @inheritdoc IMorphoCollateralAdapter
    function supplyCollateral(MarketParams calldata marketParams, uint256 units, address onBehalf)
        external
        nonReentrant
    {
        if (units == 0) revert ZeroAmount();
        if (onBehalf == address(0)) revert ZeroAddress();
        Id id = _id(marketParams);
        address wrapper = _register(id);
        _harvest(wrapper);
        IERC20(wrapper).safeTransferFrom(msg.sender, address(this), units);
        IERC20(wrapper).forceApprove(address(morpho), units);
        morpho.supplyCollateral(marketParams, units, onBehalf, "");
        emit CollateralSupplied(id, msg.sender, onBehalf, units);
        _sync(id, wrapper, onBehalf);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function withdrawCollateral(MarketParams calldata marketParams, uint256 units, address receiver)
        external
        nonReentrant
    {
        if (units == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        Id id = _id(marketParams);
        address wrapper = _register(id);
        _harvest(wrapper);
        morpho.withdrawCollateral(marketParams, units, msg.sender, receiver);
        emit CollateralWithdrawn(id, msg.sender, receiver, units);
        _sync(id, wrapper, msg.sender);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function sync(Id id, address user) external nonReentrant {
        address wrapper = _register(id);
        _harvest(wrapper);
        _sync(id, wrapper, user);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function claim(Id id, address receiver) external nonReentrant returns (uint256 amount) {
        return _claim(id, msg.sender, receiver);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function claimFor(Id id, address user, address receiver) external nonReentrant returns (uint256 amount) {
        if (msg.sender != user && !morpho.isAuthorized(user, msg.sender)) revert NotAuthorized(user, msg.sender);
        return _claim(id, user, receiver);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function sweepUnallocated(address wrapper, address to) external onlyOwner nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        Pool storage p = _pools[wrapper];
        amount = p.unallocatedE36 / ACC_SCALE;
        if (amount == 0) return 0;
        p.unallocatedE36 -= amount * ACC_SCALE;
        p.paid += amount;
        ISeriesWrapper(wrapper).payoutAsset().safeTransfer(to, amount);
        emit UnallocatedSwept(wrapper, to, amount);
    }

    // ------------------------------------------------------------------ views
    /// @inheritdoc IMorphoCollateralAdapter
    function claimable(Id id, address user) external view returns (uint256) {
        address wrapper = _marketWrapper[id];
        if (wrapper == address(0)) wrapper = _lookup(id);
        Pool storage p = _pools[wrapper];
        uint256 acc = p.accPerUnitE36;
        uint256 pending = ISeriesWrapper(wrapper).claimable(address(morpho));
        if (pending != 0) {
            uint256 den = _den(wrapper, p.totalRecorded);
            if (den != 0) acc += (pending * ACC_SCALE + p.carryE36) / den;
        }
        Account storage a = _accounts[id][user];
        return (a.accruedE36 + a.collateral * (acc - a.paidE36)) / ACC_SCALE;
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function accountOf(Id id, address user)
        external
        view
        returns (uint256 collateral, uint256 paidE36, uint256 accruedE36)
    {
        Account storage a = _accounts[id][user];
        return (a.collateral, a.paidE36, a.accruedE36);
    }

    /// @inheritdoc IMorphoCollateralAdapter
    function poolOf(address wrapper)
        external
        view
        returns (
            uint256 totalRecorded,
            uint256 accPerUnitE36,
            uint256 carryE36,
            uint256 unallocatedE36,
            uint256 received,
            uint256 paid
        )
    {
        Pool storage p = _pools[wrapper];
        return (p.totalRecorded, p.accPerUnitE36, p.carryE36, p.unallocatedE36, p.received, p.paid);
    }

    /// @notice The wrapper used as collateral by market `id` (address(0) before its first use here).
    function marketWrapper(Id id) external view returns (address) {
        return _marketWrapper[id];
    }

    // ------------------------------------------------------------------ internals
    /// @dev Morpho's market id: keccak256 of the ABI-encoded params (MarketParamsLib).
    function _id(MarketParams calldata marketParams) private pure returns (Id) {
        return Id.wrap(keccak256(abi.encode(marketParams)));
    }

    /// @dev The market's wrapper, validated and cached on first use. Emits `MarketRegistered` then.
    function _register(Id id) private returns (address wrapper) {
        wrapper = _marketWrapper[id];
        if (wrapper != address(0)) return wrapper;
        wrapper = _lookup(id);
        _marketWrapper[id] = wrapper;
        emit MarketRegistered(id, wrapper);
    }

    /// @dev Reads the market from Morpho; reverts `UnsupportedMarket` unless it exists with a factory wrapper.
    function _lookup(Id id) private view returns (address wrapper) {
        MarketParams memory mp = morpho.idToMarketParams(id);
        wrapper = mp.collateralToken;
        if (mp.loanToken == address(0) || !factory.isWrapper(wrapper)) revert UnsupportedMarket(id);
    }

    /// @dev Denominator of a split: the larger of the recorded units and Morpho's wrapper balance.
    function _den(address wrapper, uint256 recorded) private view returns (uint256) {
        uint256 held = IERC20(wrapper).balanceOf(address(morpho));
        return recorded > held ? recorded : held;
    }

    /// @dev Claims Morpho's yield from the wrapper and credits it to the pool (see contract notes).
    function _harvest(address wrapper) private {
        uint256 x = ISeriesWrapper(wrapper).claimOnBehalf(address(morpho), address(this));
        if (x == 0) return;
        Pool storage p = _pools[wrapper];
        p.received += x;
        uint256 recorded = p.totalRecorded;
        uint256 held = IERC20(wrapper).balanceOf(address(morpho));
        uint256 den = recorded > held ? recorded : held;
        uint256 unallocatedE36;
        if (den == 0) {
            unallocatedE36 = x * ACC_SCALE;
        } else {
            uint256 num = x * ACC_SCALE + p.carryE36;
            uint256 delta = num / den;
            p.carryE36 = num - delta * den;
            p.accPerUnitE36 += delta;
            unallocatedE36 = delta * (den - recorded);
        }
        if (unallocatedE36 != 0) p.unallocatedE36 += unallocatedE36;
        emit Harvested(wrapper, x, p.accPerUnitE36, unallocatedE36 / ACC_SCALE, recorded, held);
    }

    /// @dev Settles `user` on its recorded collateral, then records Morpho's current position.
    function _sync(Id id, address wrapper, address user) private {
        Pool storage p = _pools[wrapper];
        Account storage a = _accounts[id][user];
        _settle(p, a);
        uint256 oldUnits = a.collateral;
        uint256 newUnits = morpho.position(id, user).collateral;
        uint256 total = p.totalRecorded;
        if (newUnits != oldUnits) {
            a.collateral = newUnits;
            total = total + newUnits - oldUnits;
            p.totalRecorded = total;
        }
        emit CollateralSynced(id, user, oldUnits, newUnits, total);
    }

    /// @dev `accrued += collateral · (acc − paid); paid = acc`.
    function _settle(Pool storage p, Account storage a) private {
        uint256 acc = p.accPerUnitE36;
        uint256 paid = a.paidE36;
        if (paid == acc) return;
        uint256 units = a.collateral;
        if (units != 0) a.accruedE36 += units * (acc - paid);
        a.paidE36 = acc;
    }

    /// @dev Harvests, syncs `user` and pays its whole sats to `receiver`. Emits `Claimed` when non-zero.
    function _claim(Id id, address user, address receiver) private returns (uint256 amount) {
        if (receiver == address(0)) revert ZeroAddress();
        address wrapper = _register(id);
        _harvest(wrapper);
        _sync(id, wrapper, user);
        Account storage a = _accounts[id][user];
        amount = a.accruedE36 / ACC_SCALE;
        if (amount == 0) return 0;
        a.accruedE36 -= amount * ACC_SCALE;
        _pools[wrapper].paid += amount;
        ISeriesWrapper(wrapper).payoutAsset().safeTransfer(receiver, amount);
        emit Claimed(id, user, receiver, msg.sender, amount);
    }
}
