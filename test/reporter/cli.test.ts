import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { getAddress } from "viem";
import { dateOfDay, dayOfDate } from "../../domain/units.js";
import { hashpriceOracleAbi, Status } from "../../cli/reporter/abi.js";
import { parseConfig } from "../../cli/reporter/config.js";
import { type Chain, reporterKeys, serveRpc, startChain } from "./chain.js";
import { startStub, syntheticChain } from "./bitcoind-stub.js";

/** node itself with tsx as a loader (not the tsx wrapper, which would survive its child on SIGKILL) */
const NODE = [process.execPath, "--import", "tsx"];
const CLI = "cli/main.ts";

interface Run {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stdout: string[];
  stderr: string[];
  /** exit code, or the signal that ended it */
  exit: Promise<number | string | null>;
}

const running = new Set<ChildProcess>();

/** Starts the CLI; `onLine` sees each JSON log line as it arrives. */
function startCli(args: string[], env: Record<string, string>, onLine: (l: Record<string, unknown>, run: Run) => void = () => {}): Run {
  // `hashpower reporter run …`: the global --rpc may follow the subcommand
  const child = spawn(NODE[0], [...NODE.slice(1), CLI, "reporter", "run", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  const run: Run = { child, lines: [], stdout: [], stderr: [], exit: new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal))) };
  createInterface({ input: child.stdout! }).on("line", (s) => {
    run.stdout.push(s);
    if (!s.startsWith("{")) return;
    const l = JSON.parse(s) as Record<string, unknown>;
    run.lines.push(l);
    onLine(l, run);
  });
  child.stderr!.on("data", (d) => run.stderr.push(String(d)));
  return run;
}

describe("reporter CLI (child process over JSON-RPC)", function () {
  this.timeout(120_000);
  let c: Chain;
  let rpc: Awaited<ReturnType<typeof serveRpc>>;

  before(async () => {
    c = await startChain();
    rpc = await serveRpc(c.provider);
  });
  afterEach(async () => {
    for (const child of running) child.kill("SIGKILL"); // a failed test leaves no process behind
    await c.rpc("evm_setAutomine", [true]);
  });
  after(() => rpc.close());

  it("--help lists the options; keys only from the environment", async () => {
    const r = startCli(["--help"], {});
    expect(await r.exit).to.equal(0);
    await new Promise((res) => setTimeout(res, 50)); // let the last lines drain
    const out = r.stdout.join("\n");
    for (const o of ["--oracle", "REPORTER_KEYS", "REPORTER_SUBMITTER_KEY", "--from", "--to", "--follow", "--source", "--bitcoind-url", "--uptime", "--state"]) expect(out).to.include(o);
    expect(out).not.to.match(/--keys|--submitter-key/);
  });

  it("bad configuration: exit 2 with every bad field named, keys never echoed", async () => {
    const r = startCli(["--rpc", "nope", "--oracle", "0x12", "--from", "2024-02-30", "--to", "2024-01-01"], { REPORTER_KEYS: "0xdeadbeef" });
    expect(await r.exit).to.equal(2);
    const err = r.stderr.join("");
    expect(err).to.match(/--rpc \(or RPC_URL\): expected a URL/);
    expect(err).to.match(/--oracle: expected a 20-byte 0x address/);
    expect(err).to.match(/REPORTER_KEYS: expected a 0x-prefixed 32-byte hex private key/);
    expect(err).to.match(/--from: not a calendar date/);
    expect(err).to.not.include("deadbeef");
    expect(() => parseConfig({ rpc: "http://x", oracle: "0x" + "11".repeat(20), keys: "0x" + "22".repeat(32), from: "2024-01-02", to: "2024-01-01", source: "bitcoind", minConfirmations: "6", progressEvery: "1", pollMs: "100", txTimeout: "1", logLevel: "info" })).to.throw(
      /--bitcoind-url: required with --source bitcoind[\s\S]*--to: before --from 2024-01-02/,
    );
  });

  it("SIGKILL between send and receipt, restart: resumes at the killed day, every report lands once, nothing reverts", async () => {
    const { keys, accounts } = reporterKeys(3);
    const oracle = await c.deployOracle(accounts, 2);
    const from = dayOfDate("2024-06-01");
    const to = from + 4;
    const dir = mkdtempSync(join(tmpdir(), "reporter-cli-"));
    const farm = getAddress("0x00000000000000000000000000000000000000aa");
    writeFileSync(join(dir, "uptime.csv"), "farm,date,uptime_bps\n" + Array.from({ length: 5 }, (_, i) => `${farm},${dateOfDay(from + i)},${9_000 + i}`).join("\n") + "\n");
    const args = ["--rpc", rpc.url, "--oracle", oracle, "--from", dateOfDay(from), "--to", dateOfDay(to), "--uptime", join(dir, "uptime.csv"), "--state", join(dir, "state.json"), "--poll-ms", "50", "--progress-every", "1"];
    const env = { REPORTER_KEYS: keys.join(","), REPORTER_SUBMITTER_KEY: c.submitterKey };

    await c.rpc("evm_setAutomine", [false]);
    // first run: every "sent" is mined at once, until the daily report of the 3rd day, where the process is killed
    const killDate = dateOfDay(from + 2);
    const first = startCli(args, env, (l, run) => {
      if (l.msg !== "sent") return;
      if (l.kind === "daily" && l.date === killDate) run.child.kill("SIGKILL");
      else void c.rpc("evm_mine");
    });
    expect(await first.exit).to.equal("SIGKILL");
    const status = (d: number) => c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [d] }).then((v) => v.status);
    expect(await status(from + 2)).to.equal(Status.None); // its transaction waits in the mempool
    expect(await status(from + 1)).to.equal(Status.Final);

    // restart: a block is mined when it says it waits for the in-flight transaction, and after each send
    const second = startCli(args, env, (l) => {
      if (l.msg === "waiting for in-flight transactions of the submitter before reading the chain" || l.msg === "sent") void c.rpc("evm_mine");
    });
    expect(await second.exit, second.stderr.join("")).to.equal(0);
    expect(second.lines.some((l) => l.msg === "waiting for in-flight transactions of the submitter before reading the chain")).to.equal(true);
    // the killed day's daily report landed from the mempool; its uptime was still missing: resume there
    expect(second.lines.find((l) => l.msg === "resuming")).to.deep.include({ resumeAt: killDate });
    expect(second.lines.filter((l) => l.msg === "sent").map((l) => `${l.kind} ${l.date}`)).to.deep.equal([
      `uptime ${killDate}`,
      `daily ${dateOfDay(from + 3)}`,
      `uptime ${dateOfDay(from + 3)}`,
      `daily ${dateOfDay(to)}`,
      `uptime ${dateOfDay(to)}`,
    ]);
    expect(second.lines.find((l) => l.msg === "run finished")).to.deep.include({ dailySubmitted: 2, uptimeSubmitted: 3, txs: 5 });

    const { daily, uptime } = await c.reportCounts(oracle);
    for (let d = from; d <= to; d++) {
      expect(daily.get(d), dateOfDay(d)).to.equal(1);
      expect(uptime.get(`${farm}:${d}`), dateOfDay(d)).to.equal(1);
    }
    const txs = await c.txsFrom(c.submitter.account.address, oracle);
    expect(txs).to.have.length(10);
    expect(txs.every((t) => t.status === "success")).to.equal(true);
  });

  it("--source bitcoind: reads the days from a Bitcoin Core node (stub) with a fixed price", async () => {
    const { keys, accounts } = reporterKeys(2);
    const oracle = await c.deployOracle(accounts, 2);
    const D = dayOfDate("2024-04-18");
    // consensus-valid at heights 0..519 (50 BTC, no retarget): every day passes the oracle's input bounds
    const stub = await startStub(
      syntheticChain({ startTime: D * 86_400 - 5_000, count: 520, retargetHeight: 10_000, halvingHeight: 10_000, bits: ["1d00ffff", "1d00ffff"], subsidies: [5_000_000_000, 2_500_000_000] }),
    );
    try {
      const r = startCli(
        ["--rpc", rpc.url, "--oracle", oracle, "--from", dateOfDay(D), "--to", dateOfDay(D + 1), "--source", "bitcoind", "--bitcoind-url", stub.url, "--bitcoind-user", "rpcuser", "--btc-usd", "61000.5", "--poll-ms", "50"],
        { REPORTER_KEYS: keys.join(","), BITCOIND_PASSWORD: "rpcpass", REPORTER_SUBMITTER_KEY: c.submitterKey },
      );
      expect(await r.exit, r.stderr.join("")).to.equal(0);
      for (const d of [D, D + 1]) {
        const v = await c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [d] });
        expect(v.status).to.equal(Status.Final);
        expect(v.btcUsdE8).to.equal(6_100_050_000_000n);
        expect(v.feesPerBlockSats > 0n).to.equal(true);
      }
      expect(stub.calls).to.include.members(["getblockchaininfo", "getblockhash", "getblockheader", "getblockstats"]);
    } finally {
      await stub.close();
    }
  });
});
