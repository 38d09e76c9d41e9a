// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHashpowerToken
/// @notice ERC-1155 hash-power series with O(1) pro-rata payout accounting.
/// @dev Units used throughout:
///  - token unit: **one TH/s·day** of hash power; a series' supply cap is `hashrateThs × termDays`.
///  - day: UTC day number, `unix seconds / 86400`. A series covers days `[startDay, startDay + termDays)`.
///  - payout amounts: base units of the series' payout asset (sats for an 8-decimal WBTC-like asset).
///  - accumulator: payout per unit, scaled by 1e36 (`ACC_SCALE`); per-holder accrued amounts are kept
///    at the same 1e36 scale so rounding dust is carried, never lost.
interface IHashpowerToken {
    /// @notice Parameters a farm fixes when it issues a series. Shown in events and in `uri(id)`.
    struct SeriesTerms {
        address farm; // issuing farm; only it may mint into the series
        address payoutAsset; // ERC-20 the payouts are made in (WBTC-like, 8 decimals)
        uint64 hashrateThs; // TH/s promised for every day of the term
        uint32 startDay; // first UTC day number of the term
        uint32 termDays; // length of the term in days
        uint32 efficiencyJPerThE3; // machine efficiency, J/TH (= W per TH/s) × 1e3
        uint16 poolFeeBps; // pool fee, bps of gross hashprice
        uint16 slaBps; // promised uptime, bps of hashrate; shortfall is compensated from collateral
        uint32 powerCostUsdPerKWhE6; // electricity price, USD per kWh × 1e6
        uint32 serviceFeeUsdPerThDayE6; // farm's service fee, USD per TH/s·day × 1e6
    }

    /// @notice A series' running state. What has been claimed from a series is the sum of its `Claimed` events (not
    ///         stored: it would cost a storage write per series on every claim).
    struct SeriesState {
        uint256 supply; // units outstanding (TH/s·days)
        uint256 minted; // units ever minted (≤ cap; burning does not free cap)
        uint256 accPerUnitE36; // cumulative payout per unit, asset base units × 1e36
        uint256 carryE36; // distribution remainder not yet credited to any unit, × 1e36
        uint256 distributed; // payout asset ever distributed to the series, base units
    }

    // ------------------------------------------------------------------ events
    /// @notice A farm was registered (or its capacity changed) by a FARM_ADMIN.
    event FarmRegistered(address indexed farm, uint64 capacityThs, string name);
    /// @notice A farm's capacity (TH/s) was changed by a FARM_ADMIN.
    event FarmCapacitySet(address indexed farm, uint64 capacityThs);
    /// @notice A farm issued a series. `id` is the ERC-1155 token id.
    event SeriesCreated(uint256 indexed id, address indexed farm, SeriesTerms terms);
    /// @notice `amount` of payout asset was credited to the holders of `id` for `day`.
    /// @param supply units outstanding that shared it; @param accPerUnitE36 accumulator after it.
    event Distributed(uint256 indexed id, uint32 indexed day, uint256 amount, uint256 supply, uint256 accPerUnitE36);
    /// @notice A repayment of farm debt was credited to the current holders of `id` (no day attached).
    event RepaymentDistributed(uint256 indexed id, uint256 amount, uint256 supply, uint256 accPerUnitE36);
    /// @notice `holder`'s yield in `id` was claimed by `caller` and sent to `receiver`.
    event Claimed(address indexed holder, uint256 indexed id, address indexed receiver, address caller, uint256 amount);
    /// @notice `claimer` may now claim on behalf of `holder` (address(0) revokes).
    event ClaimerSet(address indexed holder, address indexed claimer);
    /// @notice The issuance guard (collateral check at series creation) was set.
    event IssuanceGuardSet(address indexed guard);
    /// @notice The single holder of DISTRIBUTOR_ROLE (the settlement contract) was set.
    event DistributorSet(address indexed distributor);

    // ------------------------------------------------------------------ errors
    error UnknownFarm(address farm);
    error UnknownSeries(uint256 id);
    error InvalidTerms(string field);
    error CapacityExceeded(address farm, uint256 requestedThs, uint256 capacityThs);
    error NotSeriesFarm(uint256 id, address caller);
    error SupplyCapExceeded(uint256 id, uint256 requested, uint256 cap);
    error DayOutsideTerm(uint256 id, uint32 day);
    error AlreadyDistributed(uint256 id, uint32 day);
    error NoSupply(uint256 id);
    /// @notice A balance of series `id` changed earlier in this transaction, so it cannot be distributed in it
    ///         (record-date rule: units held only within one transaction earn nothing).
    error SeriesMovedInTransaction(uint256 id);
    error ZeroAmount();
    error ZeroAddress();
    error NotClaimer(address holder, address caller);

    // ------------------------------------------------------------------ farms and series
    /// @notice Registers `farm` with `capacityThs` TH/s. FARM_ADMIN only. Reverts `ZeroAddress`.
    function registerFarm(address farm, uint64 capacityThs, string calldata name) external;
    /// @notice Sets a registered farm's capacity in TH/s. FARM_ADMIN only. Reverts `UnknownFarm`.
    function setFarmCapacity(address farm, uint64 capacityThs) external;
    /// @notice Issues a new series for the calling farm (msg.sender must be a registered farm and equal `terms.farm`).
    /// @dev Reverts `UnknownFarm`, `InvalidTerms(field)`, `CapacityExceeded` (hashrate overlapping in time beyond
    ///      the farm's capacity) and whatever the issuance guard reverts with (e.g. insufficient collateral).
    /// @return id the new ERC-1155 token id (sequential from 1).
    function createSeries(SeriesTerms calldata terms) external returns (uint256 id);
    /// @notice Mints `units` TH/s·days of series `id` to `to`. Only the series' farm; not while paused.
    /// @dev Reverts `NotSeriesFarm`, `SupplyCapExceeded`, `EnforcedPause`.
    function mint(address to, uint256 id, uint256 units, bytes calldata data) external;

    // ------------------------------------------------------------------ payouts
    /// @notice Credits `amount` of the payout asset, pulled from msg.sender, pro rata to the holders of `id` for `day`.
    /// @dev DISTRIBUTOR_ROLE; not while paused. O(1) in holders. Reverts `DayOutsideTerm`, `AlreadyDistributed`,
    ///      `NoSupply` (when amount > 0 and supply is 0), `SeriesMovedInTransaction` (a balance of `id` changed
    ///      earlier in this transaction: record-date rule). `amount` may be 0 (marks the day done).
    function distribute(uint256 id, uint32 day, uint256 amount) external;
    /// @notice Credits a debt repayment of `amount` (pulled from msg.sender) to the current holders of `id`.
    /// @dev DISTRIBUTOR_ROLE; not while paused. Reverts `NoSupply`, `ZeroAmount`, `SeriesMovedInTransaction`.
    function distributeRepayment(uint256 id, uint256 amount) external;
    /// @notice Claims msg.sender's yield in each of `ids` and sends it to `receiver`. Never blocked by pause.
    /// @return amounts paid per id, asset base units.
    function claim(uint256[] calldata ids, address receiver) external returns (uint256[] memory amounts);
    /// @notice Claims `holder`'s yield as its authorised claimer (see `setClaimer`) and sends it to `receiver`.
    /// @dev Reverts `NotClaimer`.
    function claimOnBehalf(address holder, uint256[] calldata ids, address receiver)
        external
        returns (uint256[] memory amounts);
    /// @notice Sets the contract consulted on every `createSeries` (the settlement's collateral check);
    ///         address(0) disables it. The first setting is DEFAULT_ADMIN_ROLE's (deployment wiring); every later
    ///         change goes through the guardian-cancellable timelock (`ParameterTimelock`).
    function setIssuanceGuard(address guard) external;
    /// @notice Makes `distributor` the only holder of DISTRIBUTOR_ROLE (the previous one loses it). The first
    ///         setting is DEFAULT_ADMIN_ROLE's (deployment wiring); every later change is timelocked.
    function setDistributor(address distributor) external;
    /// @notice Lets `claimer` claim msg.sender's yield (address(0) revokes). Only the holder names its claimer:
    ///         a contract holder (pool, vault) calls this itself.
    function setClaimer(address claimer) external;

    // ------------------------------------------------------------------ views
    /// @notice Payout asset `account` can claim now in `id`, base units (floor of the 1e36-scaled accrual).
    function claimable(address account, uint256 id) external view returns (uint256);
    /// @notice Terms of series `id`. Reverts `UnknownSeries`.
    function seriesTerms(uint256 id) external view returns (SeriesTerms memory);
    /// @notice Running state of series `id`. Reverts `UnknownSeries`.
    function seriesState(uint256 id) external view returns (SeriesState memory);
    /// @notice Units of series `id` outstanding (TH/s·days): `seriesState(id).supply` in one storage read, under
    ///         ERC1155Supply's name. 0 for an unknown series (no revert).
    function totalSupply(uint256 id) external view returns (uint256);
    /// @notice Accumulator of series `id`: cumulative payout per unit, payout-asset base units (sats) × 1e36 —
    ///         `seriesState(id).accPerUnitE36` in one storage read. 0 for an unknown series (no revert).
    function accPerUnitE36(uint256 id) external view returns (uint256);
    /// @notice Number of series issued so far (ids are 1..seriesCount).
    function seriesCount() external view returns (uint256);
    /// @notice Whether `day` of series `id` has been distributed.
    function isDistributed(uint256 id, uint32 day) external view returns (bool);
    /// @notice The single holder of DISTRIBUTOR_ROLE (the settlement contract), or address(0) before wiring.
    function distributor() external view returns (address);
    /// @notice The claimer `holder` has authorised, or address(0).
    function claimerOf(address holder) external view returns (address);
}

/// @title IIssuanceGuard
/// @notice Consulted by the token on `createSeries`; reverts to refuse the series (e.g. too little collateral).
interface IIssuanceGuard {
    /// @param id the id the new series will get; @param terms its terms.
    function checkNewSeries(uint256 id, IHashpowerToken.SeriesTerms calldata terms) external;
}
