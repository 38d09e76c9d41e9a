#!/usr/bin/env node
/**
 * `npm run devnet`: a live local network for farms and integrators, kept running until Ctrl-C.
 *
 * 1. a `hardhat node` on 127.0.0.1 whose clock starts on `--from`;
 * 2. the `Devnet` Ignition module (dev WBTC and BTC/USD feed, the protocol; reporters = dev accounts 5..9,
 *    quorum 3), journal in ignition/deployments/devnet (the CLI's `--deployment devnet`);
 * 3. a Bitcoin Core stand-in serving the real blocks of ../shared/data as their time comes, on a clock that runs
 *    one day per `--day-seconds`; the chain's clock and the dev feed follow it day by day;
 * 4. `--reporters` independent `hashpower reporter sign --follow` processes (one key each, reading the stand-in,
 *    serving their signatures over HTTP), one `reporter submit --follow`, one `keeper run`, and the indexer
 *    (GraphQL, and the web app at `/` when the indexer serves one). A child that dies is restarted.
 * Logs: <state-dir>/logs/<process>.log. Farms then use the CLI against it exactly as on a real network.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { defaultDataDir, loadDays } from "../../domain/data.js";
import { dateOfDay, dayOfDate, formatScaled } from "../../domain/units.js";
import { assertPortFree, freePort, setChainTime, startNode } from "../../scripts/replay/chain.js";
import { abiOf } from "../lib/abi.js";
import { ROOT } from "../lib/paths.js";
import { DEV_ADDRESSES, DEV_KEYS, ROLE } from "./accounts.js";
import { startBitcoinStandIn } from "./bitcoind.js";
import { deployDevnet } from "./deploy.js";

const date = (flag: string) => (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || dateOfDay(dayOfDate(v)) !== v) throw new InvalidArgumentError(`${flag}: expected a calendar date YYYY-MM-DD`);
  return v;
};
const int = (flag: string, min: number, max: number) => (v: string) => {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`${flag}: expected a number in ${min}..${max}`);
  return Number(v);
};

const program = new Command()
  .name("devnet")
  .description("A live local hashpower network: node, Ignition deployment, Bitcoin Core stand-in on real data, reporters, keeper, indexer.")
  .option("--from <YYYY-MM-DD>", "first day of the chain's clock", date("--from"), "2024-04-10")
  .option("--to <YYYY-MM-DD>", "the clock stops at the end of this day", date("--to"), "2024-12-31")
  .option("--day-seconds <s>", "wall-clock seconds per simulated day (the speed)", int("--day-seconds", 2, 86_400), 30)
  .option("--port <n>", "JSON-RPC port of the node", int("--port", 1, 65_535), 8545)
  .option("--api-port <n>", "indexer port (GraphQL at /graphql)", int("--api-port", 1, 65_535), 42069)
  .option("--reporters <n>", "reporter processes (the oracle's set has 5, quorum 3)", int("--reporters", 3, 5), 5)
  .option("--state-dir <dir>", "logs, signatures and the index", ".devnet")
  .option("--deployment-id <id>", "Ignition deployment id (ignition/deployments/<id>, reset at each start; the CLI's --deployment)", "devnet")
  .option("--data-dir <dir>", "real data (default ../shared/data or HASHPOWER_DATA_DIR)")
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ from: string; to: string; daySeconds: number; port: number; apiPort: number; reporters: number; stateDir: string; deploymentId: string; dataDir?: string }>();
  const from = dayOfDate(o.from);
  const to = dayOfDate(o.to);
  if (to <= from) throw new InvalidArgumentError("--to: must be after --from");
  await assertPortFree(o.port, "--port");
  await assertPortFree(o.apiPort, "--api-port");
  const dataDir = resolve(o.dataDir ?? defaultDataDir());
  const all = loadDays(dataDir);
  const days = [...all.values()].filter((d) => d.day >= from - 40 && d.day <= to).sort((a, b) => a.day - b.day);
  if (!all.has(from - 1) || !all.has(to)) throw new Error(`--from/--to: the data in ${dataDir} does not cover ${dateOfDay(from - 1)}..${o.to}`);
  const state = resolve(o.stateDir);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(join(state, "logs"), { recursive: true });

  if (!existsSync(join(ROOT, "artifacts/contracts/HashpowerToken.sol/HashpowerToken.json"))) {
    process.stdout.write("compiling the contracts (npx hardhat build) ...\n");
    const b = spawnSync(join(ROOT, "node_modules/.bin/hardhat"), ["build"], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error("hardhat build failed");
  }
  process.stdout.write(`starting a Hardhat node on 127.0.0.1:${o.port} (clock at ${o.from}) ...\n`);
  const node = await startNode({ port: o.port, initialDay: from });
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping ...\n");
    for (const c of children.values()) {
      try {
        process.kill(-c.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
    }
    await node.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const d = await deployDevnet(node.url, { deploymentId: o.deploymentId });
  process.stdout.write(`deployed with Ignition (ignition/deployments/${o.deploymentId}): token ${d.token}, oracle ${d.oracle}, settlement ${d.settlement}, WBTC ${d.asset}, feed ${d.feed}\n`);
  const chain = { id: 31337, name: "devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } } as const;
  const pub = createPublicClient({ chain, transport: http(node.url) });
  const admin = createWalletClient({ chain, transport: http(node.url), account: privateKeyToAccount(DEV_KEYS[ROLE.admin]) });
  const setPrice = async (day: number) => {
    const hash = await admin.writeContract({ address: d.feed as `0x${string}`, abi: abiOf("TestPriceFeed"), functionName: "setPrice", args: [all.get(day)!.btcUsdE8] } as never);
    await pub.waitForTransactionReceipt({ hash });
  };
  await setPrice(from - 1);

  // the simulated clock: one day per --day-seconds, from --from 00:00 UTC, stopping at the end of --to
  const t0 = Date.now();
  const simNow = () => Math.min((to + 1) * 86_400 - 1, from * 86_400 + Math.floor(((Date.now() - t0) / 1000 / o.daySeconds) * 86_400));
  const btc = await startBitcoinStandIn(days, simNow);

  const spawnChild = (name: string, args: string[], env: Record<string, string>) => {
    const log = createWriteStream(join(state, "logs", `${name}.log`), { flags: "a" });
    const run = () => {
      if (stopping) return;
      const c = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, HASHPOWER_DATA_DIR: dataDir, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
      c.stdout!.pipe(log, { end: false });
      c.stderr!.pipe(log, { end: false });
      children.set(name, c);
      c.once("exit", (code, sig) => {
        if (stopping) return;
        process.stdout.write(`${name} exited (${code ?? sig}); restarting in 2 s (log ${join(state, "logs", `${name}.log`)})\n`);
        setTimeout(run, 2_000);
      });
    };
    run();
  };
  const base = { RPC_URL: node.url, HASHPOWER_DEPLOYMENT: d.dir };
  const urls: string[] = [];
  for (let i = 0; i < o.reporters; i++) {
    const port = await freePort();
    urls.push(`http://127.0.0.1:${port}`);
    spawnChild(`reporter-${i + 1}`, ["cli/main.ts", "reporter", "sign", "--follow", "--from", dateOfDay(from - 1), "--source", "bitcoind", "--bitcoind-url", btc.url, "--uptime-all", "10000", "--out", join(state, `reporter-${i + 1}`), "--serve", String(port), "--poll-ms", "500"], { ...base, REPORTER_KEY: DEV_KEYS[ROLE.firstReporter + i] });
  }
  spawnChild("submitter", ["cli/main.ts", "reporter", "submit", "--follow", "--from", dateOfDay(from - 1), "--locations", urls.join(","), "--dissent-log", join(state, "dissent.jsonl"), "--poll-ms", "500"], { ...base, HASHPOWER_KEY: DEV_KEYS[ROLE.submitter] });
  const keeperPort = await freePort();
  spawnChild("keeper", ["cli/main.ts", "keeper", "run", "--interval-ms", "1000", "--metrics-port", String(keeperPort)], { ...base, HASHPOWER_KEY: DEV_KEYS[ROLE.keeper] });
  spawnChild("indexer", ["indexer/cli.ts", "--rpc", node.url, "--token", d.token, "--oracle", d.oracle, "--settlement", d.settlement, "--from-block", String(d.fromBlock), "--port", String(o.apiPort), "--data-dir", join(state, "pglite")], {});

  process.stdout.write(
    [
      "",
      `devnet up: one day every ${o.daySeconds} s from ${o.from} to ${o.to}`,
      `  JSON-RPC      ${node.url} (chain id 31337)`,
      `  GraphQL       http://127.0.0.1:${o.apiPort}/graphql`,
      `  Bitcoin Core  ${btc.url} (stand-in on ${dataDir})`,
      `  reporters     ${urls.map((u) => `${u}/reports/<date>.json`).join(" ")}`,
      `  keeper        http://127.0.0.1:${keeperPort}/metrics`,
      `  logs          ${join(state, "logs")}`,
      "",
      "use the CLI against it (dev keys of `hardhat node`, public, local only):",
      `  export RPC_URL=${node.url} HASHPOWER_DEPLOYMENT=${o.deploymentId}`,
      `  HASHPOWER_KEY=${DEV_KEYS[ROLE.admin]} npm run cli -- farm register ${DEV_ADDRESSES[ROLE.farm]} --capacity 5000 --name "My Farm" --yes   # admin`,
      `  export HASHPOWER_KEY=${DEV_KEYS[ROLE.farm]}   # the farm (holder: ${DEV_KEYS[ROLE.holder]})`,
      "  npm run cli -- status",
      "",
    ].join("\n") + "\n",
  );

  // the chain's clock and the feed follow the simulated clock, one day at a time
  let current = from;
  for (;;) {
    const target = Math.floor(simNow() / 86_400);
    while (current < target && !stopping) {
      current++;
      await setChainTime(node.url, current, 1);
      await setPrice(current - 1);
      const [trailing, day] = (await pub.readContract({ address: d.oracle as `0x${string}`, abi: abiOf("HashpriceOracle"), functionName: "trailingHashprice" } as never)) as readonly [bigint, number];
      process.stdout.write(`${dateOfDay(current)}  bitcoind tip ${btc.tip()}  oracle final through ${day ? dateOfDay(day) : "-"}${day ? ` (${formatScaled(trailing / 10n ** 16n, 2)} sats/TH/s·day)` : ""}\n`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().catch((e: Error) => {
  process.stderr.write(`devnet: ${e.message}\n`);
  process.exit(e instanceof InvalidArgumentError ? 2 : 1);
});
