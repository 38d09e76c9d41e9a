/**
 * The per-block GraphQL response cache (indexer/api/cache.ts): a repeated request at one checkpoint is answered
 * from the cache with the same bytes as a computed answer; every new block and every reorg (rollback to a fork,
 * then a different branch) invalidates it, so no answer of an older or orphaned block is served; `_meta` and error
 * answers are never stored.
 */
import { expect } from "chai";
import { rpc, until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { expectApiEqualsContracts } from "./helpers/compare.js";
import { indexerFor, type DbKind } from "./helpers/indexer.js";
import type { Indexer } from "../../indexer/index.js";
import client from "prom-client";
import { RESPONSE_CACHE, createResponseCache } from "../../indexer/api/cache.js";

const QUERY = `query($a: String!) { account(address: $a) { positions(includeEmpty: true) {
  seriesId balance claimableSats claimedSats accruedSats accruedE36 remainingThsDays updatedBlock valuation { valueSats valueUsdE8 } } } }`;

describe("indexer: per-block GraphQL response cache", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(16, 12));
  });

  for (const kind of ["pglite", "postgres"] as DbKind[]) {
    it(`${kind}: same bytes from the cache; a new block and a reorg invalidate it; _meta and errors are never cached`, async function () {
      const idx: Indexer = await indexerFor(sys, url, kind, { finality: 200 });
      let n = 0;
      const post = async (body: string) => {
        const r = await fetch(idx.url!, { method: "POST", headers: { "content-type": "application/json" }, body });
        return `${r.status} ${r.headers.get("content-type")} ${await r.text()}`;
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
        const first = await expectFresh();
        expect(await hits()).to.equal(h0); // first sight of each key: misses
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

        // the position lookups of concurrent requests share one statement: each gets its own holder's rows
        const sel = QUERY.slice(QUERY.indexOf("positions"), QUERY.lastIndexOf("}", QUERY.lastIndexOf("}") - 1));
        const many = `{ ${holders.map((a, i) => `h${i}: account(address: "${a}") { ${sel} }`).join(" ")} }`;
        const [together, ...alone] = await Promise.all([
          fetch(idx.url!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: many }) }).then((r) => r.json()),
          ...holders.map((a) => post(computed(a)).then((t) => JSON.parse(t.slice(t.indexOf("{"))))),
        ]);
        holders.forEach((a, i) => expect(together.data[`h${i}`], `batched answer for ${a}`).to.deep.equal(alone[i].data.account));

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
});
