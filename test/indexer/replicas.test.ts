/**
 * API replicas: one writer (`sync`, no HTTP) and two read-only API processes (`serve`) on the same embedded
 * PostgreSQL. The replicas answer like a one-process indexer of the same chain, `_meta` and `/ready` follow the
 * writer's checkpoint, the database refuses their writes, and a reorg rolled back by the writer while they serve
 * leaves them equal to a fresh index of the final chain. When the writer stops, the replicas say so on `/ready`.
 */
import { expect } from "chai";
import { rpc, until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { apiSnapshot, expectApiEqualsContracts, gql, gqlRaw } from "./helpers/compare.js";
import { indexerFor } from "./helpers/indexer.js";
import { startIndexer, type ConfigInput, type Indexer } from "../../indexer/index.js";
import type { Meta, SeriesPage } from "../../client/index.js";

describe("indexer: API replicas (one sync writer, two read-only serve processes on PostgreSQL)", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;
  let writer: Indexer;
  const readers: Indexer[] = [];
  const others: Indexer[] = [];

  const serve = (databaseUrl: string) =>
    startIndexer({ mode: "serve", databaseUrl, port: 0, pollIntervalMs: 50, stallTimeoutMs: 600_000, logLevel: process.env.INDEXER_LOG ?? "silent" } as ConfigInput);
  const meta = async (u: string) => (await gql<{ _meta: Meta }>(u, "{ _meta { block hash headBlock lagBlocks phase ready } }"))._meta;
  const tipHash = async (n: number) => (await rpc<{ hash: string }>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).hash;

  before(async function () {
    ({ url, sys } = await deployWithActivity(90, 20));
    writer = await indexerFor(sys, url, "postgres", { mode: "sync", finality: 200 });
    expect(writer.url, "sync serves no HTTP").to.equal(null);
    readers.push(await serve(writer.config.databaseUrl!), await serve(writer.config.databaseUrl!));
  });
  after(async () => {
    for (const r of [...readers, ...others]) await r.stop();
    await writer?.stop();
  });

  it("serve answers like a one-process indexer; _meta and /ready follow the writer's checkpoint; writes are refused", async function () {
    await writer.waitForHead();
    const cp = writer.state.checkpoint!;
    for (const r of readers) {
      await r.waitForBlock(cp.number, 30_000);
      await until(async () => (await meta(r.url!)).phase === "live", "the writer's phase (published every 200 ms)", 10_000);
      const m = await meta(r.url!);
      expect(m).to.deep.equal({ block: cp.number, hash: cp.hash, headBlock: writer.state.head, lagBlocks: 0, phase: "live", ready: true });
      const ready = await fetch(r.url!.replace("/graphql", "/ready"));
      expect(ready.status).to.equal(200);
      expect((await ready.json()).block).to.equal(cp.number);
      await expectApiEqualsContracts(r.url!, sys);
      const write = await r.db.query("INSERT INTO meta (key, value) VALUES ('x', 'y')").then(() => null, (e) => e);
      expect(String(write?.message)).to.match(/read-only transaction/);
    }
    const one = await indexerFor(sys, url, "pglite", { finality: 200 });
    others.push(one);
    await one.waitForHead();
    const want = await apiSnapshot(one.url!, sys);
    for (const r of readers) expect(await apiSnapshot(r.url!, sys)).to.deep.equal(want);
    // new blocks: the replicas move with the writer
    await randomActivity(sys, prng(91), 6);
    await writer.waitForHead();
    for (const r of readers) {
      await r.waitForBlock(writer.state.checkpoint!.number, 30_000);
      expect((await meta(r.url!)).hash).to.equal(writer.state.checkpoint!.hash);
    }
  });

  it("a reorg rolled back by the writer while the replicas serve: they end equal to a fresh index of the final chain", async function () {
    await writer.waitForHead();
    const snap = await rpc(url, "evm_snapshot");
    const nextDay = sys.nextDay;
    await randomActivity(sys, prng(92), 10); // the branch that will be orphaned
    await writer.waitForHead();
    const orphanedTip = Number(await rpc(url, "eth_blockNumber"));
    for (const r of readers) await r.waitForBlock(orphanedTip, 30_000);
    const orphanedHash = await tipHash(orphanedTip);
    expect((await meta(readers[0].url!)).hash).to.equal(orphanedHash);

    // the replicas keep answering while the writer rolls back and indexes the new branch
    let stop = false;
    const answers = { ok: 0, errors: [] as string[] };
    const load = readers.map(async (r) => {
      while (!stop) {
        const q = await gqlRaw<{ _meta: Meta; seriesList: SeriesPage }>(r.url!, `{ _meta { block } seriesList { items { id supply accPerUnitE36 } } }`);
        if (q.errors) answers.errors.push(q.errors[0].message);
        else answers.ok++;
      }
    });
    expect(await rpc(url, "evm_revert", [snap])).to.equal(true);
    sys.nextDay = nextDay;
    await randomActivity(sys, prng(93), 16); // the canonical branch
    const head = Number(await rpc(url, "eth_blockNumber"));
    expect(head).to.be.greaterThan(orphanedTip);
    const canonical = await tipHash(head);
    await until(async () => writer.state.checkpoint?.hash === canonical, "the writer on the canonical tip");
    for (const r of readers) await until(async () => (await meta(r.url!)).hash === canonical, "replica on the canonical tip", 30_000);
    stop = true;
    await Promise.all(load);
    expect(answers.errors, "errors while serving through the reorg").to.deep.equal([]);
    expect(answers.ok).to.be.greaterThan(10);
    expect((await writer.metrics.reorgs.get()).values[0].value, "reorgs handled by the writer").to.be.greaterThanOrEqual(1);
    for (const r of readers) expect(r.state.reorgs, "the replica saw the rollback (cache epoch)").to.be.greaterThanOrEqual(1);

    const fresh = await indexerFor(sys, url, "pglite", { finality: 200 });
    others.push(fresh);
    await fresh.waitForHead();
    const want = await apiSnapshot(fresh.url!, sys);
    for (const r of readers) {
      expect(await apiSnapshot(r.url!, sys), "replica API after the reorg").to.deep.equal(want);
      await expectApiEqualsContracts(r.url!, sys);
    }
  });

  it("when the writer stops, the replicas' /ready names it (503, reason writer)", async function () {
    await writer.stop();
    for (const r of readers) {
      await until(async () => (await fetch(r.url!.replace("/graphql", "/ready"))).status === 503, "/ready 503", 30_000);
      const body = await (await fetch(r.url!.replace("/graphql", "/ready"))).json();
      expect(body.reasons).to.include("writer");
      expect(body.details.join(" ")).to.match(/the writer \(sync\) stopped/);
    }
  });
});
