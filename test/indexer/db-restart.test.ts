/**
 * Database restarts: the indexer CLI (a child process) syncs into an embedded PostgreSQL that is shut down fast
 * (SIGINT), immediately (SIGQUIT) and killed (SIGKILL) during backfill, and shut down again during live sync. The
 * process must never die (every connection error is caught, the step rolled back and retried with backoff), `/ready`
 * must say 503 `database` while the server is down, and the index must end equal to a fresh one.
 */
import { expect } from "chai";
import { rpc, startPostgres, until, type RestartablePostgres } from "./helpers/env.js";
import { deployWithActivity, prng, randomActivity, type System } from "./helpers/system.js";
import { apiSnapshot, dumpStore } from "./helpers/compare.js";
import { indexerFor } from "./helpers/indexer.js";
import { startProxy } from "./helpers/proxy.js";
import { exited, startCli } from "./helpers/cli.js";
import { openDb } from "../../indexer/store/db.js";

describe("indexer: PostgreSQL restarts", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;
  let pg: RestartablePostgres;

  before(async function () {
    ({ url, sys } = await deployWithActivity(80, 30));
    pg = await startPostgres({ own: true });
  });
  after(async () => pg?.stop());

  it("fast, immediate and SIGKILL restarts during backfill and live sync: the process stays up, /ready 503, equal to a fresh index", async function () {
    const dbUrl = await pg.newDatabase();
    const proxy = await startProxy(url, { delayMs: [10, 20] }, prng(8)); // a remote node's latency: a backfill to interrupt
    const args = [
      "--rpc", proxy.url, "--token", sys.addresses.token, "--oracle", sys.addresses.oracle, "--settlement", sys.addresses.settlement,
      "--from-block", String(sys.fromBlock), "--finality", "3", "--port", "0", "--poll-interval", "50",
      "--initial-range", "1", "--max-range", "1", "--stall-timeout", "600000", "--log-level", "info", "--no-progress", "--database-url", dbUrl,
    ];
    const cli = await startCli(args);
    const base = cli.url.replace("/graphql", "");
    const status = async () => {
      const r = await fetch(`${base}/ready`);
      return { code: r.status, ...((await r.json()) as { block: number | null; reasons: string[] }) };
    };
    let fresh: Awaited<ReturnType<typeof indexerFor>> | null = null;
    try {
      let head = Number(await rpc(url, "eth_blockNumber"));
      const span = head - sys.fromBlock;
      const seen: Record<string, number> = {};
      const restart = async (signal: "SIGINT" | "SIGQUIT" | "SIGKILL") => {
        if (process.env.DEBUG_RESTART) console.error("restart", signal, await status());
        await pg.kill(signal);
        await until(async () => (await status()).reasons.includes("database"), `/ready database after ${signal}`, 20_000);
        seen[signal] = (await status()).code;
        await new Promise((r) => setTimeout(r, 500)); // the indexer keeps failing and backing off meanwhile
        expect(cli.proc.exitCode, `alive after ${signal}`).to.equal(null);
        await pg.start();
        if (process.env.DEBUG_RESTART) console.error("restarted", signal, await status());
      };
      const at = [0.2, 0.45, 0.7].map((f) => sys.fromBlock + Math.floor(span * f));
      for (const [i, signal] of (["SIGINT", "SIGQUIT", "SIGKILL"] as const).entries()) {
        await until(async () => ((await status()).block ?? -1) >= at[i], `block ${at[i]}`, 60_000, 5);
        expect((await status()).block, "still in backfill").to.be.lessThan(head);
        await restart(signal);
      }
      await until(async () => (await status()).block === head, "head after the backfill restarts", 120_000);
      // live sync: the server goes down while new blocks arrive
      await randomActivity(sys, prng(81), 3);
      await restart("SIGQUIT");
      await randomActivity(sys, prng(82), 3);
      await restart("SIGKILL");
      head = Number(await rpc(url, "eth_blockNumber"));
      await until(async () => (await status()).block === head, "head after the live restarts", 120_000);
      expect(seen).to.deep.equal({ SIGINT: 503, SIGQUIT: 503, SIGKILL: 503 });
      expect(cli.proc.exitCode).to.equal(null);
      await until(async () => (await status()).code === 200, "ready", 20_000);
      const got = await apiSnapshot(cli.url, sys);

      fresh = await indexerFor(sys, url, "pglite");
      await fresh.waitForBlock(head);
      expect(got).to.deep.equal(await apiSnapshot(fresh.url!, sys));
      const db = await openDb({ databaseUrl: dbUrl, dataDir: "" });
      try {
        expect(await dumpStore(db)).to.deep.equal(await dumpStore(fresh.db));
      } finally {
        await db.close();
      }
      cli.proc.kill("SIGTERM");
      await exited(cli.proc);
      expect(cli.proc.exitCode).to.equal(0);
    } catch (e) {
      console.error(cli.output().slice(-6000));
      throw e;
    } finally {
      if (cli.proc.exitCode === null) cli.proc.kill("SIGKILL");
      await fresh?.stop();
      await proxy.close();
    }
  });
});
