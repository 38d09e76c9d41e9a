// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Burnable} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Burnable.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ParameterTimelock} from "./governance/ParameterTimelock.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {Arrays} from "@openzeppelin/contracts/utils/Arrays.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IHashpowerToken, IIssuanceGuard} from "./interfaces/IHashpowerToken.sol";

/// @title HashpowerToken
/// @notice ERC-1155 hash-power series: token id = series id, **one unit = one TH/s·day**. Farms registered by a
///         FARM_ADMIN issue series within their capacity (TH/s) and mint up to `hashrateThs × termDays` units;
///         payouts in an 8-decimal ERC-20 (sats) are credited pro rata to holders in O(1) gas and claimed by pull.
/// @dev Accounting (model: `domain/accumulator.ts`, bit-identical; pattern: Synthetix `rewardPerToken`,
///      MasterChef `accPerShare` and `rewardDebt`): per series an accumulator `acc` of sats per unit × 1e36 and a
///      carried remainder `carry` (× 1e36, < supply). A distribution of `amount` sats does
///      `num = amount·1e36 + carry; acc += num / supply; carry = num % supply`. A holder's exact accrual (sats ×
///      1e36, settled or not) is `accrued = balance·acc − debt`, where its reward debt `debt` moves with its balance
///      at the current `acc` (`debt ± value·acc` on every balance change, mints and burns included), so a transfer
///      never moves earned yield and needs no settlement. A claim pays `floor(accrued / 1e36)` (`debt += paid·1e36`)
///      and keeps the sub-sat remainder. This is the same arithmetic, rounding for rounding, as settling
///      `accrued += balance·(acc − paid)` before every balance change (the mirror's form: `debt = balance·paid −
///      accrued`). Hence, per series: `distributed·1e36 = claimed·1e36 + Σ accrued + carry`, where `claimed` is the
///      sum of the `Claimed` events.
///
///      Gas: OpenZeppelin's ERC1155 balance storage is replaced by one slot per (id, holder):
///      `debt mod 2^192 << 64 | balance`. Bounds (all enforced, so the packing is exact):
///      - `balance ≤ supply ≤ minted ≤ cap = hashrateThs × termDays < 2^64` (`createSeries` refuses a larger cap);
///      - `distributed < 2^64` sats per series (`SafeCastOverflowedUintDowncast` on the distribution that would
///        exceed it, ≈ 1.8e11 BTC);
///      - hence every holder's `0 ≤ accrued ≤ Σ accrued ≤ distributed·1e36 < 2^64·2^119.6 < 2^184`: the debt is
///        kept modulo 2^192 (every `±` above is exact modulo 2^192) and `(balance·acc − debt) mod 2^192` is the
///        true accrual, as it lies in [0, 2^192);
///      - `acc = Σ δ ≤ Σ δ·supply = Σ amount·1e36 − carry ≤ distributed·1e36 < 2^184` (δ: a distribution's
///        increment; supply ≥ 1), so `acc` fits its 192 bits and `value·acc < 2^64·2^184 = 2^248` never overflows.
///      A transfer reads one series slot (`acc`) and writes the two holder slots, as a plain ERC-1155 writes its two
///      balances; a claim reads one series slot and writes one holder slot per series. An all-zero holder slot
///      means no balance and nothing owed, so emptying an account that has claimed everything refunds as plain.
///      Everything else of ERC-1155 (approvals, receiver checks, events) is OpenZeppelin's.
///
///      Record-date rule (flash guard): a distribution (`distribute`, `distributeRepayment`) credits the holders
///      of the series at the moment of the call, pro rata to their balances, **provided no balance of that series
///      changed earlier in the same transaction**; otherwise it reverts `SeriesMovedInTransaction(id)`. Every
///      balance change (transfer, batch transfer, mint, burn) of id `id` sets a transient flag for `id` (EIP-1153
///      TSTORE, cleared at the end of the transaction). So units held only inside one transaction (borrowed from
///      a flash lender, bought and sold in a flash swap) can never be the record-date holders of a settlement: the
///      holders credited are exactly those that held before the transaction began. A keeper's settle transaction
///      moves no units and is unaffected; a contract that moves units and then settles must do so in two
///      transactions. Balance changes after the distribution in the same transaction are allowed (the
///      distribution has already credited the pre-transaction holders).
///
///      Payout assets must be plain ERC-20s (no fee on transfer, no rebasing), as WBTC is: the token credits the
///      `amount` it asks `transferFrom` for.
///
///      Trust: DISTRIBUTOR_ROLE has one holder, `distributor` (the settlement contract), that no role can grant:
///      its admin role is held by nobody and `setDistributor` is timelocked after the deployment wiring, as is
///      `setIssuanceGuard` (`ParameterTimelock`: the guardian cancels, the admin cannot bypass). No role names a
///      holder's claimer: only the holder does (`setClaimer`).
contract HashpowerToken is IHashpowerToken, ERC1155Burnable, ParameterTimelock, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using BitMaps for BitMaps.BitMap;
    using Arrays for uint256[];

    // ------------------------------------------------------------------ constants
    /// @notice Role that registers farms and sets their capacity (TH/s).
    bytes32 public constant FARM_ADMIN_ROLE = keccak256("FARM_ADMIN_ROLE");
    /// @notice Role that may call `distribute` / `distributeRepayment`: held by `distributor` only (see `setDistributor`).
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");
    /// @notice Role that may pause and unpause (mint, createSeries, distribute; never transfers or claims).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Scale of the accumulator and of per-holder accruals: sats per unit × 1e36.
    uint256 public constant ACC_SCALE = 1e36;
    /// @notice 100 % in basis points.
    uint256 public constant BPS = 10_000;
    /// @notice Decimals the payout asset must have (8: amounts are sats).
    uint8 public constant PAYOUT_DECIMALS = 8;
    /// @notice Collection name shown by wallets and explorers.
    string public constant name = "Hashpower";
    /// @notice Collection symbol.
    string public constant symbol = "HASHPOWER";

    /// @dev Admin role of DISTRIBUTOR_ROLE and of itself; never granted, so `grantRole` can never hand out either.
    bytes32 private constant _NOBODY_ROLE = keccak256("hashpower.NOBODY");
    uint256 private constant _BALANCE_BITS = 64;
    uint256 private constant _MASK_192 = (1 << 192) - 1;
    uint256 private constant _BALANCE_MASK = (1 << _BALANCE_BITS) - 1;
    /// @dev Seed of the transient "series moved in this transaction" flags: slot = keccak256(id, seed).
    uint256 private constant _MOVED_SEED = 0x482b0d4c1880c328ddac4c2e86468a0c287a56cf694f9dd3daeaf39c07af37ba; // keccak256("hashpower.token.movedInTx")

    // ------------------------------------------------------------------ storage
    /// @dev A registered farm. `capacityThs` bounds the hashrate its series may overlap in time.
    struct Farm {
        bool registered;
        uint64 capacityThs;
        string name;
    }

    /// @dev A series: its terms (3 slots), the word transfers and claims read (`accAsset`) and the slot mints,
    ///      burns and distributions write (`supply` | `carry` | `minted` | `distributed`).
    struct Series {
        SeriesTerms terms;
        /// `assetSeries << 192 | accPerUnitE36`: the accumulator, sats per unit × 1e36 (≤ distributed·1e36 < 2^184,
        /// see contract notes), and the first series paid in the same payout asset (set by `createSeries`, so
        /// ≠ 0 exactly for an existing series), whose terms name the asset. One SLOAD gives a claim both.
        uint256 accAsset;
        uint64 supply; // units outstanding (≤ cap < 2^64)
        uint64 carryE36; // < supply
        uint64 minted; // ≤ cap
        uint64 distributed; // sats (< 2^64 ≈ 1.8e11 BTC, see contract notes)
    }

    mapping(address farm => Farm) private _farms;
    mapping(address farm => uint256[]) private _farmSeries;
    mapping(uint256 id => Series) private _series;
    /// @dev Bit `day − startDay` is set once the day has been distributed.
    mapping(uint256 id => BitMaps.BitMap) private _distributedDays;
    /// @dev Packed holder slot: `debtE36 mod 2^192 << 64 | balance` (reward debt, sats × 1e36; see contract notes).
    mapping(uint256 id => mapping(address holder => uint256)) private _holders;
    /// @dev First series (id) paid in each payout asset; a series keeps it as `assetSeries` so that a claim finds its
    ///      asset in the slot it reads anyway (the terms of that first series name the asset).
    mapping(address asset => uint256 id) private _assetSeries;
    mapping(address holder => address) private _claimers;

    /// @notice Contract consulted on every `createSeries` (the settlement's collateral check), or address(0).
    address public issuanceGuard;
    uint96 private _seriesCount;
    /// @inheritdoc IHashpowerToken
    address public distributor;
    bool private _guardWired;
    bool private _distributorWired;

    /// @notice Deploys the token; `admin` holds DEFAULT_ADMIN_ROLE and grants FARM_ADMIN_ROLE and PAUSER_ROLE;
    ///         `guardian` cancels timelocked changes. DISTRIBUTOR_ROLE is set by `setDistributor` only.
    /// @param admin receives DEFAULT_ADMIN_ROLE (reverts `ZeroAddress`); @param guardian GUARDIAN_ROLE (reverts
    ///        `ZeroGuardian`); @param delay seconds a parameter change waits (`ParameterTimelock`).
    constructor(address admin, address guardian, uint64 delay) ERC1155("") ParameterTimelock(guardian, delay) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRoleAdmin(_NOBODY_ROLE, _NOBODY_ROLE);
        _setRoleAdmin(DISTRIBUTOR_ROLE, _NOBODY_ROLE);
    }

    // ------------------------------------------------------------------ farms and series
    /// @inheritdoc IHashpowerToken
    /// @dev Re-registering a farm updates its capacity (TH/s) and name. Emits `FarmRegistered`, and the ERC-1155
    ///      `URI` event for each of the farm's series when the name changes (their metadata shows it).
    function registerFarm(address farm, uint64 capacityThs, string calldata farmName)
        external
        onlyRole(FARM_ADMIN_ROLE)
    {
        if (farm == address(0)) revert ZeroAddress();
        Farm storage f = _farms[farm];
        bool renamed = keccak256(bytes(f.name)) != keccak256(bytes(farmName));
        f.registered = true;
        f.capacityThs = capacityThs;
        f.name = farmName;
        emit FarmRegistered(farm, capacityThs, farmName);
        if (renamed) {
            uint256[] storage ids = _farmSeries[farm];
            for (uint256 i; i < ids.length; ++i) {
                emit URI(uri(ids[i]), ids[i]);
            }
        }
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Applies to series created afterwards; existing series are kept. Emits `FarmCapacitySet`.
    function setFarmCapacity(address farm, uint64 capacityThs) external onlyRole(FARM_ADMIN_ROLE) {
        Farm storage f = _farms[farm];
        if (!f.registered) revert UnknownFarm(farm);
        f.capacityThs = capacityThs;
        emit FarmCapacitySet(farm, capacityThs);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Not while paused (`EnforcedPause`). Reverts `UnknownFarm(msg.sender)`; `InvalidTerms` naming the field:
    ///      "farm" (≠ msg.sender), "hashrateThs" (0), "termDays" (0), "supplyCap" (`hashrateThs × termDays` ≥ 2^64
    ///      units, the bound of the packed balances), "poolFeeBps" / "slaBps" (> 10,000),
    ///      "payoutAsset" (zero or no code), "payoutAsset.decimals" (not 8); `CapacityExceeded(farm, peakThs,
    ///      capacityThs)` where `peakThs` is the largest summed hashrate (TH/s) of the farm's series, the new one
    ///      included, on any day of the new term. Then calls the issuance guard, if set, with the stored series.
    ///      Emits `SeriesCreated`.
    function createSeries(SeriesTerms calldata terms) external whenNotPaused returns (uint256 id) {
        Farm storage f = _farms[msg.sender];
        if (!f.registered) revert UnknownFarm(msg.sender);
        if (terms.farm != msg.sender) revert InvalidTerms("farm");
        if (terms.hashrateThs == 0) revert InvalidTerms("hashrateThs");
        if (terms.termDays == 0) revert InvalidTerms("termDays");
        if (uint256(terms.hashrateThs) * terms.termDays > type(uint64).max) revert InvalidTerms("supplyCap");
        if (terms.poolFeeBps > BPS) revert InvalidTerms("poolFeeBps");
        if (terms.slaBps > BPS) revert InvalidTerms("slaBps");
        if (terms.payoutAsset.code.length == 0) revert InvalidTerms("payoutAsset");
        if (!_hasPayoutDecimals(terms.payoutAsset)) revert InvalidTerms("payoutAsset.decimals");

        uint256 peakThs = _peakOverlapThs(msg.sender, terms.startDay, uint256(terms.startDay) + terms.termDays)
            + terms.hashrateThs;
        if (peakThs > f.capacityThs) revert CapacityExceeded(msg.sender, peakThs, f.capacityThs);

        id = ++_seriesCount;
        Series storage s = _series[id];
        s.terms = terms;
        uint256 assetSeries = _assetSeries[terms.payoutAsset];
        if (assetSeries == 0) _assetSeries[terms.payoutAsset] = assetSeries = id;
        s.accAsset = assetSeries << 192;
        _farmSeries[msg.sender].push(id);
        emit SeriesCreated(id, msg.sender, terms);

        address guard = issuanceGuard;
        if (guard != address(0)) IIssuanceGuard(guard).checkNewSeries(id, terms);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Also reverts `UnknownSeries`, `ZeroAmount` (units = 0), the ERC-1155 receiver errors; `SupplyCapExceeded`
    ///      reports the total that would have been minted (units, TH/s·days) and the cap. Burns do not free cap.
    ///      Emits `TransferSingle` from address(0).
    function mint(address to, uint256 id, uint256 units, bytes calldata data) external whenNotPaused {
        Series storage s = _series[id];
        address farm = s.terms.farm;
        if (farm == address(0)) revert UnknownSeries(id);
        if (farm != msg.sender) revert NotSeriesFarm(id, msg.sender);
        if (units == 0) revert ZeroAmount();
        uint256 cap = uint256(s.terms.hashrateThs) * s.terms.termDays;
        uint256 minted = s.minted + units;
        if (minted > cap) revert SupplyCapExceeded(id, minted, cap);
        s.minted = uint64(minted); // ≤ cap < 2^64
        _mint(to, id, units, data);
    }

    /// @notice Burns `units` TH/s·days of series `id` held by `account` (the caller, or an operator it approved for
    ///         all). The account is settled first, so yield it accrued stays claimable; the series' cap is not freed.
    ///         Allowed while paused.
    /// @dev Reverts `ERC1155MissingApprovalForAll`, `ERC1155InsufficientBalance`, `ERC1155InvalidSender`.
    ///      Emits `TransferSingle` to address(0).
    function burn(address account, uint256 id, uint256 units) public override {
        super.burn(account, id, units);
    }

    /// @notice Batch version of `burn`: burns `units[i]` TH/s·days of `ids[i]` from `account`, settling each id first.
    /// @dev Also reverts `ERC1155InvalidArrayLength`. Emits `TransferBatch` to address(0) (or `TransferSingle` for
    ///      one id).
    function burnBatch(address account, uint256[] memory ids, uint256[] memory units) public override {
        super.burnBatch(account, ids, units);
    }

    // ------------------------------------------------------------------ payouts
    /// @inheritdoc IHashpowerToken
    /// @dev Also reverts `UnknownSeries`, `AccessControlUnauthorizedAccount`, `EnforcedPause`,
    ///      `SeriesMovedInTransaction` (see the record-date rule). Record date: the holders at the time of the call
    ///      share `amount` (sats) pro rata to their units; a series whose balances moved earlier in the same
    ///      transaction cannot be distributed (record-date rule, contract notes). Emits `Distributed`.
    function distribute(uint256 id, uint32 day, uint256 amount)
        external
        nonReentrant
        onlyRole(DISTRIBUTOR_ROLE)
        whenNotPaused
    {
        _requireUnmoved(id);
        Series storage s = _series[id];
        if (s.terms.farm == address(0)) revert UnknownSeries(id);
        uint256 start = s.terms.startDay;
        if (day < start || day >= start + s.terms.termDays) revert DayOutsideTerm(id, day);
        BitMaps.BitMap storage done = _distributedDays[id];
        if (done.get(day - start)) revert AlreadyDistributed(id, day);
        done.set(day - start);
        (uint256 supply, uint256 acc) = amount == 0 ? (uint256(s.supply), s.accAsset & _MASK_192) : _accrue(s, id, amount);
        emit Distributed(id, day, amount, supply, acc);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Also reverts `UnknownSeries`, `AccessControlUnauthorizedAccount`, `EnforcedPause`,
    ///      `SeriesMovedInTransaction` (record-date rule, contract notes). Emits `RepaymentDistributed`.
    function distributeRepayment(uint256 id, uint256 amount)
        external
        nonReentrant
        onlyRole(DISTRIBUTOR_ROLE)
        whenNotPaused
    {
        _requireUnmoved(id);
        Series storage s = _series[id];
        if (s.terms.farm == address(0)) revert UnknownSeries(id);
        if (amount == 0) revert ZeroAmount();
        (uint256 supply, uint256 acc) = _accrue(s, id, amount);
        emit RepaymentDistributed(id, amount, supply, acc);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Reverts `ZeroAddress` (receiver), `UnknownSeries`. Pays `floor(accrued / 1e36)` sats per id and keeps
    ///      the sub-sat remainder; the ids paying something are paid in one transfer per run of consecutive ones
    ///      with the same payout asset (ids with nothing to pay neither break a run nor write storage). Gas: one
    ///      series slot read and one holder slot written per paying id (≈ 10,500 gas with its event), plus one
    ///      ERC-20 transfer per run. Emits `Claimed` for each id with a non-zero amount.
    function claim(uint256[] calldata ids, address receiver)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        return _claim(msg.sender, ids, receiver);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Also reverts `ZeroAddress` (receiver), `UnknownSeries`. The claimer chooses `receiver`.
    function claimOnBehalf(address holder, uint256[] calldata ids, address receiver)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        address claimer = _claimers[holder];
        if (claimer == address(0) || claimer != msg.sender) revert NotClaimer(holder, msg.sender);
        return _claim(holder, ids, receiver);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Reverts `NotTimelocked` when called directly after the first setting, `AccessControlUnauthorizedAccount`
    ///      for the first setting by a non-admin. Emits `IssuanceGuardSet`.
    function setIssuanceGuard(address guard) external {
        _authorizeWiring(_guardWired);
        _guardWired = true;
        issuanceGuard = guard;
        emit IssuanceGuardSet(guard);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Reverts `ZeroAddress`, `NotTimelocked` when called directly after the first setting,
    ///      `AccessControlUnauthorizedAccount` for the first setting by a non-admin. Emits `DistributorSet` and the
    ///      role events.
    function setDistributor(address distributor_) external {
        _authorizeWiring(_distributorWired);
        if (distributor_ == address(0)) revert ZeroAddress();
        _distributorWired = true;
        address old = distributor;
        if (old != address(0)) _revokeRole(DISTRIBUTOR_ROLE, old);
        distributor = distributor_;
        _grantRole(DISTRIBUTOR_ROLE, distributor_);
        emit DistributorSet(distributor_);
    }

    /// @inheritdoc IHashpowerToken
    /// @dev Emits `ClaimerSet(msg.sender, claimer)`.
    function setClaimer(address claimer) external {
        _claimers[msg.sender] = claimer;
        emit ClaimerSet(msg.sender, claimer);
    }


    /// @notice Stops `createSeries`, `mint`, `distribute` and `distributeRepayment`. Transfers, burns and claims
    ///         stay open (a lending market must be able to liquidate; holders must always reach their yield).
    /// @dev PAUSER_ROLE. Reverts `EnforcedPause` if already paused. Emits `Paused`.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts the pause. PAUSER_ROLE. Reverts `ExpectedPause` if not paused. Emits `Unpaused`.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ views
    /// @inheritdoc IHashpowerToken
    /// @dev Returns 0 for an unknown series. Equals `floor(accruedE36(account, id) / 1e36)`.
    function claimable(address account, uint256 id) external view returns (uint256) {
        return _accrued(_holders[id][account], _series[id].accAsset & _MASK_192) / ACC_SCALE;
    }

    /// @notice `account`'s exact unclaimed accrual in series `id`, sats × 1e36 (claimable sats and the sub-sat
    ///         remainder kept for the next claim): `accrued + balance · (acc − paid)` in the mirror's terms
    ///         (`domain/accumulator.ts`). 0 for an unknown series.
    function accruedE36(address account, uint256 id) external view returns (uint256) {
        return _accrued(_holders[id][account], _series[id].accAsset & _MASK_192);
    }

    /// @notice Units held by `account` in series `id` (TH/s·days).
    function balanceOf(address account, uint256 id) public view override returns (uint256) {
        return _holders[id][account] & _BALANCE_MASK;
    }

    /// @inheritdoc IHashpowerToken
    function seriesTerms(uint256 id) public view returns (SeriesTerms memory) {
        SeriesTerms memory t = _series[id].terms;
        if (t.farm == address(0)) revert UnknownSeries(id);
        return t;
    }

    /// @inheritdoc IHashpowerToken
    function seriesState(uint256 id) external view returns (SeriesState memory) {
        Series storage s = _series[id];
        if (s.terms.farm == address(0)) revert UnknownSeries(id);
        return SeriesState({
            supply: s.supply,
            minted: s.minted,
            accPerUnitE36: s.accAsset & _MASK_192,
            carryE36: s.carryE36,
            distributed: s.distributed
        });
    }

    /// @inheritdoc IHashpowerToken
    function totalSupply(uint256 id) external view returns (uint256) {
        return _series[id].supply;
    }

    /// @inheritdoc IHashpowerToken
    function accPerUnitE36(uint256 id) external view returns (uint256) {
        return _series[id].accAsset & _MASK_192;
    }

    /// @notice Supply cap of series `id`: `hashrateThs × termDays` units (TH/s·days). Reverts `UnknownSeries`.
    function supplyCap(uint256 id) external view returns (uint256) {
        SeriesTerms memory t = seriesTerms(id);
        return uint256(t.hashrateThs) * t.termDays;
    }

    /// @inheritdoc IHashpowerToken
    function seriesCount() external view returns (uint256) {
        return _seriesCount;
    }

    /// @inheritdoc IHashpowerToken
    /// @dev False for an unknown series or a day outside its term.
    function isDistributed(uint256 id, uint32 day) external view returns (bool) {
        Series storage s = _series[id];
        uint256 start = s.terms.startDay;
        if (day < start || day >= start + s.terms.termDays) return false;
        return _distributedDays[id].get(day - start);
    }

    /// @inheritdoc IHashpowerToken
    function claimerOf(address holder) external view returns (address) {
        return _claimers[holder];
    }

    /// @notice Farm registration: whether registered, capacity (TH/s) and display name.
    function farmInfo(address farm) external view returns (bool registered, uint64 capacityThs, string memory farmName) {
        Farm storage f = _farms[farm];
        return (f.registered, f.capacityThs, f.name);
    }

    /// @notice Ids of the series `farm` has issued, oldest first.
    function farmSeries(address farm) external view returns (uint256[] memory) {
        return _farmSeries[farm];
    }

    /// @notice ERC-1155 metadata of series `id`: `data:application/json;base64,` + JSON with name, description,
    ///         decimals 0 and the series terms as properties (farm, hashrate TH/s, start day and date, term days,
    ///         efficiency J/TH, pool fee bps, SLA bps, power cost USD/kWh, service fee USD per TH/s·day, payout
    ///         asset, unit "TH/s·day", supply cap). Reverts `UnknownSeries`.
    function uri(uint256 id) public view override returns (string memory) {
        SeriesTerms memory t = seriesTerms(id);
        string memory json = string.concat(
            '{"name":"',
            _seriesName(id, t),
            unicode'","description":"Bitcoin hash power: one token = one TH/s·day of series ',
            Strings.toString(id),
            ", issued by farm ",
            Strings.escapeJSON(_farms[t.farm].name),
            '. Pays its share of each day\'s net mining yield in the payout asset.","decimals":0,"properties":',
            _properties(t),
            "}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return interfaceId == type(IHashpowerToken).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals
    /// @dev Deployment wiring: the first setting by DEFAULT_ADMIN_ROLE; afterwards only `executeChange`.
    function _authorizeWiring(bool wired) private view {
        if (msg.sender == address(this)) return;
        if (wired) revert NotTimelocked();
        _checkRole(DEFAULT_ADMIN_ROLE);
    }

    /// @dev OpenZeppelin's `_update` with packed balances and reward debts: for every id, `value` units and
    ///      `value·acc` of debt move from `from` to `to` (contract notes), so both keep what they had earned; a mint
    ///      adds to and a burn takes from the series supply. Same errors and events as OpenZeppelin's.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (ids.length != values.length) revert ERC1155InvalidArrayLength(ids.length, values.length);
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids.unsafeMemoryAccess(i);
            uint256 value = values.unsafeMemoryAccess(i);
            _markMoved(id);
            Series storage s = _series[id];
            uint256 acc = s.accAsset & _MASK_192;
            if (from == address(0)) {
                s.supply += uint64(value); // mint: value ≤ cap − minted, checked in `mint`
            } else {
                mapping(address => uint256) storage holders = _holders[id];
                uint256 packed = holders[from];
                uint256 balance = packed & _BALANCE_MASK;
                if (balance < value) revert ERC1155InsufficientBalance(from, balance, value, id);
                // value ≤ balance: no borrow from the debt field; the debt wraps modulo 2^192 (contract notes).
                unchecked {
                    holders[from] = packed - ((value * acc) << _BALANCE_BITS) - value;
                }
            }
            if (to == address(0)) {
                s.supply -= uint64(value); // burn: value ≤ balance ≤ supply, checked above
            } else {
                // balance + value ≤ supply < 2^64: no carry into the debt field; value·acc < 2^248.
                unchecked {
                    _holders[id][to] += ((value * acc) << _BALANCE_BITS) + value;
                }
            }
        }
        if (ids.length == 1) {
            emit TransferSingle(_msgSender(), from, to, ids.unsafeMemoryAccess(0), values.unsafeMemoryAccess(0));
        } else {
            emit TransferBatch(_msgSender(), from, to, ids, values);
        }
    }

    /// @dev Record-date guard: marks series `id` as moved in this transaction (one TSTORE at
    ///      `keccak256(id, _MOVED_SEED)`; transient storage is cleared when the transaction ends).
    function _markMoved(uint256 id) private {
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x20, _MOVED_SEED)
            tstore(keccak256(0x00, 0x40), 1)
        }
    }

    /// @dev Reverts `SeriesMovedInTransaction(id)` when a balance of series `id` changed earlier in this transaction.
    function _requireUnmoved(uint256 id) private view {
        uint256 moved;
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x20, _MOVED_SEED)
            moved := tload(keccak256(0x00, 0x40))
        }
        if (moved != 0) revert SeriesMovedInTransaction(id);
    }

    /// @dev Exact accrual (sats × 1e36) of a packed holder slot at accumulator `acc`: `(balance·acc − debt) mod
    ///      2^192`, exact because the true value is in [0, 2^184) (contract notes).
    function _accrued(uint256 packed, uint256 acc) private pure returns (uint256) {
        unchecked {
            return ((packed & _BALANCE_MASK) * acc - (packed >> _BALANCE_BITS)) & _MASK_192;
        }
    }

    /// @dev Credits `amount` sats (> 0) to the holders of `s` and pulls it from msg.sender.
    ///      `num = amount·1e36 + carry; acc += num / supply; carry = num % supply` (accumulator.ts `distribute`).
    function _accrue(Series storage s, uint256 id, uint256 amount) private returns (uint256 supply, uint256 acc) {
        supply = s.supply;
        if (supply == 0) revert NoSupply(id);
        address asset = s.terms.payoutAsset;
        uint256 num = amount * ACC_SCALE + s.carryE36;
        uint256 delta = num / supply;
        s.carryE36 = uint64(num - delta * supply); // < supply < 2^64
        s.distributed = SafeCast.toUint64(s.distributed + amount);
        // acc + delta ≤ distributed·1e36 < 2^184 now that `distributed` fits 64 bits: no carry into `assetSeries`
        uint256 accAsset = s.accAsset + delta;
        s.accAsset = accAsset;
        acc = accAsset & _MASK_192;
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Pays `holder`'s whole sats in each of `ids` to `receiver` (one transfer per run of consecutive paying
    ///      ids with the same payout asset) and keeps the sub-sat remainders.
    function _claim(address holder, uint256[] calldata ids, address receiver)
        private
        returns (uint256[] memory amounts)
    {
        if (receiver == address(0)) revert ZeroAddress();
        amounts = new uint256[](ids.length);
        uint256 runSeries; // `assetSeries` of the current run
        uint256 runAmount;
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            uint256 accAsset = _series[id].accAsset;
            uint256 assetSeries = accAsset >> 192;
            if (assetSeries == 0) revert UnknownSeries(id);
            uint256 amount = _take(_holders[id], holder, accAsset & _MASK_192);
            if (amount == 0) continue;
            amounts[i] = amount;
            emit Claimed(holder, id, receiver, msg.sender, amount);
            if (assetSeries != runSeries) {
                if (runAmount != 0) _pay(runSeries, receiver, runAmount);
                (runSeries, runAmount) = (assetSeries, 0);
            }
            unchecked {
                runAmount += amount; // each amount < 2^184 / 1e36 < 2^65
            }
        }
        if (runAmount != 0) _pay(runSeries, receiver, runAmount);
    }

    /// @dev Takes the whole sats of `holder`'s accrual at `acc` (`debt += paid·1e36`; accumulator.ts `claim`).
    function _take(mapping(address => uint256) storage holders, address holder, uint256 acc)
        private
        returns (uint256 amount)
    {
        uint256 packed = holders[holder];
        amount = _accrued(packed, acc) / ACC_SCALE;
        if (amount != 0) {
            unchecked {
                holders[holder] = packed + ((amount * ACC_SCALE) << _BALANCE_BITS); // the debt wraps modulo 2^192
            }
        }
    }

    /// @dev Sends `amount` of the payout asset of series `assetSeries` to `receiver`.
    function _pay(uint256 assetSeries, address receiver, uint256 amount) private {
        IERC20(_series[assetSeries].terms.payoutAsset).safeTransfer(receiver, amount);
    }

    /// @dev Largest summed hashrate (TH/s) of `farm`'s existing series on any day of `[start, end)`. The summed
    ///      hashrate is a step function that only rises where a series starts, so its maximum over the window is
    ///      at `start` or at the start of a series inside it: O(n) storage reads, O(m²) in memory over the m
    ///      series that overlap the window.
    function _peakOverlapThs(address farm, uint256 start, uint256 end) private view returns (uint256 peak) {
        uint256[] storage ids = _farmSeries[farm];
        uint256 n = ids.length;
        uint256[] memory starts = new uint256[](n);
        uint256[] memory ends = new uint256[](n);
        uint256[] memory rates = new uint256[](n);
        uint256 m;
        for (uint256 i; i < n; ++i) {
            SeriesTerms storage t = _series[ids[i]].terms;
            uint256 s = t.startDay;
            uint256 e = s + t.termDays;
            if (s < end && e > start) {
                (starts[m], ends[m], rates[m]) = (s, e, t.hashrateThs);
                ++m;
            }
        }
        for (uint256 i; i < m; ++i) {
            uint256 at = starts[i] > start ? starts[i] : start;
            uint256 sum;
            for (uint256 j; j < m; ++j) {
                if (starts[j] <= at && at < ends[j]) sum += rates[j];
            }
            if (sum > peak) peak = sum;
        }
    }

    /// @dev Whether `asset` reports `PAYOUT_DECIMALS` decimals (false if the call fails).
    function _hasPayoutDecimals(address asset) private view returns (bool) {
        try IERC20Metadata(asset).decimals() returns (uint8 d) {
            return d == PAYOUT_DECIMALS;
        } catch {
            return false;
        }
    }

    /// @dev "Hashpower #<id>: <hashrate> TH/s × <term> days from <date>".
    function _seriesName(uint256 id, SeriesTerms memory t) private pure returns (string memory) {
        return string.concat(
            "Hashpower #",
            Strings.toString(id),
            ": ",
            Strings.toString(t.hashrateThs),
            unicode" TH/s × ",
            Strings.toString(t.termDays),
            " days from ",
            _isoDate(t.startDay)
        );
    }

    /// @dev The JSON `properties` object of a series.
    function _properties(SeriesTerms memory t) private pure returns (string memory) {
        string memory a = string.concat(
            '{"farm":"',
            Strings.toHexString(t.farm),
            '","hashrate_ths":',
            Strings.toString(t.hashrateThs),
            ',"start_day":',
            Strings.toString(t.startDay),
            ',"start_date":"',
            _isoDate(t.startDay),
            '","term_days":',
            Strings.toString(t.termDays),
            ',"end_date":"',
            _isoDate(uint256(t.startDay) + t.termDays - 1)
        );
        string memory b = string.concat(
            '","efficiency_j_per_th":"',
            _fixed(t.efficiencyJPerThE3, 3),
            '","pool_fee_bps":',
            Strings.toString(t.poolFeeBps),
            ',"sla_bps":',
            Strings.toString(t.slaBps),
            ',"power_cost_usd_per_kwh":"',
            _fixed(t.powerCostUsdPerKWhE6, 6),
            '","service_fee_usd_per_th_day":"',
            _fixed(t.serviceFeeUsdPerThDayE6, 6)
        );
        return string.concat(
            a,
            b,
            '","payout_asset":"',
            Strings.toHexString(t.payoutAsset),
            unicode'","unit":"TH/s·day","supply_cap":',
            Strings.toString(uint256(t.hashrateThs) * t.termDays),
            "}"
        );
    }

    /// @dev `value / 10^decimals` as a decimal string with exactly `decimals` fraction digits.
    function _fixed(uint256 value, uint256 decimals) private pure returns (string memory) {
        uint256 unit = 10 ** decimals;
        bytes memory frac = bytes(Strings.toString(value % unit));
        while (frac.length < decimals) frac = bytes.concat("0", frac);
        return string.concat(Strings.toString(value / unit), ".", string(frac));
    }

    /// @dev ISO date `YYYY-MM-DD` of a UTC day number (days since 1970-01-01), proleptic Gregorian calendar.
    ///      Source: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`.
    function _isoDate(uint256 day) private pure returns (string memory) {
        uint256 z = day + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097; // [0, 146096]
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        uint256 mp = (5 * doy + 2) / 153; // [0, 11], March-based
        uint256 d = doy - (153 * mp + 2) / 5 + 1;
        uint256 m = mp < 10 ? mp + 3 : mp - 9;
        uint256 y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        return string.concat(_pad(y, 4), "-", _pad(m, 2), "-", _pad(d, 2));
    }

    /// @dev `value` in decimal, left-padded with zeros to `width` digits.
    function _pad(uint256 value, uint256 width) private pure returns (string memory) {
        bytes memory s = bytes(Strings.toString(value));
        while (s.length < width) s = bytes.concat("0", s);
        return string(s);
    }
}
