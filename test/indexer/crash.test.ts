/**
 * Crash safety: the indexer CLI runs as a child process and is killed with SIGKILL mid-backfill, several times,
 * then restarted; it must end with exactly the data of a fresh index (no duplicate, no gap), on PGlite (data
 * folder on disk) and on PostgreSQL.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rpc, sharedPostgres, until } from "./helpers/env.js";
import { exited, startCli } from "./helpers/cli.js";
import { deployWithActivity, prng, type System } from "./helpers/system.js";
import { apiSnapshot, dumpStore, gql, indexDefinitions } from "./helpers/compare.js";
import { indexerFor } from "./helpers/indexer.js";
import { startProxy } from "./helpers/proxy.js";
import { openDb } from "../../indexer/store/db.js";

describe("indexer: kill -9 and restart", function () {
  this.timeout(300_000);
  let url: string;
  let sys: System;

  before(async function () {
    ({ url, sys } = await deployWithActivity(50, 40));
  });

  for (const kind of ["pglite", "postgres"] as const) {
    it(`${kind}: SIGKILL mid-sync three times, restart, equal to a fresh index`, async function () {
      const dir = mkdtempSync(join(tmpdir(), "hashpower-crash-"));
      const dbArgs = kind === "postgres" ? ["--database-url", await (await sharedPostgres()).newDatabase()] : ["--data-dir", join(dir, "pglite")];
      const head = Number(await rpc(url, "eth_blockNumber"));
      // a remote node's latency (10-20 ms a request) makes the backfill last long enough to be killed mid-way
      const proxy = await startProxy(url, { delayMs: [10, 20] }, prng(7));
      const args = [
        "--rpc", proxy.url, "--token", sys.addresses.token, "--oracle", sys.addresses.oracle, "--settlement", sys.addresses.settlement,
        "--from-block", String(sys.fromBlock), "--finality", "3", "--port", "0", "--poll-interval", "50",
        // one block per range and transaction: many commits to be killed between (or during)
        "--initial-range", "1", "--max-range", "1", "--log-level", "info", "--no-progress", ...dbArgs,
      ];
      let fresh: Awaited<ReturnType<typeof indexerFor>> | null = null;
      try {
        const span = head - sys.fromBlock;
        let last = -1;
        for (const stopAt of [0.2, 0.45, 0.7].map((f) => sys.fromBlock + Math.floor(span * f))) {
          const cli = await startCli(args);
          let at = -1;
          await until(async () => {
            at = (await gql(cli.url, "{ _meta { block } }"))._meta.block ?? -1;
            return at >= stopAt;
          }, `block ${stopAt}`, 60_000, 5);
          cli.proc.kill("SIGKILL");
          await exited(cli.proc);
          expect(at, "progress across restarts").to.be.greaterThan(last);
          expect(at, "killed mid-sync").to.be.lessThan(head);
          last = at;
        }
        const cli = await startCli(args);
        await until(async () => (await gql(cli.url, "{ _meta { block } }"))._meta.block >= head, "head");
        const got = await apiSnapshot(cli.url, sys);
        cli.proc.kill("SIGTERM"); // clean stop: PGlite checkpoints and closes
        await exited(cli.proc);
        expect(cli.proc.exitCode).to.equal(0);

        fresh = await indexerFor(sys, url, "pglite");
        await fresh.waitForBlock(head);
        expect(got).to.deep.equal(await apiSnapshot(fresh.url!, sys));
        const db = await openDb(kind === "postgres" ? { databaseUrl: dbArgs[1], dataDir: "" } : { dataDir: dbArgs[1] });
        try {
          expect(await dumpStore(db)).to.deep.equal(await dumpStore(fresh.db));
          // the indexes set aside for the cold backfill are all back, though it was killed three times meanwhile
          expect(await indexDefinitions(db)).to.deep.equal(await indexDefinitions(fresh.db));
        } finally {
          await db.close();
        }
      } finally {
        await fresh?.stop();
        await proxy.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
