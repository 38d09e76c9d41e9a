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
  "Holders of a series (positive balance unless where.includeEmpty)."
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

type Account {
  address: String!
  "Positions with a balance or something to claim (all ever held with includeEmpty)."
  positions(includeEmpty: Boolean = false): [Position!]!
  "Address allowed to claim on this account's behalf (ClaimerSet), if any."
  claimer: String
}

type Position {
  seriesId: ID!
  series: Series!
  holder: String!
  "Token units held (TH/s·days)."
  balance: String!
  "Payout asset claimable now (the contract's claimable()), sats."
  claimableSats: String!
  "Claimed so far, sats."
  claimedSats: String!
  "Earned so far: claimed + claimable, sats."
  accruedSats: String!
  "Settled unclaimed accrual including sub-sat dust, sats × 1e36 (the contract's internal value)."
  accruedE36: String!
  "Days of the term still to be produced, today included."
  remainingDays: Int!
  "balance × remainingDays / termDays: TH/s·days of production still owed to this position (decimal, 6 places)."
  remainingThsDays: String!
  "Collateral view: remaining production valued at the trailing net yield."
  valuation: Valuation!
  "Block of the position's last change."
  updatedBlock: Int!
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
Collateral value of a position: its remaining production priced at the series' trailing net yield.
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
  bits: Int!
  subsidySats: String!
  feesPerBlockSats: String!
  "Gross sats per TH/s per day × 1e18."
  hashpriceE18: String!
  btcUsdE8: String!
  priceFromFeed: Boolean!
  "Pending reports: the trailing hashprice they were held against."
  trailingE18: String
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
  "Hashprice ÷ termDays: production value before any fee."
  grossPerUnitSatsE18: String!
  "Pool fee + electricity + service fee."
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
