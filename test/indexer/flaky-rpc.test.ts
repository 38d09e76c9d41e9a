/**
 * A flaky JSON-RPC endpoint (dropped, held, delayed and failed requests, 429s, a getLogs range limit) slows the
 * indexers down but must not change what they index: during backfill and live activity through the proxy, they end
 * equal to a fresh index made directly against the node, and to the contracts' views.
 */
import { expect } from "chai";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { apiSnapshot, dumpStore, expectApiEqualsContracts } from "./helpers/compare.js";
import { indexerFor, mismatches } from "./helpers/indexer.js";
import { startProxy } from "./helpers/proxy.js";
import type { Indexer } from "../../indexer/index.js";

describe("indexer: flaky JSON-RPC", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(60, 25));
  });

  it("drops, timeouts, 500s, 429s and range limits: ends equal to a fresh index (PGlite and PostgreSQL)", async function () {
    const proxy = await startProxy(
      url,
      { delayMs: [0, 25], drop: 0.05, hang: 0.08, hangMs: 1_500, http500: 0.05, http429: 0.06, maxLogRange: 7 },
      prng(61),
    );
    const rpc = { timeoutMs: 500, maxRetries: 3, backoffMs: 10, maxBackoffMs: 200, initialRange: 50 };
    const flaky: Indexer[] = [
      await indexerFor(sys, proxy.url, "pglite", { rpc }),
      await indexerFor(sys, proxy.url, "postgres", { rpc }),
    ];
    let fresh: Indexer | null = null;
    try {
      await randomActivity(sys, prng(62), 15); // live activity while they backfill through the proxy
      for (const idx of flaky) await idx.waitForHead(180_000);
      expect(proxy.counts.drop, "drops").to.be.greaterThan(0);
      expect(proxy.counts.hang, "timeouts").to.be.greaterThan(0);
      expect(proxy.counts.http500, "500s").to.be.greaterThan(0);
      expect(proxy.counts.http429, "429s").to.be.greaterThan(0);
      expect(proxy.counts.rangeRefused, "range refusals").to.be.greaterThan(0);
      fresh = await indexerFor(sys, url, "pglite");
      await fresh.waitForHead();
      const want = await dumpStore(fresh.db);
      const wantApi = await apiSnapshot(fresh.url!, sys);
      // every injected fault was seen and classified (by one indexer or the other: they share the random proxy)
      const kinds = new Set<string>();
      for (const idx of flaky) {
        const errors = (await idx.metrics.rpcErrors.get()).values.filter((v) => v.value > 0);
        expect(errors, `${idx.db.kind} rpc errors`).to.not.be.empty;
        errors.forEach((v) => kinds.add(String(v.labels.kind)));
      }
      expect([...kinds]).to.include.members(["range", "rate_limit", "timeout", "network", "server"]);
      for (const idx of flaky) {
        expect(await dumpStore(idx.db), `${idx.db.kind} tables`).to.deep.equal(want);
        expect(await apiSnapshot(idx.url!, sys), `${idx.db.kind} API`).to.deep.equal(wantApi);
        await expectApiEqualsContracts(idx.url!, sys);
        expect(await mismatches(idx)).to.equal(0);
      }
    } finally {
      for (const idx of [...flaky, fresh]) await idx?.stop();
      await proxy.close();
    }
  });
});
