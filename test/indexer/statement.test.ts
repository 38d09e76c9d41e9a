/**
 * The per-holder daily statement (GraphQL `statement`, `GET /statement.csv`) against the contracts, on random activity
 * that exercises every event it reads: mints, burns, single and batch transfers, settlements with downtime,
 * compensation and debt, deposits repaying the debt, claims and claims on behalf. For every holder and series:
 * Σ credited = claimed (Claimed events) + claimable() exactly, now and as of an earlier block; the units of each day
 * are the holder's balance at the settling block; each component is the holder's share of the day's breakdown to
 * the sat; the CSV has the same rows; bad input is a 400 with the GraphQL error code.
 */
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { connect, rpc, sharedNode } from "./helpers/env.js";
import { deploySystem, prng, randomActivity, settleNextDay, type System } from "./helpers/system.js";
import { allPages, gql, gqlRaw } from "./helpers/compare.js";
import { indexerFor } from "./helpers/indexer.js";
import type { Indexer } from "../../indexer/index.js";
import { STATEMENT_CSV_HEADER } from "../../indexer/api/statement.js";
import { E18 } from "../../domain/units.js";

const STATEMENT = `query($a: String!, $s: String, $from: Int!, $to: Int!, $b: BlockArg) {
  statement(account: $a, seriesId: $s, from: $from, to: $to, block: $b) {
    complete claimedSats claimableSats accruedSats
    series { seriesId complete claimedSats claimableSats totals { creditedSats netSats repaidSats } }
    days { seriesId day settled units grossSats poolFeeSats downtimeSats compensationSats electricitySats serviceSats unpaidSats netSats repaidSats creditedSats claimedSats }
    totals { creditedSats netSats repaidSats claimedSats unpaidSats }
  }
}`;

describe("indexer: the holder's daily statement", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;
  let idx: Indexer;
  let api: string;
  let base: string;
  let midBlock: number;
  let from: number;
  let to: number;

  before(async function () {
    url = (await sharedNode()).url;
    sys = await deploySystem(await connect(url));
    const rng = prng(121);
    for (let i = 0; i < 6; i++) await settleNextDay(sys, rng);
    await randomActivity(sys, rng, 25);
    midBlock = Number(await rpc(url, "eth_blockNumber"));
    await randomActivity(sys, rng, 25);
    for (let i = 0; i < 3; i++) await settleNextDay(sys, rng);
    idx = await indexerFor(sys, url, "pglite");
    await idx.waitForHead();
    api = idx.url!;
    base = api.replace(/\/graphql$/, "");
    from = sys.startDay - 1;
    to = Math.floor(Date.now() / 86_400_000) + 400; // past the chain's clock whatever it is
  });
  after(async () => idx?.stop());

  async function claimedOnChain(holder: string, id: bigint, toBlock?: number) {
    const evs = await sys.token.queryFilter(sys.token.filters.Claimed(holder, id), sys.fromBlock, toBlock);
    return evs.reduce((a, e) => a + e.args.amount, 0n);
  }

  it("Σ credited = claimed + claimable() for every holder and series, exactly; the window's sums add up", async function () {
    let pairs = 0;
    let repaid = 0n;
    for (const h of sys.holders) {
      const { statement: s } = await gql(api, STATEMENT, { a: h.address, from, to });
      expect(s.complete).to.equal(true);
      let all = 0n;
      for (const id of sys.ids) {
        const claimed = await claimedOnChain(h.address, id);
        const claimable = await sys.token.claimable(h.address, id);
        const ser = s.series.find((x: any) => x.seriesId === String(id));
        if (!ser) {
          expect(claimed + claimable, `${h.address} never held ${id}`).to.equal(0n);
          continue;
        }
        expect(BigInt(ser.totals.creditedSats), `credited ${h.address} in ${id}`).to.equal(claimed + claimable);
        expect(ser.claimedSats).to.equal(String(claimed));
        expect(ser.claimableSats).to.equal(String(claimable));
        // the rows of the series add up to its totals
        const rows = s.days.filter((d: any) => d.seriesId === String(id));
        expect(rows.reduce((a: bigint, d: any) => a + BigInt(d.creditedSats), 0n)).to.equal(claimed + claimable);
        expect(rows.reduce((a: bigint, d: any) => a + BigInt(d.claimedSats), 0n), "claims by day").to.equal(claimed);
        for (const d of rows) expect(BigInt(d.creditedSats)).to.equal(BigInt(d.netSats) + BigInt(d.repaidSats));
        repaid += BigInt(ser.totals.repaidSats);
        all += claimed + claimable;
        pairs++;
      }
      expect(BigInt(s.totals.creditedSats)).to.equal(all);
      expect(BigInt(s.accruedSats)).to.equal(all);
    }
    expect(pairs).to.be.greaterThan(10);
    expect(repaid, "debt repayments appear in the statements").to.be.greaterThan(0n);
  });

  it("a day's units are the holder's balance at the settling block, and each component is its share of the breakdown", async function () {
    const settlements = await allPages(api, "settlements", "", "seriesId day blockNumber grossE18 poolFeeE18 downtimeE18 compensationE18 electricityE18 serviceE18 netE18 supply debtAddedSats");
    const byKey = new Map<string, any>(settlements.map((x: any) => [`${x.seriesId}:${x.day}`, x]));
    const terms = new Map<string, number>();
    for (const id of sys.ids) terms.set(String(id), Number((await sys.token.seriesTerms(id)).termDays));
    let days = 0;
    let unpaid = 0n;
    for (const h of sys.holders.slice(0, 5)) {
      const { statement: s } = await gql(api, STATEMENT, { a: h.address, from, to });
      for (const d of s.days.filter((x: any) => x.settled)) {
        const st = byKey.get(`${d.seriesId}:${d.day}`);
        const bal = await sys.token.balanceOf(h.address, BigInt(d.seriesId), { blockTag: st.blockNumber });
        expect(d.units, `${h.address} units in ${d.seriesId} on ${d.day}`).to.equal(String(bal));
        const denom = BigInt(terms.get(d.seriesId)!) * E18;
        for (const [k, c] of [["grossSats", "grossE18"], ["poolFeeSats", "poolFeeE18"], ["downtimeSats", "downtimeE18"], ["compensationSats", "compensationE18"], ["electricitySats", "electricityE18"], ["serviceSats", "serviceE18"]]) {
          const exact = (bal * BigInt(st[c])) / denom; // the running floor gives this or one more
          expect(BigInt(d[k]) - exact, `${k} of ${d.seriesId} on ${d.day}`).to.be.oneOf([0n, 1n]);
        }
        // net as credited: the formula's share less the unpaid part, within the accumulator's rounding
        const formula = (bal * BigInt(st.netE18)) / denom;
        const diff = formula - BigInt(d.unpaidSats) - BigInt(d.netSats);
        expect(diff >= -2n && diff <= 2n, `net of ${d.seriesId} on ${d.day}: formula ${formula}, unpaid ${d.unpaidSats}, credited ${d.netSats}`).to.equal(true);
        unpaid += BigInt(d.unpaidSats);
        days++;
      }
    }
    expect(days).to.be.greaterThan(20);
    expect(unpaid, "some day went unpaid (farm debt)").to.be.greaterThan(0n);
  });

  it("as of an earlier block: credited = claimed + claimable() at that block", async function () {
    for (const h of sys.holders.slice(0, 6)) {
      const { statement: s } = await gql(api, STATEMENT, { a: h.address, from, to, b: { number: midBlock } });
      let chain = 0n;
      for (const id of sys.ids) chain += (await claimedOnChain(h.address, id, midBlock)) + (await sys.token.claimable(h.address, id, { blockTag: midBlock }));
      expect(BigInt(s.totals.creditedSats), `${h.address} at block ${midBlock}`).to.equal(chain);
    }
  });

  it("a window shorter than the history is not complete; one series only with seriesId", async function () {
    const h = sys.holders[0].address;
    const { statement: s } = await gql(api, STATEMENT, { a: h, s: String(sys.ids[0]), from: sys.startDay + 2, to: sys.startDay + 3 });
    expect(s.series.map((x: any) => x.seriesId)).to.deep.equal([String(sys.ids[0])]);
    expect(s.complete).to.equal(false);
    expect(s.days.every((d: any) => d.day >= sys.startDay + 2 && d.day <= sys.startDay + 3)).to.equal(true);
  });

  it("GET /statement.csv has the same rows as GraphQL; bad input is a 400/404 with the error code", async function () {
    const h = sys.holders[1].address.toLowerCase();
    const res = await fetch(`${base}/statement.csv?account=${h}&from=${from}&to=${to}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/csv/);
    expect(res.headers.get("content-disposition")).to.match(/attachment; filename="hashpower-statement-0x[0-9a-f]{40}-\d+-\d+\.csv"/);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const { statement: s } = await gql(api, STATEMENT, { a: h, from, to });
    expect(Object.keys(rows[0])).to.deep.equal(STATEMENT_CSV_HEADER);
    expect(rows.map((x) => [x.series_id, Number(x.day), x.units_ths_days, x.gross_sats, x.net_sats, x.repaid_sats, x.claimed_sats])).to.deep.equal(
      s.days.map((d: any) => [d.seriesId, d.day, d.units ?? "", d.grossSats, d.netSats, d.repaidSats, d.claimedSats]),
    );
    const bad: [string, number, string, RegExp][] = [
      [`account=0x12&from=1&to=2`, 400, "BAD_USER_INPUT", /account: invalid address/],
      [`account=${h}&to=2`, 400, "BAD_USER_INPUT", /from: a UTC day number is required/],
      [`account=${h}&from=5&to=2`, 400, "BAD_USER_INPUT", /from: 5 is after to/],
      [`account=${h}&from=1&to=9000`, 400, "BAD_USER_INPUT", /at most 3660 days/],
      [`account=${h}&seriesId=999&from=1&to=2`, 404, "NOT_FOUND", /series 999 not found/],
    ];
    for (const [q, status, code, msg] of bad) {
      const r = await fetch(`${base}/statement.csv?${q}`);
      expect(r.status, q).to.equal(status);
      const body = (await r.json()) as any;
      expect(body.errors[0].extensions.code).to.equal(code);
      expect(body.errors[0].message).to.match(msg);
    }
    const g = await gqlRaw(api, `{ statement(account: "0x12", from: 1, to: 2) { complete } }`);
    expect(g.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });
});
