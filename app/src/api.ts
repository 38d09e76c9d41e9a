/// <reference lib="dom" />
/** The indexer's GraphQL API and app config, with failures turned into sentences. */

export interface AppConfig {
  chainId: number;
  token: `0x${string}`;
  wrapperFactory: string | null;
  morpho: string | null;
  graphql: string;
}

/** The API could not be reached or answered with an error. */
export class ApiError extends Error {
  constructor(message: string, readonly kind: "down" | "graphql", readonly code?: string) {
    super(message);
  }
}

export async function loadConfig(): Promise<AppConfig> {
  let res: Response;
  try {
    res = await fetch("/app/config.json", { cache: "no-store" });
  } catch (e) {
    throw new ApiError(`The indexer API at ${location.origin} is not answering (${(e as Error).message}).`, "down");
  }
  if (!res.ok) throw new ApiError(`The indexer API answered HTTP ${res.status} for its configuration.`, "down");
  return res.json();
}

/** Runs a GraphQL query; throws ApiError("down") when unreachable, ApiError("graphql", code) on a GraphQL error. */
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiError(`The indexer API at ${location.origin}/graphql is not answering (${(e as Error).message}).`, "down");
  }
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The indexer API answered HTTP ${res.status} without a GraphQL response.`, "down");
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, "graphql", e.extensions?.code);
  }
  return body.data as T;
}

export const META = `{ _meta { block timestamp chainId phase lagBlocks } }`;

export const POSITIONS = `query($a: String!) {
  _meta { block timestamp chainId }
  account(address: $a) {
    address kind
    positions {
      seriesId balance claimableSats claimedSats remainingDays remainingThsDays totalUnits totalClaimableSats
      valuation { netPerThsDaySatsE18 btcUsdE8 source valueSats valueUsdE8 }
      wrapped { balance claimableSats }
      collateral { marketId collateral claimableSats borrowedAssets debtSats collateralSats ltvBps lltvBps healthy healthFactor
                   liquidationPriceSats liquidationPriceUsdE8 collateralUsdE8 debtUsdE8 }
      series { id termDays startDay lastDay hashrateThs status farmAddress
               farm { name debtSats pools { collateralSats payoutBalanceSats } } }
    }
  }
}`;

export const HISTORY = `query($id: ID!, $from: Int!, $to: Int!) {
  yieldHistory(seriesId: $id, from: $from, to: $to) {
    termDays
    days { day date hashpriceE18 uptimeBps netPerUnitSatsE18 trailing7NetPerUnitSatsE18 trailing30NetPerUnitSatsE18
           compensationPerUnitSatsE18 }
  }
}`;

export const STATEMENT = `query($a: String!, $from: Int!, $to: Int!) {
  statement(account: $a, from: $from, to: $to) {
    block complete claimedSats claimableSats accruedSats
    days { seriesId day date settled units hashpriceE18 uptimeBps grossSats poolFeeSats downtimeSats compensationSats
           electricitySats serviceSats unpaidSats netSats repaidSats creditedSats claimedSats }
    totals { grossSats poolFeeSats downtimeSats compensationSats electricitySats serviceSats unpaidSats netSats repaidSats
             creditedSats claimedSats }
  }
}`;
