/**
 * The GraphQL response cache (indexer/api/cache.ts): a repeated request at one checkpoint is answered from the
 * cache with the same bytes as a computed answer; a block of plain transfers evicts only the answers of the holders
 * it moved (the others stay cached and still equal computed ones); any other block and every reorg (rollback to a
 * fork, then a different branch, including transfer-only branches) invalidate everything, so no answer of an older
 * or orphaned block is served; `_meta` and error answers are never stored.
 */
import { expect } from "chai";
import { rpc, until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, settleNextDay, type System } from "./helpers/system.js";
import { expectApiEqualsContracts } from "./helpers/compare.js";
import { indexerFor, type DbKind } from "./helpers/indexer.js";
import type { Indexer } from "../../indexer/index.js";
import client from "prom-client";
import { buildSchema } from "graphql";
import { COMMIT_LOG, RESPONSE_CACHE, createResponseCache, noteCommit, touchedHolders } from "../../indexer/api/cache.js";
import { typeDefs } from "../../indexer/api/schema.js";

const QUERY = `query($a: String!) { account(address: $a) { positions(includeEmpty: true) {
  seriesId balance claimableSats claimedSats accruedSats accruedE36 remainingThsDays updatedBlock valuation { valueSats valueUsdE8 } } } }`;

describe("indexer: GraphQL response cache", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(16, 12));
  });

  for (const kind of ["pglite", "postgres"] as DbKind[]) {
    it(`${kind}: same bytes from the cache; transfers evict only their holders, also across unseen commits; a settlement and reorgs invalidate all; _meta and errors are never cached`, async function () {
      const idx: Indexer = await indexerFor(sys, url, kind, { finality: 200 });
      let n = 0;
      /** status, content-type, body, then every other header but Date (a fast-path answer must carry yoga's) */
      const post = async (body: string) => {
        const r = await fetch(idx.url!, { method: "POST", headers: { "content-type": "application/json" }, body });
        const rest = [...r.headers].filter(([k]) => k !== "date" && k !== "content-type").sort().map(([k, v]) => `${k}: ${v}`).join("\n");
        return `${r.status} ${r.headers.get("content-type")} ${await r.text()}\n${rest}`;
      };
      const fastAnswers = async () => {
        const m = (await idx.metrics.registry.getSingleMetric("indexer_graphql_fast_path_total")!.get()).values;
        return m.find((v) => v.labels.result === "answered")?.value ?? 0;
      };
      const cached = (a: string) => JSON.stringify({ query: QUERY, variables: { a } });
      /** the same query under a key never seen before: always computed */
      const computed = (a: string) => JSON.stringify({ query: `${QUERY}\n# ${n++}`, variables: { a } });
      const hits = async () => {
        const m = (await idx.metrics.registry.getSingleMetric("indexer_graphql_response_cache_total")!.get()).values;
        return m.find((v) => v.labels.result === "hit")?.value ?? 0;
      };
      const holders = sys.holders.map((h) => h.address);
      /** every holder's cached answer equals a computed one; returns the answers */
      const expectFresh = async () => {
        const out: string[] = [];
        for (const a of holders) {
          const [c, f] = [await post(cached(a)), await post(computed(a))];
          expect(c, `answer for ${a}`).to.equal(f);
          expect(c).to.match(/^200 application\/(graphql-response\+)?json.*"positions":\[\{/);
          out.push(c);
        }
        return out;
      };
      const canonicalTip = async () => {
        const head = Number(await rpc(url, "eth_blockNumber"));
        await idx.waitForBlock(head);
        const { hash } = await rpc<{ hash: string }>(url, "eth_getBlockByNumber", [`0x${head.toString(16)}`, false]);
        await until(() => idx.state.checkpoint!.hash === hash, "canonical tip");
      };
      try {
        await idx.waitForHead();
        // a hit returns the bytes of the computed answer
        const h0 = await hits();
        const f0 = await fastAnswers();
        const first = await expectFresh();
        expect(await hits()).to.equal(h0); // first sight of each key: misses
        // yoga answered the first holder's; the document known, the fast path answered the others (the same bytes and headers)
        expect(await fastAnswers() - f0).to.equal(holders.length - 1);
        for (const a of holders) await post(cached(a));
        expect(await hits()).to.equal(h0 + holders.length);
        expect(await expectFresh()).to.deep.equal(first);
        // CORS echoes the request's Origin: a stored answer is never served with another origin's headers
        for (const origin of ["https://a.example", "https://b.example", "https://a.example"]) {
          const r = await fetch(idx.url!, { method: "POST", headers: { "content-type": "application/json", origin }, body: cached(holders[0]) });
          expect(r.headers.get("access-control-allow-origin")).to.equal(origin);
          await r.text();
        }

        // new blocks: the cached answers of the old checkpoint are not served
        const snap = await rpc(url, "evm_snapshot");
        const nextDay = sys.nextDay;
        await randomActivity(sys, prng(160), 10); // the branch that will be orphaned
        await canonicalTip();
        const orphaned = await expectFresh();
        expect(orphaned, "the activity changed some answers").to.not.deep.equal(first);

        // a reorg: back to the fork, then a different branch; nothing of the orphaned blocks is served
        expect(await rpc(url, "evm_revert", [snap])).to.equal(true);
        sys.nextDay = nextDay;
        await randomActivity(sys, prng(161), 14);
        await canonicalTip();
        expect(idx.state.reorgs, "reorg handled").to.be.greaterThan(0);
        const canonical = await expectFresh();
        expect(canonical, "the other branch changed some answers").to.not.deep.equal(orphaned);
        await expectApiEqualsContracts(idx.url!, sys);
        await expectApiEqualsContracts(idx.url!, sys); // again, now from the cache

        // a block of plain transfers evicts only the answers of the holders it moved; the others stay cached
        const evicted = async (reason: string) => {
          const m = (await idx.metrics.registry.getSingleMetric("indexer_graphql_response_cache_evictions_total")!.get()).values;
          return m.find((v) => v.labels.reason === reason)?.value ?? 0;
        };
        const dayOfBlock = async (tag: string) => Math.floor(Number((await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", [tag, false])).timestamp) / 86_400);
        const transfer = async (from: number, to: number) => {
          const h = sys.holders[from];
          for (const id of sys.ids) {
            const bal = await sys.token.balanceOf(h.address, id);
            if (bal > 0n) return void (await (await sys.token.connect(h).safeTransferFrom(h.address, holders[to], id, 1n, "0x")).wait());
          }
          throw new Error(`holder ${from} holds nothing`);
        };
        const moved = async (from: number, to: number) => {
          const before = await expectFresh(); // every answer cached at this checkpoint
          const [day0, h0, e0] = [await dayOfBlock("latest"), await hits(), await evicted("holders")];
          await transfer(from, to);
          await canonicalTip();
          const sameDay = (await dayOfBlock("latest")) === day0;
          const after = await expectFresh(); // each cached answer equals a computed one
          expect(after[from], "the sender's answer changed").to.not.equal(before[from]);
          expect(after[to], "the receiver's answer changed").to.not.equal(before[to]);
          holders.forEach((_, i) => i !== from && i !== to && expect(after[i], `holder ${i} untouched`).to.equal(before[i]));
          // the untouched holders' answers came from the cache, the moved ones were computed again
          expect(await hits() - h0).to.equal(sameDay ? holders.length - 2 : 0);
          if (sameDay) expect(await evicted("holders")).to.equal(e0 + 1);
          return after;
        };
        await moved(0, 1);

        // plain-transfer blocks committed while no request came in: the commit log links them to the checkpoint the
        // cache saw, so only the holders they moved are computed again
        {
          expect(holders.length).to.be.greaterThan(7);
          const before = await expectFresh();
          const [day0, h0, a0] = [await dayOfBlock("latest"), await hits(), await evicted("all")];
          await transfer(4, 6);
          await canonicalTip();
          await transfer(5, 7);
          await canonicalTip();
          const sameDay = (await dayOfBlock("latest")) === day0;
          const after = await expectFresh();
          for (const i of [4, 5, 6, 7]) expect(after[i], `holder ${i} moved`).to.not.equal(before[i]);
          holders.forEach((_, i) => i > 7 || i < 4 ? expect(after[i], `holder ${i} untouched`).to.equal(before[i]) : undefined);
          expect(await hits() - h0).to.equal(sameDay ? holders.length - 4 : 0);
          if (sameDay) expect(await evicted("all")).to.equal(a0);
        }

        // a settlement (a report and a distribution move every holder's accumulator figures): every answer computed again
        {
          const before = await expectFresh(); // all cached
          const [h0, a0] = [await hits(), await evicted("all")];
          await settleNextDay(sys, prng(162));
          await canonicalTip();
          const after = await expectFresh();
          expect(await hits() - h0, "no answer served from before the settlement").to.equal(0);
          expect(await evicted("all")).to.be.greaterThan(a0);
          expect(after, "the settlement changed the answers").to.not.deep.equal(before);
          await expectApiEqualsContracts(idx.url!, sys);
        }

        // a reorg of transfer-only blocks: nothing of the orphaned branch is served for the holders it moved
        const fork = await rpc(url, "evm_snapshot");
        const orphanedTransfer = await moved(2, 3);
        const allBefore = await evicted("all");
        expect(await rpc(url, "evm_revert", [fork])).to.equal(true);
        const reorgs = idx.state.reorgs;
        await transfer(4, 5); // the same height, another block
        await canonicalTip();
        expect(idx.state.reorgs, "reorg handled").to.be.greaterThan(reorgs);
        const afterReorg = await expectFresh();
        expect(afterReorg[2], "holder 2 is back to its pre-fork answer").to.not.equal(orphanedTransfer[2]);
        expect(await evicted("all")).to.be.greaterThan(allBefore);
        await expectApiEqualsContracts(idx.url!, sys);

        // the position lookups of concurrent requests share one statement: each gets its own holder's rows
        const sel = QUERY.slice(QUERY.indexOf("positions"), QUERY.lastIndexOf("}", QUERY.lastIndexOf("}") - 1));
        const many = `{ ${holders.map((a, i) => `h${i}: account(address: "${a}") { ${sel} }`).join(" ")} }`;
        const [together, ...alone] = await Promise.all([
          fetch(idx.url!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: many }) }).then((r) => r.json()),
          ...holders.map((a) => post(computed(a)).then((t) => JSON.parse(t.slice(t.indexOf("{"), t.indexOf("\n"))))),
        ]);
        holders.forEach((a, i) => expect(together.data[`h${i}`], `batched answer for ${a}`).to.deep.equal(alone[i].data.account));

        // a known document with a bad variable, a missing one or one over the limits: yoga answers, with a coded error
        const known = (variables: unknown) => post(JSON.stringify({ query: QUERY, variables }));
        expect(await known({ a: "0x123" })).to.match(/^200 .*"errors":\[\{"message":"address: invalid address.*"code":"BAD_USER_INPUT"/);
        // a missing variable or one of the wrong type: request errors coded BAD_USER_INPUT (yoga codes an unknown operation name)
        expect(await known({})).to.match(/"errors":\[\{"message":"Variable \\"\$a\\" of required type \\"String!\\" was not provided.*"code":"BAD_USER_INPUT"/);
        expect(await known(undefined)).to.match(/was not provided.*"code":"BAD_USER_INPUT"/);
        expect(await known({ a: 7 })).to.match(/"errors":\[\{"message":"Variable \\"\$a\\" got invalid value 7.*"code":"BAD_USER_INPUT"/);
        expect(await post(JSON.stringify({ query: QUERY, operationName: "nope", variables: { a: holders[0] } }))).to.match(/"errors":\[\{"message":"Could not determine what operation to execute\.".*"code":"OPERATION_RESOLUTION_FAILURE"/);
        expect(await known({ a: "x".repeat(600) })).to.match(/"errors":\[\{"message":"\$a: a string of 600 characters.*"code":"QUERY_LIMIT"/);
        // a syntax error (graphql-armor's parser): a coded GraphQL error, not a 500 "Unexpected error."
        expect(await post(JSON.stringify({ query: QUERY.slice(0, -3) }))).to.match(/^200 .*"errors":\[\{"message":"Syntax Error: Expected Name, found <EOF>\.".*"code":"GRAPHQL_PARSE_FAILED"/);
        expect(await post(JSON.stringify({ query: '{ account(address: "0x1") { nope } }' }))).to.match(/"code":"GRAPHQL_VALIDATION_FAILED"/);

        // _meta reads head, lag and phase: never cached; error answers neither
        const h1 = await hits();
        const meta = JSON.stringify({ query: "{ _meta { block headBlock lagBlocks phase } }" });
        const bad = JSON.stringify({ query: QUERY, variables: { a: "0x123" } });
        for (let i = 0; i < 3; i++) {
          expect(await post(meta)).to.match(/"_meta":\{"block":\d+/);
          expect(await post(bad)).to.match(/BAD_USER_INPUT/);
        }
        expect(await hits()).to.equal(h1);
      } finally {
        await idx.stop();
      }
    });
  }

  it("unit: another hash at the same height, a reorg epoch or a stopped sync misses; memory stays bounded", function () {
    const state: any = { checkpoint: { number: 7, hash: "0xa" }, reorgs: 0, fatal: null };
    const cache = createResponseCache({ state, metrics: { registry: new client.Registry() } } as any);
    const h = { "content-type": "application/json" };
    const json = { "content-type": "application/json" };
    const put = (body: string, out: string) => cache.set(cache.begin(), h, Buffer.from(body), { volatile: false }, 200, json, Buffer.from(out));
    const get = (body: string) => cache.get(h, Buffer.from(body))?.body.toString();
    put("q", '{"data":1}');
    expect(get("q")).to.equal('{"data":1}');
    state.checkpoint = { number: 7, hash: "0xb" }; // a reorg to another block at the same height
    expect(get("q")).to.equal(undefined);
    put("q", '{"data":2}');
    state.reorgs = 1;
    expect(get("q")).to.equal(undefined);
    put("q", '{"data":3}');
    state.fatal = new Error("stopped");
    expect(get("q")).to.equal(undefined);
    state.fatal = null;
    expect(get("q")).to.equal('{"data":3}');
    // not stored: volatile, errors, a tag that moved while computing
    cache.set(cache.begin(), h, Buffer.from("v"), { volatile: true }, 200, json, Buffer.from('{"data":4}'));
    cache.set(cache.begin(), h, Buffer.from("e"), { volatile: false }, 200, json, Buffer.from('{"errors":[],"data":null}'));
    const t = cache.begin();
    state.checkpoint = { number: 8, hash: "0xc" };
    cache.set(t, h, Buffer.from("m"), { volatile: false }, 200, json, Buffer.from('{"data":5}'));
    expect([get("v"), get("e"), get("m")]).to.deep.equal([undefined, undefined, undefined]);
    // bounded: the oldest answers go first
    const big = `{"data":"${"x".repeat(RESPONSE_CACHE.maxBodyBytes - 20)}"}`;
    const n = Math.ceil(RESPONSE_CACHE.maxTotalBytes / big.length) + 10;
    for (let i = 0; i < n; i++) put(`b${i}`, big);
    expect(get("b0")).to.equal(undefined);
    expect(get(`b${n - 1}`)).to.equal(big);
    let kept = 0;
    for (let i = 0; i < n; i++) if (get(`b${i}`)) kept++;
    expect(kept * big.length).to.be.at.most(RESPONSE_CACHE.maxTotalBytes);
    expect(kept).to.be.greaterThan(n - 20);
  });

  it("unit: holder-scoped answers survive a plain-transfer commit of other holders; anything else evicts them", function () {
    const state: any = { checkpoint: { number: 7, hash: "0xa", timestamp: 86_400 * 100 + 10 }, reorgs: 0, fatal: null };
    const cache = createResponseCache({ state, metrics: { registry: new client.Registry() } } as any, buildSchema(typeDefs));
    const h = { "content-type": "application/json" };
    const json = { "content-type": "application/json" };
    const acct = (a: string) => JSON.stringify({ query: `query($a: String!) { account(address: $a) { positions { balance valuation { valueSats } } } }`, variables: { a } });
    const seriesOfAcct = JSON.stringify({ query: `{ account(address: "0xb") { positions { series { holders } } } }` }); // holder counts move with transfers
    const list = JSON.stringify({ query: "{ seriesList { items { id } } }" });
    const put = (body: string, holders: string[], block = false) =>
      cache.set(cache.begin(), h, Buffer.from(body), { volatile: false, holders: new Set(holders), block }, 200, json, Buffer.from(`{"data":${body.length}}`));
    const get = (body: string) => cache.get(h, Buffer.from(body)) !== undefined;
    const fill = () => {
      put(acct("0xa"), ["0xa"]);
      put(acct("0xb"), ["0xb"]);
      put(acct("0xc"), ["0xc"], true); // a resolver asked for block scope (the DeFi owner view)
      put(seriesOfAcct, ["0xb"]);
      put(list, []);
    };
    const all = () => [get(acct("0xa")), get(acct("0xb")), get(acct("0xc")), get(seriesOfAcct), get(list)];
    let n = 7;
    /** commits one block after the current checkpoint, `holders` moved (null: other events) */
    const commit = (holders: string[] | null, o: { parent?: string; dt?: number; reorg?: boolean } = {}) => {
      const cp = state.checkpoint;
      const next = { number: ++n, hash: `0x${n.toString(16)}f`, timestamp: cp.timestamp + (o.dt ?? 12) };
      noteCommit(state, { parent: o.parent ?? cp.hash, hash: next.hash, holders });
      state.checkpoint = next;
      if (o.reorg) state.reorgs++;
    };
    fill();
    expect(all()).to.deep.equal([true, true, true, true, true]);
    commit(["0xb", "0xd"]); // moves 0xb: its answer goes, 0xa's stays; block-scoped ones go
    expect(all()).to.deep.equal([true, false, false, false, false]);
    commit(["0xd", "0xe"]);
    expect(all()).to.deep.equal([true, false, false, false, false]);
    // several plain-transfer commits while no request came in: the log links them, only their holders go
    fill();
    commit(["0xd"]);
    commit(["0xb", "0xe"]);
    commit(["0xf"]);
    expect(all()).to.deep.equal([true, false, false, false, false]);
    for (const [what, step] of [
      ["other events", () => commit(null)],
      ["a new UTC day", () => commit(["0xd"], { dt: 86_400 })],
      ["a commit not from the checkpoint seen (a rollback)", () => commit(["0xd"], { parent: "0xdead" })],
      ["other events among plain transfers, unseen", () => (commit(["0xd"]), commit(null), commit(["0xe"]))],
      ["more commits than the log keeps, unseen", () => { for (let i = 0; i <= COMMIT_LOG; i++) commit(["0xd"]); }],
      ["a reorg", () => commit(["0xd"], { reorg: true })],
      ["no commit log (a replica)", () => ((state.commits = undefined), (state.checkpoint = { ...state.checkpoint, number: ++n, hash: "0xfeed" }))],
    ] as [string, () => void][]) {
      fill();
      expect(all(), what).to.deep.equal([true, true, true, true, true]);
      step();
      expect(all(), what).to.deep.equal([false, false, false, false, false]);
    }
    // the sync's note: only transfers between non-zero addresses are holder-only
    const ev = (name: string, args: any, contract = "token") => ({ contract, name, args, address: "0x1", block: 1, logIndex: 0, tx: "0x" }) as any;
    const Z = "0x0000000000000000000000000000000000000000";
    expect(touchedHolders([ev("TransferSingle", { from: "0xA", to: "0xb" }), ev("TransferBatch", { from: "0xb", to: "0xc" })])).to.have.members(["0xa", "0xb", "0xc"]);
    expect(touchedHolders([ev("TransferSingle", { from: Z, to: "0xb" })]), "mint").to.equal(null);
    expect(touchedHolders([ev("TransferSingle", { from: "0xb", to: Z })]), "burn").to.equal(null);
    expect(touchedHolders([ev("TransferSingle", { from: "0xa", to: "0xb" }), ev("Distributed", {})]), "distribution").to.equal(null);
    expect(touchedHolders([ev("Transfer", { from: "0xa", to: "0xb" }, "wrapper")]), "another contract").to.equal(null);
    expect(touchedHolders([])).to.deep.equal([]);
  });
});
