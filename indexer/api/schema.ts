/** GraphQL schema (SDL). Descriptions are the API documentation shown in GraphiQL. */
export const typeDefs = /* GraphQL */ `
"""
hashpower indexer API.

Units: integer amounts are decimal strings (exact, never floats) and carry their unit in the field name:
\`Sats\` = base units of the series' payout asset (sats of the 8-decimal WBTC-like asset); \`E18\`/\`E36\` = scaled
by 1e18/1e36; \`Bps\` = basis points (10000 = 100 %); \`UsdE8\` = USD × 1e8; \`Ths\` = TH/s; token amounts
(\`balance\`, \`supply\`, \`minted\`) are token units: one unit = one TH/s·day. Days are UTC day numbers
(unix seconds / 86400).

Consistency: every query reads the latest indexed block (see \`_meta\`), or the state at the end of block N with
\`block: { number: N }\` (audits). Lists are keyset-paginated: pass \`pageInfo.endCursor\` as \`after\`; \`first\` defaults to 100 (or the maximum, if lower)
and is at most the server's maximum page size (default 1000).
"""
schema {
  query: Query
}

"Reads the state as of the end of this block (must be indexed)."
input BlockArg {
  number: Int!
}

enum OrderDirection {
  asc
  desc
}

type PageInfo {
  hasNextPage: Boolean!
  "Cursor of the last item; pass it as \`after\` for the next page."
  endCursor: String
}

type Query {
  "Indexing status."
  _meta: Meta!
  "A holder's positions. Any valid address is an account (possibly with no positions)."
  account(address: String!, block: BlockArg): Account!
  "One series by ERC-1155 id (error NOT_FOUND when it does not exist)."
  series(id: ID!, block: BlockArg): Series!
  seriesList(first: Int, after: String, where: SeriesWhere, orderBy: SeriesOrderBy = id, orderDirection: OrderDirection = asc, block: BlockArg): SeriesPage!
  "One farm by address (error NOT_FOUND when it is not registered)."
  farm(address: String!, block: BlockArg): Farm!
  farms(first: Int, after: String, orderBy: FarmOrderBy = address, orderDirection: OrderDirection = asc, block: BlockArg): FarmPage!
  """
  ERC-1155 holders of a series (positive balance unless where.includeEmpty). DeFi contracts holding units for owners
  appear with their \`kind\` (the series' wrapper: \`wrapper\`); the owners' wrapped and collateral units are under
  each item's \`wrapped\` / \`collateral\` and in \`account(owner).positions\`.
  """
  holders(seriesId: ID!, first: Int, after: String, where: HolderWhere, orderBy: HolderOrderBy = balance, orderDirection: OrderDirection = desc, block: BlockArg): PositionPage!
  "Distributions credited to series (daily yields and debt repayments)."
  distributions(first: Int, after: String, where: DistributionWhere, orderBy: DistributionOrderBy = block, orderDirection: OrderDirection = asc, block: BlockArg): DistributionPage!
  "Series-day settlements with their full breakdown."
  settlements(first: Int, after: String, where: SettlementWhere, orderBy: SettlementOrderBy = block, orderDirection: OrderDirection = asc, block: BlockArg): SettlementPage!
  claims(first: Int, after: String, where: ClaimWhere, orderBy: ClaimOrderBy = block, orderDirection: OrderDirection = asc, block: BlockArg): ClaimPage!
  transfers(first: Int, after: String, where: TransferWhere, orderDirection: OrderDirection = asc, block: BlockArg): TransferPage!
  "Oracle daily reports (hashprice with its inputs, BTC/USD)."
  dailyReports(first: Int, after: String, where: DailyReportWhere, orderDirection: OrderDirection = asc, block: BlockArg): DailyReportPage!
  "Farm uptime reports."
  uptimes(first: Int, after: String, where: UptimeWhere, orderDirection: OrderDirection = asc, block: BlockArg): UptimePage!
  """
  The holder's daily statement of a series, per unit (one TH/s·day of the series): for each settled day in
  [from, to] the gross, fees, downtime and net yield, with trailing 7/30-day averages and annualised yield.
  Defaults: to = the series' last settled day, from = to − 29. At most 3660 days.
  """
  yieldHistory(seriesId: ID!, from: Int, to: Int, "Unit price (sats) for annualisedYieldBps." unitPriceSats: String, block: BlockArg): YieldHistory!
}

type Meta {
  "Last fully indexed block (null before the first range)."
  block: Int
  hash: String
  "Unix seconds of that block."
  timestamp: Int
  "Head − finality depth: blocks at or below are treated as final."
  finalizedBlock: Int!
  headBlock: Int
  "Head minus indexed block."
  lagBlocks: Int!
  chainId: Int!
  "starting | backfill | live | stopped | failed"
  phase: String!
  "Within the configured lag of the head and polling normally."
  ready: Boolean!
}

"""
An address and what it holds. \`positions\` is the **owner view**: per series, the units the address holds directly
(ERC-1155), as shares of the series' SeriesWrapper (accumulating ERC-20) and as collateral in Morpho Blue markets
on that wrapper, each with what it can claim or carries and its valuations.
"""
type Account {
  address: String!
  "holder, or a DeFi contract that holds units on behalf of owners (its units also appear under those owners)."
  kind: HolderKind!
  "Per series held or claimable in any of the three ways (every series ever held with includeEmpty)."
  positions(includeEmpty: Boolean = false): [Position!]!
  "Address allowed to claim on this account's behalf (ClaimerSet), if any."
  claimer: String
}

"""
How an address holds units. DeFi contracts hold units for their owners: the owners' \`account.positions\` show
them (\`wrapped\`, \`collateral\`), so these contracts are not owners of those units themselves.
"""
enum HolderKind {
  "an owner (an EOA or any contract not below)"
  holder
  "a SeriesWrapper of the indexed factory: holds the ERC-1155 units of every wrapped token"
  wrapper
  "Morpho Blue: holds wrapped units as its borrowers' collateral"
  morpho
}

"""
One holder's position in one series. The fields up to \`valuation\` describe the units held **directly**
(ERC-1155 balance in the token); \`wrapped\` and \`collateral\` the units held through the DeFi contracts (owner
view, in \`account.positions\` and \`holders\` alike). Two valuations appear side by side:
\`valuation\` (type Valuation) is the **holder's view** computed by the indexer (trailing 30-day settled net yield,
no haircut); \`lendingValuations\` (type LendingValuation) is the **on-chain lending valuation**: what a
SeriesValuationOracle, the price Morpho Blue lends against, says at this block.
"""
type Position {
  seriesId: ID!
  series: Series!
  holder: String!
  "How \`holder\` holds units (flags the DeFi contracts in \`holders(seriesId)\`)."
  kind: HolderKind!
  "Token units held directly (ERC-1155 balanceOf, TH/s·days)."
  balance: String!
  "Payout asset claimable now from the token on the direct units (the token's claimable()), sats."
  claimableSats: String!
  "Claimed from the token so far, sats."
  claimedSats: String!
  "Earned so far from the token: claimed + claimable, sats."
  accruedSats: String!
  "Settled unclaimed accrual including sub-sat dust, sats × 1e36 (the contract's internal value)."
  accruedE36: String!
  "Days of the term still to be produced, today included."
  remainingDays: Int!
  "balance × remainingDays / termDays: TH/s·days of production still owed to the direct units (decimal, 6 places)."
  remainingThsDays: String!
  "Holder's view of the direct units: remaining production valued at the trailing net yield."
  valuation: Valuation!
  "On-chain lending valuation of the direct units by each valuation oracle of the series (empty: none)."
  lendingValuations: [LendingValuation!]!
  "Units held through the series' SeriesWrapper as ERC-20 (null: never held wrapped)."
  wrapped: WrappedHolding
  "Units inside Morpho Blue markets on the series' wrapper (one per market the holder ever used)."
  collateral: [CollateralHolding!]!
  "Owner view total: direct + wrapped + Morpho collateral (position(id, holder).collateral), units."
  totalUnits: String!
  "Owner view total: claimable from the token + sats carried by the shares (wrapped and in Morpho), sats."
  totalClaimableSats: String!
  "Block of the last change of any of these."
  updatedBlock: Int!
}

"Shares of a series' SeriesWrapper (accumulating ERC-20: 1 share = 1 unit of 1 TH/s·day + indexE36 / 1e36 sats)."
type WrappedHolding {
  wrapper: String!
  "Shares held (SeriesWrapper.balanceOf); each holds one unit."
  balance: String!
  """
  Sats the shares carry: floor(balance × indexE36 / 1e36) = SeriesWrapper.previewUnwrap(balance), paid out with
  the units on unwrap.
  """
  claimableSats: String!
  "The share index at this block (SeriesWrapper.indexE36 = token accumulator − acc0), sats per share × 1e36."
  indexE36: String!
  "Holder's view of the wrapped units."
  valuation: Valuation!
  "On-chain lending valuation of the wrapped units by each valuation oracle of the series."
  lendingValuations: [LendingValuation!]!
  updatedBlock: Int!
}

"""
Shares of a series inside one Morpho Blue market (collateral = the series' wrapper), as Morpho records them. Loan
amounts are in base units of the market's loan token. Morpho-side fields are null when the market is not followed
(created before its wrapper).
"""
type CollateralHolding {
  marketId: ID!
  market: LendingMarket
  wrapper: String!
  "Collateral in Morpho: position(id, holder).collateral, wrapped units."
  collateral: String
  "position(id, holder).borrowShares."
  borrowShares: String
  """
  Debt: borrowShares rounded up to assets at the market's stored totals (SharesMathLib.toAssetsUp), loan base
  units. Interest accrues into the totals when Morpho is next touched; this is the debt as of the last accrual.
  """
  borrowedAssets: String
  "Sats the collateral shares carry (floor(collateral × indexE36 / 1e36)): counted in the price Morpho uses."
  claimableSats: String
  "collateral × price / 1e36 (floor): Morpho's value of the collateral at the oracle price, loan base units."
  collateralValueLoanAssets: String
  "collateralValueLoanAssets × lltv / 1e18: the most Morpho lets the holder owe."
  maxBorrowAssets: String
  "LTV: borrowedAssets / collateralValueLoanAssets, bps (null without a price or with a value of 0)."
  ltvBps: Int
  "The market's LLTV, bps (liquidatable when ltvBps exceeds it)."
  lltvBps: Int
  "Morpho's health rule at the oracle price: maxBorrowAssets ≥ borrowedAssets (null: no price yet)."
  healthy: Boolean
  "maxBorrowAssets / borrowedAssets (decimal, 4 places; < 1: liquidatable; null without debt)."
  healthFactor: String
  "The collateral at the market's valuation, sats (decimal, 8 places)."
  collateralSats: String
  "The debt, sats (loan token BTC-pegged; decimal, 8 places)."
  debtSats: String
  "collateralSats in USD × 1e8, at the hash-price oracle's latest final BTC/USD."
  collateralUsdE8: String
  "debtSats in USD × 1e8, same price."
  debtUsdE8: String
  "Share price at which the position becomes liquidatable: debt / (collateral × LLTV), sats per share (8 places)."
  liquidationPriceSats: String
  "The same in USD × 1e8 per share."
  liquidationPriceUsdE8: String
  "The valuation the market uses (its oracle's price()), applied to the collateral shares."
  lendingValuation: LendingValuation
  updatedBlock: Int!
}

"A Morpho Blue market whose collateral is a series wrapper, with its stored totals (market(id))."
type LendingMarket {
  id: ID!
  seriesId: ID!
  loanToken: String!
  "The series' SeriesWrapper."
  collateralToken: String!
  oracle: String!
  irm: String!
  "Liquidation LTV, WAD (1e18 = 100 %)."
  lltv: String!
  "Fee, WAD."
  fee: String!
  totalSupplyAssets: String!
  totalSupplyShares: String!
  totalBorrowAssets: String!
  totalBorrowShares: String!
  createdBlock: Int!
}

"The series' ERC-20 wrapper (SeriesWrapper) and the Morpho markets on it."
type SeriesWrapper {
  address: String!
  "Wrapped units outstanding (totalSupply = the wrapper's ERC-1155 balance)."
  supply: String!
  holderCount: Int!
  "Sats claimed from the token into the wrapper (totalHarvested)."
  harvestedSats: String!
  "Sats paid out by unwraps (Σ Unwrapped.sats)."
  claimedSats: String!
  "The share index at this block: the token's accumulator − acc0, sats per share × 1e36."
  indexE36: String!
  "The token's accumulator of the series when the wrapper was created, sats per unit × 1e36."
  acc0E36: String!
  createdBlock: Int!
  markets: [LendingMarket!]!
}

"What a SeriesValuationOracle's price() serves at this block (its stale policy)."
enum LendingFreshness {
  "today ≤ latest recorded day + maxAgeDays"
  fresh
  "stale: the last recorded unit value keeps serving (graceDays)"
  grace
  "stale beyond the grace period: the unit value falls linearly to 0 over decayDays"
  decaying
  "decayed: the share is priced at its accrued sats only"
  expired
  "the term is over: the unit is worth 0, the share its accrued sats"
  ended
}

"""
The lending valuation **the Morpho market uses**: what its SeriesValuationOracle's valuation() / price() serves at
this block, for \`units\` shares. Per share: the unit value the oracle recorded for its latest recorded day
(trailing net yield at SLA uptime re-priced at the current subsidy, the days after the estimated halving at half
the subsidy, × remaining days ÷ termDays × (1 − haircut), bounded by the trailing hashprice and growth-capped),
after the stale policy, plus the share's accrued sats (exact). Read from the oracle's DayRecorded events; the
accrued part from the token's accumulator and the wrapper's acc0 at this block. Not the holder's view (Valuation).
"""
type LendingValuation {
  "The SeriesValuationOracle (found from its Configured event)."
  oracle: String!
  seriesId: ID!
  "The share it prices (the series' SeriesWrapper)."
  wrapper: String!
  loanToken: String!
  loanDecimals: Int!
  windowDays: Int!
  haircutBps: Int!
  maxAgeDays: Int!
  graceDays: Int!
  decayDays: Int!
  maxGrowthBpsPerDay: Int!
  "UTC day of the block read (the oracle's today)."
  asOfDay: Int!
  "Latest recorded oracle day (null: none yet; price() reverts NoOracleData)."
  latestDay: Int
  "Block of that DayRecorded."
  recordedBlock: Int
  freshness: LendingFreshness
  "Days in the window of the latest record."
  daysUsed: Int
  "Days of the term after latestDay."
  remainingDays: Int
  "Estimated UTC day of the next halving (from the difficulty-retarget count and the reported subsidy)."
  halvingDay: Int
  "Of remainingDays, those on or after halvingDay."
  postHalvingDays: Int
  "Window average net yield per TH/s·day at SLA uptime at the current subsidy, sats × 1e18."
  avgNetE18: String
  "The same with the subsidy halved (fees kept), sats × 1e18."
  avgNetHalvedE18: String
  "remaining/termDays × window average gross hashprice: the cap, sats × 1e18."
  boundE18: String
  "The formula's unit value before the bound and the growth cap, sats × 1e18."
  rawValueE18: String
  "The unit value recorded for latestDay, sats × 1e18."
  recordedUnitValueE18: String
  "The unit value served now (after the stale policy), sats × 1e18."
  unitValueE18: String
  "The share's accrued sats (wrapper index / 1e18), sats × 1e18."
  accruedE18: String!
  "unitValueE18 + accruedE18: one share, sats × 1e18."
  shareValueE18: String
  "price(): loan base units per share × 1e36 (null before the first record)."
  priceE36: String
  "latestRoundData() answer, 18 decimals: BTC per share (recorded unit value + accrued; no stale policy)."
  answer: String
  "Shares valued."
  units: String!
  "units × shareValueE18 / 1e18, sats."
  valueSats: String
  "units × priceE36 / 1e36: the collateral value Morpho computes, loan base units."
  valueLoanAssets: String
  "Followed Morpho markets that use this oracle."
  marketIds: [ID!]!
}

enum ValuationSource {
  "30-day trailing mean of the series' settled net yield"
  settlements
  "no settlement yet: the series' formula on the latest final oracle report at full uptime"
  oracle
  "no data: value 0"
  none
}

"""
Holder's view (indexer, domain/yield.ts): a position's remaining production priced at the series' trailing
settled net yield (today included, no haircut). Not the on-chain lending valuation (LendingValuation).
valueSats = balance × remainingDays × netPerThsDaySatsE18 / (termDays × 1e18); valueUsdE8 = valueSats × btcUsdE8 / 1e8.
"""
type Valuation {
  balance: String!
  termDays: Int!
  remainingDays: Int!
  "balance × remainingDays / termDays (decimal, 6 places)."
  remainingThsDays: String!
  "Trailing net yield per TH/s·day, sats × 1e18."
  netPerThsDaySatsE18: String!
  source: ValuationSource!
  "Settled days in the trailing window."
  trailingDays: Int!
  "Last day of the trailing window (or of the oracle report used)."
  windowEndDay: Int
  "BTC/USD × 1e8 of the latest final report (null: none)."
  btcUsdE8: String
  valueSats: String!
  valueUsdE8: String
  "UTC day the valuation is for (of the block read)."
  asOfDay: Int!
}

enum SeriesStatus {
  upcoming
  active
  ended
}

type Series {
  id: ID!
  farmAddress: String!
  farm: Farm!
  payoutAsset: String!
  hashrateThs: String!
  startDay: Int!
  termDays: Int!
  "Last day of the term (startDay + termDays − 1)."
  lastDay: Int!
  "Machine efficiency, J/TH × 1e3."
  efficiencyJPerThE3: Int!
  poolFeeBps: Int!
  slaBps: Int!
  powerCostUsdPerKWhE6: Int!
  serviceFeeUsdPerThDayE6: Int!
  "Supply cap: hashrateThs × termDays, token units."
  cap: String!
  "Units outstanding."
  supply: String!
  "Units ever minted."
  minted: String!
  "Accumulator: sats per unit × 1e36."
  accPerUnitE36: String!
  "Distribution remainder not yet credited, sats × 1e36."
  carryE36: String!
  distributedSats: String!
  "Part of distributedSats that repaid farm debt."
  repaidSats: String!
  claimedSats: String!
  "The farm's unpaid debt to this series."
  debtSats: String!
  holderCount: Int!
  daysDistributed: Int!
  "Relative to the UTC day of the block read."
  status: SeriesStatus!
  createdBlock: Int!
  createdTx: String!
  "The series' ERC-20 wrapper (null: none yet, or DeFi contracts not indexed)."
  wrapper: SeriesWrapper
  "On-chain lending valuation of one unit by each valuation oracle of the series."
  lendingValuations: [LendingValuation!]!
}

input SeriesWhere {
  farm: String
  payoutAsset: String
  status: SeriesStatus
}
enum SeriesOrderBy {
  id
  startDay
  supply
}
type SeriesPage {
  items: [Series!]!
  pageInfo: PageInfo!
}

type Farm {
  address: String!
  name: String!
  capacityThs: String!
  registeredBlock: Int!
  series: [Series!]!
  "Payout balance and collateral per asset."
  pools: [FarmPool!]!
  "Unpaid debt to all its series."
  debtSats: String!
}

type FarmPool {
  asset: String!
  payoutBalanceSats: String!
  collateralSats: String!
  depositedSats: String!
  fundingWithdrawnSats: String!
  collateralPostedSats: String!
  collateralWithdrawnSats: String!
  "Paid to holders from the payout balance."
  paidFromBalanceSats: String!
  "Collateral drawn by settlements (slashed)."
  slashedSats: String!
  debtRepaidSats: String!
}

enum FarmOrderBy {
  address
  capacity
}
type FarmPage {
  items: [Farm!]!
  pageInfo: PageInfo!
}

input HolderWhere {
  "Only balances ≥ this (token units)."
  balanceGte: String
  holderIn: [String!]
  "Include holders whose balance is 0."
  includeEmpty: Boolean
}
enum HolderOrderBy {
  balance
  holder
}
type PositionPage {
  items: [Position!]!
  pageInfo: PageInfo!
}

enum DistributionKind {
  daily
  repayment
}
type Distribution {
  seriesId: ID!
  kind: DistributionKind!
  "Null for repayments."
  day: Int
  amountSats: String!
  "Units that shared it."
  supply: String!
  "Accumulator after it, sats per unit × 1e36."
  accPerUnitE36: String!
  blockNumber: Int!
  logIndex: Int!
  txHash: String!
}
input DistributionWhere {
  seriesId: ID
  kind: DistributionKind
  dayGte: Int
  dayLte: Int
}
enum DistributionOrderBy {
  block
  day
  amount
}
type DistributionPage {
  items: [Distribution!]!
  pageInfo: PageInfo!
}

"One series-day settlement (ISettlement.Breakdown). Per-TH/s·day values are sats × 1e18."
type Settlement {
  seriesId: ID!
  day: Int!
  farm: String!
  hashpriceE18: String!
  uptimeBps: Int!
  btcUsdE8: String!
  grossE18: String!
  poolFeeE18: String!
  downtimeE18: String!
  compensationE18: String!
  electricityE18: String!
  serviceE18: String!
  netE18: String!
  supply: String!
  owedSats: String!
  fromBalanceSats: String!
  fromCollateralSats: String!
  compensationSats: String!
  debtAddedSats: String!
  blockNumber: Int!
  logIndex: Int!
  txHash: String!
}
input SettlementWhere {
  seriesId: ID
  farm: String
  dayGte: Int
  dayLte: Int
}
enum SettlementOrderBy {
  block
  day
  net
}
type SettlementPage {
  items: [Settlement!]!
  pageInfo: PageInfo!
}

type Claim {
  holder: String!
  seriesId: ID!
  receiver: String!
  caller: String!
  amountSats: String!
  blockNumber: Int!
  logIndex: Int!
  txHash: String!
}
input ClaimWhere {
  holder: String
  seriesId: ID
  receiver: String
}
enum ClaimOrderBy {
  block
  amount
}
type ClaimPage {
  items: [Claim!]!
  pageInfo: PageInfo!
}

type Transfer {
  seriesId: ID!
  from: String!
  to: String!
  operator: String!
  "Token units."
  amount: String!
  blockNumber: Int!
  logIndex: Int!
  "Position within a TransferBatch."
  batchIndex: Int!
  txHash: String!
}
input TransferWhere {
  seriesId: ID
  from: String
  to: String
  "Either side."
  account: String
}
type TransferPage {
  items: [Transfer!]!
  pageInfo: PageInfo!
}

type DailyReport {
  day: Int!
  date: String!
  "pending | final | rejected"
  status: String!
  "Height of the day's first block; the day's heights are [firstHeight, firstHeight + blocks)."
  firstHeight: Int!
  "Blocks mined that day."
  blocks: Int!
  bits: Int!
  subsidySats: String!
  feesPerBlockSats: String!
  "Gross hashprice (subsidy + fees, before the pool fee): sats per TH/s per day × 1e18."
  hashpriceE18: String!
  btcUsdE8: String!
  priceFromFeed: Boolean!
  "Pending reports: the input bounds they broke, a bit set (1 subsidy, 2 bits, 4 blocks, 8 fees, 16 heights; IHashpriceOracle)."
  violations: Int
}
input DailyReportWhere {
  dayGte: Int
  dayLte: Int
  status: String
}
type DailyReportPage {
  items: [DailyReport!]!
  pageInfo: PageInfo!
}

type Uptime {
  farm: String!
  day: Int!
  uptimeBps: Int!
  blockNumber: Int!
}
input UptimeWhere {
  farm: String
  dayGte: Int
  dayLte: Int
}
type UptimePage {
  items: [Uptime!]!
  pageInfo: PageInfo!
}

"""
Per-unit daily statement. A unit is credited (per-TH/s·day value) ÷ termDays each day, so every per-unit value
is the settlement's per-TH/s·day value ÷ termDays (floored), sats × 1e18. Identity before flooring:
gross − fees − downtime + compensation = net (net floored at 0).
"""
type YieldHistory {
  seriesId: ID!
  termDays: Int!
  from: Int!
  to: Int!
  unitPriceSats: String
  days: [YieldDay!]!
}

type YieldDay {
  day: Int!
  date: String!
  hashpriceE18: String!
  uptimeBps: Int!
  btcUsdE8: String!
  "Gross = hashprice · (1 − pool fee) ÷ termDays (the breakdown's grossE18 per unit): production value after the pool fee."
  grossPerUnitSatsE18: String!
  "Operating fees: electricity + service fee (the pool fee is already out of gross; see poolFeePerUnitSatsE18)."
  feesPerUnitSatsE18: String!
  poolFeePerUnitSatsE18: String!
  electricityPerUnitSatsE18: String!
  servicePerUnitSatsE18: String!
  "Production lost below 100 % uptime."
  downtimePerUnitSatsE18: String!
  "Paid from collateral for uptime below the SLA."
  compensationPerUnitSatsE18: String!
  netPerUnitSatsE18: String!
  "Mean net over the settled days in the 7 days ending this day."
  trailing7NetPerUnitSatsE18: String!
  trailing30NetPerUnitSatsE18: String!
  "trailing30 × 365: run rate per unit per year, sats × 1e18."
  annualisedNetPerUnitSatsE18: String!
  "annualised ÷ unitPriceSats, bps (null without unitPriceSats)."
  annualisedYieldBps: String
  "Units that shared the day."
  supply: String!
  "Sats owed to the series for the day, and the part not covered (farm debt)."
  owedSats: String!
  debtAddedSats: String!
}
`;
