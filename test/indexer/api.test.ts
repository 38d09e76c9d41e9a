/**
 * The GraphQL API and the ops endpoints: errors for bad input (GraphQL errors with a code, never a 500 or a silent
 * null), query limits, cursor pagination and filters, as-of-block reads against the contracts' historic views,
 * the yield statement and the collateral valuation against the domain formulas, `_meta`, health, readiness, metrics.
 */
import { expect } from "chai";
import { connect, rpc, sharedNode } from "./helpers/env.js";
import { deploySystem, prng, randomActivity, settleNextDay, type System } from "./helpers/system.js";
import { allPages, gql, gqlRaw } from "./helpers/compare.js";
import { indexerFor } from "./helpers/indexer.js";
import type { Indexer } from "../../indexer/index.js";
import type { Account, Series, YieldHistory } from "../../client/index.js";
import { perThDay } from "../../domain/settlement.js";
import { E18 } from "../../domain/units.js";

describe("indexer: GraphQL API and ops endpoints", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;
  let idx: Indexer;
  let api: string;
  let midBlock: number;

  before(async function () {
    url = (await sharedNode()).url;
    sys = await deploySystem(await connect(url));
    const rng = prng(70);
    for (let i = 0; i < 9; i++) await settleNextDay(sys, rng);
    await randomActivity(sys, rng, 15);
    midBlock = Number(await rpc(url, "eth_blockNumber"));
    await randomActivity(sys, rng, 15);
    for (let i = 0; i < 3; i++) await settleNextDay(sys, rng);
    idx = await indexerFor(sys, url, "pglite", { maxPageSize: 50 });
    await idx.waitForHead();
    api = idx.url!;
  });
  after(async () => idx?.stop());

  describe("errors", function () {
    const cases: [string, string, string, RegExp][] = [
      ["bad address", `{ account(address: "0x12") { address } }`, "BAD_USER_INPUT", /address: invalid address "0x12"/],
      ["unknown series", `{ series(id: "999") { id } }`, "NOT_FOUND", /series 999 not found/],
      ["malformed id", `{ series(id: "1e3") { id } }`, "BAD_USER_INPUT", /invalid id/],
      ["unknown farm", `{ farm(address: "0x000000000000000000000000000000000000dead") { name } }`, "NOT_FOUND", /not found/],
      ["oversized page", `{ holders(seriesId: "1", first: 51) { items { holder } } }`, "BAD_USER_INPUT", /first: must be between 1 and 50/],
      ["zero page", `{ claims(first: 0) { items { holder } } }`, "BAD_USER_INPUT", /first/],
      ["bad cursor", `{ claims(after: "nope") { items { holder } } }`, "BAD_USER_INPUT", /after: invalid cursor/],
      ["future block", `{ account(address: "0x000000000000000000000000000000000000dead", block: { number: 99999999 }) { address } }`, "BAD_USER_INPUT", /not indexed yet/],
      ["bad filter address", `{ transfers(where: { account: "zz" }) { items { amount } } }`, "BAD_USER_INPUT", /where.account/],
      ["bad unit price", `{ yieldHistory(seriesId: "1", unitPriceSats: "-5") { from } }`, "BAD_USER_INPUT", /unitPriceSats/],
      [
        "too deep",
        `{ account(address: "0x000000000000000000000000000000000000dead") { positions { series { farm { series { farm { series { farm { name } } } } } } } } }`,
        "QUERY_LIMIT",
        /depth limit/,
      ],
      ["too many aliases", `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: _meta { block }`).join(" ")} }`, "QUERY_LIMIT", /Aliases limit/],
    ];
    for (const [name, query, code, message] of cases) {
      it(`${name}: GraphQL error ${code}`, async function () {
        const r = await gqlRaw(api, query);
        expect(r.status, "HTTP status").to.equal(200);
        expect(r.errors, "errors").to.be.an("array").that.is.not.empty;
        expect(r.errors![0].extensions?.code).to.equal(code);
        expect(r.errors![0].message).to.match(message);
      });
    }
  });

  it("paginates with cursors: pages of 2 equal one page, ordered, no duplicates", async function () {
    const all = (await gql(api, `{ holders(seriesId: "1", first: 50) { items { holder balance } pageInfo { hasNextPage } } }`)).holders;
    expect(all.pageInfo.hasNextPage).to.equal(false);
    const paged = await allPages(api, "holders", `seriesId: "1"`, "holder balance", 2);
    expect(paged).to.deep.equal(all.items);
    const bal = paged.map((p: any) => BigInt(p.balance));
    for (let i = 1; i < bal.length; i++) expect(bal[i - 1] >= bal[i]).to.equal(true);
    const asc = await allPages(api, "holders", `seriesId: "1", orderBy: holder, orderDirection: asc`, "holder", 3);
    expect(asc.map((p: any) => p.holder)).to.deep.equal(paged.map((p: any) => p.holder).sort());
    const transfers = await allPages(api, "transfers", "", "blockNumber logIndex batchIndex", 7);
    const keys = transfers.map((t: any) => `${t.blockNumber}:${t.logIndex}:${t.batchIndex}`);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it("filters lists", async function () {
    const h = sys.holders[0].address.toLowerCase();
    const claims = await allPages(api, "claims", `where: { holder: "${h}" }`, "holder seriesId amountSats");
    expect(claims.every((c: any) => c.holder === h)).to.equal(true);
    const d = await allPages(api, "distributions", `where: { seriesId: "2", kind: daily, dayGte: ${sys.startDay + 3} }, orderBy: day`, "seriesId kind day");
    expect(d.length).to.be.greaterThan(0);
    expect(d.every((x: any) => x.seriesId === "2" && x.kind === "daily" && x.day >= sys.startDay + 3)).to.equal(true);
    const t = await allPages(api, "transfers", `where: { account: "${h}" }`, "from to");
    expect(t.length).to.be.greaterThan(0);
    expect(t.every((x: any) => x.from === h || x.to === h)).to.equal(true);
    const s = (await gql(api, `{ seriesList(where: { status: active, farm: "${sys.farm.address}" }) { items { id status } } }`)).seriesList;
    expect(s.items.map((x: any) => x.id)).to.deep.equal(["1", "2"]);
  });

  it("as-of-block reads equal the contracts' views at that block", async function () {
    for (const h of sys.holders) {
      const { account } = await gql(api, `query($a: String!, $b: Int!) { account(address: $a, block: { number: $b }) { positions(includeEmpty: true) { seriesId balance claimableSats } } }`, { a: h.address, b: midBlock });
      const byId = new Map<string, any>(account.positions.map((p: any) => [p.seriesId, p]));
      for (const id of sys.ids) {
        expect(byId.get(String(id))?.balance ?? "0").to.equal((await sys.token.balanceOf(h.address, id, { blockTag: midBlock })).toString());
        expect(byId.get(String(id))?.claimableSats ?? "0").to.equal((await sys.token.claimable(h.address, id, { blockTag: midBlock })).toString());
      }
    }
    const then = (await gql(api, `{ series(id: "1", block: { number: ${midBlock} }) { supply accPerUnitE36 } }`)).series;
    const st = await sys.token.seriesState(1n, { blockTag: midBlock });
    expect(then).to.deep.equal({ supply: st.supply.toString(), accPerUnitE36: st.accPerUnitE36.toString() });
  });

  it("yieldHistory: per-unit statement from the settlements, trailing means and annualised yield", async function () {
    const terms = await sys.token.seriesTerms(1n);
    const term = BigInt(terms.termDays);
    const { yieldHistory: y } = await gql(api, `{ yieldHistory(seriesId: "1", from: ${sys.startDay}, unitPriceSats: "1000") {
      termDays from to days { day hashpriceE18 uptimeBps btcUsdE8 grossPerUnitSatsE18 feesPerUnitSatsE18 downtimePerUnitSatsE18
      compensationPerUnitSatsE18 netPerUnitSatsE18 trailing7NetPerUnitSatsE18 trailing30NetPerUnitSatsE18 annualisedNetPerUnitSatsE18 annualisedYieldBps } } }`);
    expect(y.days.length).to.equal(sys.nextDay - sys.startDay);
    const nets: bigint[] = [];
    for (const d of y.days) {
      // recompute the day with the domain formula from the oracle inputs the API shows
      const p = perThDay(
        {
          termDays: Number(terms.termDays), efficiencyJPerThE3: Number(terms.efficiencyJPerThE3), poolFeeBps: Number(terms.poolFeeBps),
          slaBps: Number(terms.slaBps), powerCostUsdPerKWhE6: Number(terms.powerCostUsdPerKWhE6), serviceFeeUsdPerThDayE6: Number(terms.serviceFeeUsdPerThDayE6),
        },
        BigInt(d.hashpriceE18), d.uptimeBps, BigInt(d.btcUsdE8),
      );
      expect(d.netPerUnitSatsE18).to.equal((p.netE18 / term).toString());
      expect(d.grossPerUnitSatsE18).to.equal(p.grossE18 / term + "");
      expect(d.feesPerUnitSatsE18).to.equal(((p.electricityE18 + p.serviceE18) / term).toString());
      expect(d.downtimePerUnitSatsE18).to.equal((p.downtimeE18 / term).toString());
      nets.push(p.netE18 / term);
      const last7 = nets.slice(-7);
      const last30 = nets.slice(-30);
      const t7 = last7.reduce((a, b) => a + b, 0n) / BigInt(last7.length);
      const t30 = last30.reduce((a, b) => a + b, 0n) / BigInt(last30.length);
      expect(d.trailing7NetPerUnitSatsE18).to.equal(t7.toString()); // consecutive settled days
      expect(d.trailing30NetPerUnitSatsE18).to.equal(t30.toString());
      expect(d.annualisedNetPerUnitSatsE18).to.equal((t30 * 365n).toString());
      expect(d.annualisedYieldBps).to.equal(Number((t30 * 365n * 10_000n) / (1000n * E18)));
    }
  });

  it("event rows carry blockNumber and their block's time (ISO 8601); days their ISO date; kind filters holders", async function () {
    const blockTime = new Map<number, string>();
    const timeOf = async (n: number) => {
      if (!blockTime.has(n)) {
        const b = await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
        blockTime.set(n, new Date(Number(b.timestamp) * 1000).toISOString());
      }
      return blockTime.get(n)!;
    };
    const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    for (const [field, sel] of [["transfers", ""], ["claims", ""], ["distributions", "day date"], ["settlements", "day date"], ["uptimes", "day date"]]) {
      const rows = await allPages(api, field, "", `blockNumber txHash timestamp ${sel}`, 50);
      expect(rows.length, field).to.be.greaterThan(0);
      for (const r of rows) {
        expect(r.timestamp, `${field} at ${r.blockNumber}`).to.equal(await timeOf(r.blockNumber));
        if (r.day != null) expect(r.date).to.equal(iso(r.day));
      }
    }
    const { series } = await gql(api, `{ series(id: "1") { startDay startDate lastDay lastDate } }`);
    expect([series.startDate, series.lastDate]).to.deep.equal([iso(series.startDay), iso(series.lastDay)]);
    const { _meta } = await gql(api, `{ _meta { block timestamp } }`);
    expect(_meta.timestamp).to.equal(await timeOf(_meta.block));
    // no DeFi contracts here: every holder is an owner
    const all = await allPages(api, "holders", `seriesId: "1"`, "holder kind");
    expect(await allPages(api, "holders", `seriesId: "1", where: { kind: holder }`, "holder kind")).to.deep.equal(all);
    expect(await allPages(api, "holders", `seriesId: "1", where: { kind: wrapper }`, "holder kind")).to.deep.equal([]);
  });

  it("yieldHistory without a price: annualisedYieldBps over the holder's view of one unit (no valuation oracle here)", async function () {
    const { yieldHistory: y, series } = await gql<{ yieldHistory: YieldHistory; series: Series }>(api, `{ series(id: "1") { startDay termDays }
      yieldHistory(seriesId: "1", from: ${sys.startDay}) { unitPriceSats unitPriceSatsE18 priceSource days { annualisedNetPerUnitSatsE18 annualisedYieldBps } } }`);
    const { account } = await gql(api, `query($a: String!) { account(address: $a) { positions { seriesId valuation { netPerThsDaySatsE18 remainingDays } } } }`, { a: sys.holders[0].address });
    const v = (account as Account).positions.find((p) => p.seriesId === "1")!.valuation;
    const price = (BigInt(v.remainingDays) * BigInt(v.netPerThsDaySatsE18)) / BigInt(series.termDays);
    expect(price > 0n).to.equal(true);
    expect({ given: y.unitPriceSats, price: y.unitPriceSatsE18, source: y.priceSource }).to.deep.equal({ given: null, price: price.toString(), source: "holderView" });
    expect(y.days.length).to.be.greaterThan(0);
    for (const d of y.days) expect(d.annualisedYieldBps).to.equal(Number((BigInt(d.annualisedNetPerUnitSatsE18) * 10_000n) / price));
  });

  it("valuation: remaining TH/s·days at the trailing net yield, in sats and USD", async function () {
    const h = sys.holders[0].address;
    const { account } = await gql(api, `query($a: String!) { account(address: $a) { positions { seriesId balance remainingDays remainingThsDays
      valuation { balance termDays remainingDays remainingThsDays netPerThsDaySatsE18 source trailingDays windowEndDay btcUsdE8 valueSats valueUsdE8 asOfDay } } } }`, { a: h });
    const today = Math.floor(Number((await sys.conn.ethers.provider.getBlock("latest"))!.timestamp) / 86_400);
    expect(account.positions.length).to.be.greaterThan(0);
    for (const p of account.positions) {
      const v = p.valuation;
      const terms = await sys.token.seriesTerms(BigInt(p.seriesId));
      const end = Number(terms.startDay) + Number(terms.termDays);
      expect(v.asOfDay).to.equal(today);
      expect(v.remainingDays).to.equal(Math.max(0, Math.min(Number(terms.termDays), end - Math.max(today, Number(terms.startDay)))));
      expect(v.source).to.equal("settlements");
      // 30-day trailing mean of the series' settled net per TH/s·day, from its settlements
      const settled = await allPages(api, "settlements", `where: { seriesId: "${p.seriesId}" }`, "day netE18");
      const lastDay = Math.max(...settled.map((s: any) => s.day));
      const window = settled.filter((s: any) => s.day > lastDay - 30);
      const mean = window.reduce((a: bigint, s: any) => a + BigInt(s.netE18), 0n) / BigInt(window.length);
      expect(v.trailingDays).to.equal(window.length);
      expect(v.netPerThsDaySatsE18).to.equal(mean.toString());
      const bal = BigInt(p.balance);
      const value = (bal * BigInt(v.remainingDays) * mean) / (BigInt(terms.termDays) * E18);
      expect(v.valueSats).to.equal(value.toString());
      expect(v.valueUsdE8).to.equal(((value * BigInt(v.btcUsdE8)) / 10n ** 8n).toString());
      const rem = (bal * BigInt(v.remainingDays) * 1_000_000n) / BigInt(terms.termDays);
      expect(v.remainingThsDays).to.equal(`${rem / 1_000_000n}.${(rem % 1_000_000n).toString().padStart(6, "0")}`);
      expect(p.remainingThsDays).to.equal(v.remainingThsDays);
      expect(BigInt(v.valueSats) > 0n).to.equal(true);
    }
  });

  it("_meta, /health, /ready, /metrics, GraphiQL", async function () {
    const head = Number(await rpc(url, "eth_blockNumber"));
    const block = await rpc<{ hash: string }>(url, "eth_getBlockByNumber", [`0x${head.toString(16)}`, false]);
    const { _meta } = await gql(api, "{ _meta { block hash finalizedBlock lagBlocks headBlock chainId phase ready } }");
    expect(_meta).to.deep.equal({ block: head, hash: block.hash, finalizedBlock: head - 3, lagBlocks: 0, headBlock: head, chainId: 31337, phase: "live", ready: true });
    const base = api.replace("/graphql", "");
    expect((await fetch(`${base}/health`)).status).to.equal(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).to.equal(200);
    expect((await ready.json()).lagBlocks).to.equal(0);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const m of ["indexer_events_total", "indexer_blocks_total", "indexer_lag_blocks 0", "indexer_events_per_second", "indexer_blocks_per_second", "indexer_rpc_requests_total", "indexer_reorgs_total", "indexer_process_resident_memory_bytes"]) {
      expect(metrics).to.include(m);
    }
    const html = await fetch(`${base}/graphql`, { headers: { accept: "text/html" } });
    expect(html.status).to.equal(200);
    expect(await html.text()).to.match(/graphiql/i);
  });

  describe("bounded queries (cost with variables, body, list and string arguments, clipped errors)", function () {
    const TRANSFERS = "items { seriesId from to amount blockNumber logIndex batchIndex }";
    const aliases = (first: string, vars = "($f: Int)") => `query${first === "$f" ? vars : ""} { ${Array.from({ length: 15 }, (_, i) => `a${i}: transfers(first: ${first}) { ${TRANSFERS} }`).join(" ")} }`;
    const post = (body: string) => fetch(api, { method: "POST", headers: { "content-type": "application/json" }, body });

    it("the cost sees variables: 15 aliases of transfers(first: $f) with f = 50 are refused like the literal, naming the limit", async function () {
      for (const [query, variables] of [[aliases("$f"), { f: 50 }], [aliases("50"), {}], [aliases("$f", "($f: Int = 50)"), {}]] as const) {
        const r = await gqlRaw(api, query, variables);
        expect(r.errors?.[0]?.extensions?.code, query.slice(0, 40)).to.equal("QUERY_LIMIT");
        expect(r.errors![0].message).to.match(/cost limit of 250 exceeded: the query costs 765 /); // 5 × maxPageSize 50; 15 × (1 + 50)
        expect(r.data ?? null).to.equal(null);
      }
      const ok = await gqlRaw(api, aliases("$f"), { f: 2 });
      expect(ok.errors).to.equal(undefined);
      expect(ok.data.a0.items).to.have.length(2);
    });

    it("a body over 100 kB is refused (413, QUERY_LIMIT) without echoing it", async function () {
      const big = JSON.stringify({ query: `{ _meta { block } }`, variables: { x: "a".repeat(5_000_000) } });
      const r = await post(big);
      expect(r.status).to.equal(413);
      const text = await r.text();
      expect(text.length).to.be.lessThan(300);
      expect(JSON.parse(text).errors[0].extensions.code).to.equal("QUERY_LIMIT");
    });

    it("list and string arguments are bounded (holderIn, 1 kB strings), literal or variable", async function () {
      const addrs = Array.from({ length: 501 }, (_, i) => `0x${i.toString(16).padStart(40, "0")}`);
      const q = `query($h: [String!]) { holders(seriesId: "${sys.ids[0]}", where: { holderIn: $h }) { items { holder } } }`;
      const r1 = await gqlRaw(api, q, { h: addrs });
      expect(r1.errors?.[0]?.extensions?.code).to.equal("QUERY_LIMIT");
      expect(r1.errors![0].message).to.match(/a list of 501 items \(at most 500\)/);
      const ok = await gqlRaw(api, q, { h: addrs.slice(0, 500) });
      expect(ok.errors).to.equal(undefined);
      const long = "0x" + "ab".repeat(600);
      for (const [query, variables] of [[`{ account(address: "${long}") { address } }`, {}], [`query($a: String!) { account(address: $a) { address } }`, { a: long }]] as const) {
        const r = await gqlRaw(api, query, variables);
        expect(r.errors?.[0]?.extensions?.code).to.equal("QUERY_LIMIT");
        expect(r.errors![0].message).to.match(/a string of 1202 characters \(at most 512\)/);
      }
    });

    it("error messages echo at most a short prefix of the input", async function () {
      const bad = "0x" + "zz".repeat(250); // within the string limit, an invalid address
      const r = await gqlRaw(api, `{ account(address: "${bad}") { address } }`);
      expect(r.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(r.errors![0].message.length).to.be.lessThan(260);
      expect(r.errors![0].message).to.match(/… \(\d+ characters\)$/);
      const syntax = await gqlRaw(api, `{ account(address: ${"x".repeat(3_000)} }`);
      expect(syntax.errors![0].message.length).to.be.lessThan(260);
      const coerce = await gqlRaw(api, `query($f: Int) { transfers(first: $f) { items { amount } } }`, { f: "9".repeat(400) });
      expect(coerce.errors![0].message.length).to.be.lessThan(260);
    });
  });
});
