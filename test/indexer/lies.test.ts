/**
 * A lying or stalled JSON-RPC node (the suite's proxy rewrites answers) must never make the indexer serve wrong
 * numbers: one empty `eth_getLogs` answer is caught by the blooms and refetched; a provider that keeps dropping logs
 * is outvoted by a second endpoint; one fake block hash never becomes a checkpoint (no false deep reorg); a stale
 * head is not a reorg and turns `/ready` 503; a stalled node turns `/ready` 503 with the reason; a model mismatch
 * that persists stops the indexer loudly (`/health` 503, GraphQL refuses). Each ends equal to a fresh index.
 */
import { expect } from "chai";
import { id as topicOf } from "ethers";
import { rpc, until } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { apiSnapshot, dumpStore, gqlRaw } from "./helpers/compare.js";
import { indexerFor, mismatches } from "./helpers/indexer.js";
import { startProxy } from "./helpers/proxy.js";
import { exited, startCli } from "./helpers/cli.js";
import { ModelMismatchError, type Indexer } from "../../indexer/index.js";

const DISTRIBUTED = topicOf("Distributed(uint256,uint32,uint256,uint256,uint256)");
const FAST = { backoffMs: 10, maxBackoffMs: 100, timeoutMs: 3_000, maxRetries: 2 };

async function ready(idx: Indexer) {
  const r = await fetch(idx.url!.replace("/graphql", "/ready"));
  return { status: r.status, body: (await r.json()) as { reasons: string[]; details: string[] } };
}

describe("indexer: lying and stalled JSON-RPC", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;
  let head: number;
  let want: Awaited<ReturnType<typeof dumpStore>>;
  let wantApi: Awaited<ReturnType<typeof apiSnapshot>>;
  let fresh: Indexer;
  /** blocks holding logs of the token, and the first settle block holding two Distributed logs */
  let logBlocks: number[];
  let twoDistributions: { block: number; logIndex: number };

  before(async function () {
    ({ url, sys } = await deployWithActivity(70, 30));
    head = Number(await rpc(url, "eth_blockNumber"));
    fresh = await indexerFor(sys, url, "pglite");
    await fresh.waitForHead();
    want = await dumpStore(fresh.db);
    wantApi = await apiSnapshot(fresh.url!, sys);
    const logs = await rpc<any[]>(url, "eth_getLogs", [{ address: sys.addresses.token, fromBlock: `0x${sys.fromBlock.toString(16)}`, toBlock: "latest" }]);
    logBlocks = [...new Set(logs.map((l) => Number(l.blockNumber)))];
    const dist = logs.filter((l) => l.topics[0] === DISTRIBUTED);
    const first = dist.find((l) => dist.filter((m) => m.blockNumber === l.blockNumber).length >= 2)!;
    twoDistributions = { block: Number(first.blockNumber), logIndex: Number(first.logIndex) };
    expect(dist.filter((l) => l.topics[1] === first.topics[1]).length, "later distributions of the series").to.be.greaterThan(1);
  });
  after(async () => fresh?.stop());

  async function expectFresh(idx: Indexer) {
    await idx.waitForBlock(head);
    expect(await dumpStore(idx.db)).to.deep.equal(want);
    expect(await apiSnapshot(idx.url!, sys)).to.deep.equal(wantApi);
    expect(idx.state.fatal).to.equal(null);
  }

  it("one empty eth_getLogs answer for a range with logs: refetched (blooms), equal to a fresh index", async function () {
    const target = logBlocks[Math.floor(logBlocks.length / 2)];
    let lied = false;
    const proxy = await startProxy(url, {
      lie: (method, params, result) => {
        if (method !== "eth_getLogs" || lied) return result;
        const { fromBlock, toBlock } = params[0];
        if (Number(fromBlock) > target || Number(toBlock) < target) return result;
        lied = true;
        return [];
      },
    }, prng(1));
    const idx = await indexerFor(sys, proxy.url, "pglite", { rpc: FAST });
    try {
      await expectFresh(idx);
      expect(proxy.counts.lies).to.equal(1);
      expect((await idx.metrics.crossChecks.get()).values.find((v) => v.labels.kind === "bloom")?.value).to.be.greaterThan(0);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("a primary that keeps dropping a block's logs, an honest second endpoint: equal to a fresh index", async function () {
    const target = logBlocks[1];
    const proxy = await startProxy(url, {
      lie: (method, _params, result) => (method === "eth_getLogs" ? result.filter((l: any) => Number(l.blockNumber) !== target) : result),
    }, prng(2));
    const idx = await indexerFor(sys, proxy.url, "postgres", { rpcUrls: [url], rpc: FAST });
    try {
      await expectFresh(idx);
      expect(proxy.counts.lies).to.be.greaterThan(0);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("one fake hash for the block ending a range: never a checkpoint, no false deep reorg, equal to a fresh index", async function () {
    const range = 5;
    const target = sys.fromBlock + 2 * range - 1; // ends the second range (backfill)
    let lied = false;
    const proxy = await startProxy(url, {
      lie: (method, params, result) => {
        if (method !== "eth_getBlockByNumber" || lied || Number(params[0]) !== target || !result) return result;
        lied = true;
        return { ...result, hash: `0x${"ab".repeat(32)}` };
      },
    }, prng(3));
    const idx = await indexerFor(sys, proxy.url, "pglite", { rpc: { ...FAST, initialRange: range, maxRange: range } });
    try {
      await expectFresh(idx);
      expect(lied).to.equal(true);
      expect((await idx.metrics.reorgs.get()).values[0].value, "reorgs").to.equal(0);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("a stale head (eth_blockNumber behind and not advancing) is no reorg; /ready 503 head_stalled, then 200", async function () {
    let stale: number | null = null;
    const proxy = await startProxy(url, { lie: (method, _p, result) => (method === "eth_blockNumber" && stale !== null ? `0x${stale.toString(16)}` : result) }, prng(4));
    const idx = await indexerFor(sys, proxy.url, "pglite", { rpc: FAST, stallTimeoutMs: 1_000 });
    try {
      await idx.waitForBlock(head);
      stale = head - 5;
      const staleAnswers = async () => (await idx.metrics.falseAlarms.get()).values.find((v) => v.labels.kind === "stale_head")?.value ?? 0;
      await until(async () => (await staleAnswers()) >= 3, "stale heads seen", 20_000);
      await until(async () => (await ready(idx)).body.reasons.includes("head_stalled"), "head_stalled", 10_000);
      const r = await ready(idx);
      expect(r.status).to.equal(503);
      expect(r.body.details.join()).to.match(/has not advanced/);
      expect((await idx.metrics.reorgs.get()).values[0].value, "reorgs").to.equal(0);
      stale = null;
      await randomActivity(sys, prng(71), 1); // the chain moves on
      head = Number(await rpc(url, "eth_blockNumber"));
      await idx.waitForBlock(head);
      await until(async () => (await ready(idx)).status === 200, "ready again", 10_000);
      want = await dumpStore((await fresh.waitForBlock(head), fresh.db));
      wantApi = await apiSnapshot(fresh.url!, sys);
      await expectFresh(idx);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("a stalled node: /ready 503 head_unreadable with the reason, /health 200; ready again when it answers", async function () {
    const proxy = await startProxy(url, { hangMs: 1_500 }, prng(5));
    const idx = await indexerFor(sys, proxy.url, "pglite", { rpc: FAST, stallTimeoutMs: 1_000 });
    try {
      await idx.waitForBlock(head);
      await until(async () => (await ready(idx)).status === 200, "ready", 10_000);
      proxy.set({ stall: true });
      await until(async () => (await ready(idx)).body.reasons.includes("head_unreadable"), "head_unreadable", 15_000);
      expect((await ready(idx)).body.details.join()).to.match(/could not be read .*timeout|could not be read .*timed out|could not be read/);
      expect((await fetch(idx.url!.replace("/graphql", "/health"))).status).to.equal(200);
      const metrics = await (await fetch(idx.url!.replace("/graphql", "/metrics"))).text();
      expect(metrics).to.match(/indexer_not_ready\{reason="head_unreadable"\} 1/);
      expect(metrics).to.match(/indexer_ready 0/);
      proxy.set({ stall: false });
      await rpc(url, "evm_mine"); // the head advances again
      head = Number(await rpc(url, "eth_blockNumber"));
      await until(async () => (await ready(idx)).status === 200, "ready again", 15_000);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("a model mismatch that persists (one provider keeps hiding a Distributed log): stops loudly, serves nothing", async function () {
    const { block, logIndex } = twoDistributions;
    const proxy = await startProxy(url, {
      lie: (method, _p, result) =>
        method === "eth_getLogs" ? result.filter((l: any) => !(Number(l.blockNumber) === block && Number(l.logIndex) === logIndex)) : result,
    }, prng(6));
    const idx = await indexerFor(sys, proxy.url, "pglite", { rpc: FAST });
    try {
      const err = await idx.done.then(() => null, (e) => e);
      expect(err).to.be.instanceOf(ModelMismatchError);
      expect(await mismatches(idx)).to.be.greaterThan(0);
      const health = await fetch(idx.url!.replace("/graphql", "/health"));
      expect(health.status).to.equal(503);
      expect((await health.json()).error).to.match(/model mismatch persists/);
      expect((await ready(idx)).body.reasons).to.include("fatal");
      const q = await gqlRaw(idx.url!, `{ series(id: "${sys.ids[0]}") { distributedSats } }`);
      expect(q.errors?.[0]?.extensions?.code).to.equal("INDEXER_STOPPED");
      expect(q.data ?? null).to.equal(null);
      // nothing of the disagreeing range was committed: the checkpoint is before it
      expect(idx.state.checkpoint?.number ?? -1).to.be.lessThan(head);
    } finally {
      await idx.stop();
      await proxy.close();
    }
  });

  it("CLI: after a fatal error the process stays up to answer /health 503, and exits 1 on SIGTERM", async function () {
    const { block, logIndex } = twoDistributions;
    const proxy = await startProxy(url, {
      lie: (method, _p, result) =>
        method === "eth_getLogs" ? result.filter((l: any) => !(Number(l.blockNumber) === block && Number(l.logIndex) === logIndex)) : result,
    }, prng(7));
    const cli = await startCli([
      "--rpc", proxy.url, "--token", sys.addresses.token, "--oracle", sys.addresses.oracle, "--settlement", sys.addresses.settlement,
      "--from-block", String(sys.fromBlock), "--finality", "3", "--port", "0", "--poll-interval", "50", "--data-dir", "memory://",
      "--log-level", "info", "--no-progress",
    ]);
    try {
      const base = cli.url.replace("/graphql", "");
      await until(async () => (await fetch(`${base}/health`)).status === 503, "/health 503", 60_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(cli.proc.exitCode, "still running").to.equal(null);
      expect((await (await fetch(`${base}/health`)).json()).error).to.match(/model mismatch persists/);
      cli.proc.kill("SIGTERM");
      await exited(cli.proc);
      expect(cli.proc.exitCode).to.equal(1);
    } finally {
      if (cli.proc.exitCode === null) cli.proc.kill("SIGKILL");
      await proxy.close();
    }
  });
});
