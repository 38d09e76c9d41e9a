/**
 * `hashpower keeper run`: settles every final, unsettled series-day in batches, forever (or `--once`), with
 * exponential backoff on errors, pino logs and a Prometheus `/metrics` endpoint (prom-client).
 */
import { createServer } from "node:http";
import { type Command, Option } from "commander";
import { pino } from "pino";
import { ConfigError, connect, describeRevert, type GlobalOptions } from "../lib/context.js";
import { createKeeper, keeperMetrics } from "./keeper.js";

/** Registers `keeper run` on `program`. */
export function registerKeeper(program: Command): void {
  program
    .command("keeper")
    .description("settlement keeper")
    .command("run")
    .description("settle every final, unsettled (series, day) in batches; resumable after any kill")
    .option("--batch <n>", "pairs per settle transaction", "50")
    .option("--interval-ms <ms>", "pause between passes", "2000")
    .option("--metrics-port <port>", "serve /metrics and /health on 127.0.0.1:<port> (0 = any free port)")
    .option("--once", "one pass, then exit")
    .option("--poke <addresses>", "comma-separated SeriesValuationOracle addresses to poke after each pass (none by default)")
    .addOption(new Option("--log-level <level>", "pino log level").default("info"))
    .action(async (o: { batch: string; intervalMs: string; metricsPort?: string; once?: boolean; poke?: string; logLevel: string }, cmd: Command) => {
      const batchSize = Number(o.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) throw new ConfigError(`--batch ${o.batch}: expected 1..500`);
      const interval = Number(o.intervalMs);
      if (!Number.isInteger(interval) || interval < 10) throw new ConfigError(`--interval-ms ${o.intervalMs}: expected an integer ≥ 10`);
      const valuationOracles = (o.poke ?? "").split(",").filter(Boolean).map((a) => {
        if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new ConfigError(`--poke ${a}: expected 0x-prefixed 20-byte addresses, comma-separated`);
        return a as `0x${string}`;
      });
      const logger = pino({ level: o.logLevel, base: { svc: "keeper" } });
      const ctx = await connect(cmd.optsWithGlobals<GlobalOptions>());
      const walletClient = await ctx.wallet();
      const d = ctx.deployment();
      const metrics = keeperMetrics();
      if (o.metricsPort !== undefined) {
        const server = createServer(async (req, res) => {
          if (req.url === "/metrics") return void res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
          if (req.url === "/health") return void res.writeHead(200).end("ok\n");
          res.writeHead(404).end();
        });
        await new Promise<void>((r, j) => server.once("error", j).listen(Number(o.metricsPort), "127.0.0.1", () => r()));
        const { port } = server.address() as { port: number };
        logger.info({ url: `http://127.0.0.1:${port}/metrics` }, "metrics");
        server.unref();
      }
      const keeper = createKeeper({ publicClient: ctx.publicClient, walletClient, token: d.token, oracle: d.oracle, settlement: d.settlement, logger, batchSize, valuationOracles }, metrics);
      let stopping = false;
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => (stopping = true));
      logger.info({ keeper: walletClient.account.address, settlement: d.settlement, batchSize }, "starting");
      let errors = 0;
      while (!stopping) {
        try {
          await keeper.tick();
          errors = 0;
          if (o.once) break;
          await new Promise((r) => setTimeout(r, interval));
        } catch (e) {
          metrics.errors.inc();
          const wait = Math.min(30_000, interval * 2 ** Math.min(errors++, 5));
          logger.warn({ err: describeRevert(e), retryMs: wait }, "pass failed; backing off");
          if (o.once) throw e;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
      logger.info("stopped");
      process.exit(0);
    });
}
