/**
 * What the indexer tests compare: the GraphQL answers against the contracts' own views, and one index against a
 * fresh one (every data table row by row, and the API's answers).
 */
import { expect } from "chai";
import type { Db } from "../../../indexer/store/db.js";
import { eventTables, versionedTables } from "../../../indexer/store/tables.js";
import type { System } from "./system.js";
import { createClient, type Account, type FarmPool, type Position, type Series } from "../../../client/index.js";

/** Runs a GraphQL query with the typed client; throws on GraphQL errors (`GraphQLRequestError`, with the code). */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return createClient({ url }).request<T>(query, variables);
}

/** Runs a GraphQL query and returns status, data and errors as they come. */
export async function gqlRaw<T = any>(url: string, query: string, variables: Record<string, unknown> = {}) {
  return createClient({ url }).raw<T>(query, variables);
}

const POSITIONS = `query($a: String!) { account(address: $a) { positions(includeEmpty: true) {
  seriesId balance claimableSats claimedSats accruedSats accruedE36 remainingDays remainingThsDays updatedBlock
  valuation { netPerThsDaySatsE18 source trailingDays valueSats valueUsdE8 btcUsdE8 asOfDay } } claimer } }`;

/** Every GraphQL balance, claimable, series state, farm pool and debt equals the contracts' views. */
export async function expectApiEqualsContracts(url: string, sys: System): Promise<number> {
  let checked = 0;
  for (const h of sys.holders) {
    const { account } = await gql<{ account: Account }>(url, POSITIONS, { a: h.address });
    const byId = new Map<string, Position>(account.positions.map((p) => [p.seriesId, p]));
    for (const id of sys.ids) {
      const p = byId.get(id.toString());
      const bal = await sys.token.balanceOf(h.address, id);
      const cl = await sys.token.claimable(h.address, id);
      expect(p?.balance ?? "0", `balance of ${h.address} in ${id}`).to.equal(bal.toString());
      expect(p?.claimableSats ?? "0", `claimable of ${h.address} in ${id}`).to.equal(cl.toString());
      checked += 2;
    }
  }
  for (const id of sys.ids) {
    const { series } = await gql<{ series: Series }>(url, `query($id: ID!) { series(id: $id) { supply minted accPerUnitE36 carryE36 distributedSats claimedSats debtSats } }`, { id: id.toString() });
    const st = await sys.token.seriesState(id);
    expect(series.supply).to.equal(st.supply.toString());
    expect(series.minted).to.equal(st.minted.toString());
    expect(series.accPerUnitE36).to.equal(st.accPerUnitE36.toString());
    expect(series.carryE36).to.equal(st.carryE36.toString());
    expect(series.distributedSats).to.equal(st.distributed.toString());
    const claimed = (await sys.token.queryFilter(sys.token.filters.Claimed(undefined, id), sys.fromBlock)).reduce((a, e) => a + e.args.amount, 0n);
    expect(series.claimedSats).to.equal(claimed.toString()); // the token does not store it: its Claimed events sum it
    expect(series.debtSats).to.equal((await sys.settlement.debt(id)).toString());
    checked += 7;
  }
  const { farm } = await gql<{ farm: { pools: FarmPool[] } }>(url, `query($f: String!) { farm(address: $f) { pools { asset payoutBalanceSats collateralSats } debtSats } }`, { f: sys.farm.address });
  const pool = farm.pools.find((p) => p.asset === sys.addresses.wbtc)!;
  expect(pool.payoutBalanceSats, "payout balance").to.equal((await sys.settlement.payoutBalance(sys.farm.address, sys.addresses.wbtc)).toString());
  expect(pool.collateralSats, "collateral").to.equal((await sys.settlement.collateral(sys.farm.address, sys.addresses.wbtc)).toString());
  return checked + 2;
}

/** All pages of a list query `field(first, after, ...)` with the selection `items`. */
export async function allPages(url: string, field: string, args: string, items: string, pageSize = 50): Promise<any[]> {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const q: string = `query($after: String) { ${field}(first: ${pageSize}, after: $after${args ? ", " + args : ""}) { items { ${items} } pageInfo { hasNextPage endCursor } } }`;
    const data: any = await gql(url, q, { after });
    out.push(...data[field].items);
    if (!data[field].pageInfo.hasNextPage) return out;
    after = data[field].pageInfo.endCursor;
  }
}

/** A canonical snapshot of the API (everything a client can see about `sys`). */
export async function apiSnapshot(url: string, sys: System) {
  const accounts: Record<string, unknown> = {};
  for (const h of sys.holders) accounts[h.address] = (await gql(url, POSITIONS, { a: h.address })).account;
  const series = [];
  for (const id of sys.ids) {
    series.push(
      (await gql(url, `query($id: ID!) { series(id: $id) { id supply minted accPerUnitE36 carryE36 distributedSats repaidSats claimedSats debtSats holderCount daysDistributed status } }`, { id: id.toString() })).series,
    );
  }
  const holders = [];
  for (const id of sys.ids) holders.push(await allPages(url, "holders", `seriesId: "${id}"`, "holder balance claimableSats", 3));
  const farm = (await gql(url, `query($f: String!) { farm(address: $f) { name capacityThs debtSats pools { asset payoutBalanceSats collateralSats depositedSats slashedSats debtRepaidSats paidFromBalanceSats } series { id } } }`, { f: sys.farm.address })).farm;
  return {
    meta: (await gql(url, "{ _meta { block hash } }"))._meta,
    accounts, series, holders, farm,
    distributions: await allPages(url, "distributions", "", "seriesId kind day date amountSats supply accPerUnitE36 blockNumber logIndex timestamp"),
    settlements: await allPages(url, "settlements", "", "seriesId day netE18 owedSats fromBalanceSats fromCollateralSats debtAddedSats blockNumber"),
    claims: await allPages(url, "claims", "", "holder seriesId amountSats receiver caller blockNumber logIndex"),
    transfers: await allPages(url, "transfers", "", "seriesId from to amount blockNumber logIndex batchIndex timestamp", 100),
    reports: await allPages(url, "dailyReports", "", "day status hashpriceE18 btcUsdE8"),
    yields: await Promise.all(sys.ids.map(async (id) => (await gql(url, `query($id: ID!) { yieldHistory(seriesId: $id, from: ${sys.startDay}) { days { day netPerUnitSatsE18 trailing7NetPerUnitSatsE18 } } }`, { id: id.toString() })).yieldHistory)),
  };
}

/** Every data table (entity versions and events), in a canonical order; excludes checkpoint and block headers. */
export async function dumpStore(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of Object.values(versionedTables)) {
    out[t.name] = await db.query(`SELECT * FROM ${t.name} ORDER BY ${[...t.key, "block_from"].join(", ")}`);
  }
  for (const t of Object.values(eventTables)) out[t.name] = await db.query(`SELECT * FROM ${t.name} ORDER BY ${t.key.join(", ")}`);
  return out;
}

/** Every index of the current schema: name → definition (`pg_indexes`). */
export async function indexDefinitions(db: Db): Promise<Record<string, string>> {
  const rows = await db.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
  );
  return Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
}
