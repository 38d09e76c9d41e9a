/**
 * Test harness for the CLI: a `hardhat node` (127.0.0.1, free port) with the `Devnet` Ignition module deployed
 * (journal in a temporary folder), the node's well-known dev keys, and the CLI run as a separate process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { DEV_ADDRESSES, DEV_KEYS } from "../../cli/devnet/accounts.js";
import { deployDevnet, type DevnetDeployment } from "../../cli/devnet/deploy.js";
import { ROOT, rpc, setChainTime, startNode, type LocalNode } from "../../scripts/replay/chain.js";

/** The dev node's accounts: 0 admin, 1 guardian, 2 keeper, 3 farm, 4 holder, 5..9 the oracle's reporters (quorum 3), 10 submitter. */
export const KEYS: Hex[] = DEV_KEYS;
export const ADDR = DEV_ADDRESSES;

/** A node with the protocol deployed. */
export interface Net {
  node: LocalNode;
  d: DevnetDeployment;
  tmp: string;
  /** moves the chain's clock to `day` (UTC day number) + 1 s and mines a block */
  setDay(day: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a node whose clock is at `initialDay` and deploys `Devnet`. */
export async function startNet(initialDay: number): Promise<Net> {
  const node = await startNode({ port: 0, initialDay });
  const tmp = mkdtempSync(join(tmpdir(), "hashpower-cli-"));
  try {
    const d = await deployDevnet(node.url, { ignitionDir: join(tmp, "ignition") });
    return {
      node,
      d,
      tmp,
      setDay: (day) => setChainTime(node.url, day, 1),
      async stop() {
        await node.stop();
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await node.stop();
    throw e;
  }
}

/** Result of a CLI run. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for the CLI against `net` signing with `key`. */
export function cliEnv(net: Net, key?: Hex, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { RPC_URL: net.node.url, HASHPOWER_DEPLOYMENT: net.d.dir, ...extra };
  if (key) env.HASHPOWER_KEY = key;
  return env;
}

export { CI_VARIABLES } from "../../cli/lib/context.js";

/** Spawns `hashpower …` (cli/main.ts through tsx) in its own process group, without the variables in `unset`. */
export function spawnCli(args: string[], env: Record<string, string>, unset: string[] = []): ChildProcess {
  const clean = { ...process.env };
  delete clean.HASHPOWER_KEY;
  delete clean.RPC_URL;
  for (const k of unset) delete clean[k];
  return spawn(process.execPath, ["--import", "tsx", join(ROOT, "cli/main.ts"), ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
}

/** Runs `hashpower …` to completion. */
export function cli(args: string[], env: Record<string, string>, timeoutMs = 120_000, unset: string[] = []): Promise<Run> {
  const child = spawnCli(args, env, unset);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => kill(child, "SIGKILL"), timeoutMs);
  return new Promise((r) =>
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      r({ code, signal, stdout, stderr });
    }),
  );
}

/** Kills a spawned process group. */
export function kill(child: ChildProcess, sig: NodeJS.Signals = "SIGTERM"): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* gone */
  }
}

/** A running daemon whose pino lines are parsed. */
export interface Daemon {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** resolves with the first line matching `pred` */
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Starts a long-running CLI command (reporter, keeper) and collects its JSON log lines. */
export function daemon(args: string[], env: Record<string, string>, onLine: (l: Record<string, unknown>, child: ChildProcess) => void = () => {}): Daemon {
  const child = spawnCli(args, env);
  const lines: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; res: (l: Record<string, unknown>) => void }[] = [];
  let buf = "";
  let err = "";
  child.stderr!.on("data", (d) => (err = (err + d).slice(-4000)));
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let l: Record<string, unknown>;
      try {
        l = JSON.parse(line);
      } catch {
        l = { text: line };
      }
      lines.push(l);
      onLine(l, child);
      for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.res(l));
    }
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return {
    child,
    lines,
    exited,
    waitFor(pred, timeoutMs = 60_000) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out waiting for a log line; last lines:\n${lines.slice(-8).map((l) => JSON.stringify(l)).join("\n")}\nstderr: ${err}`)), timeoutMs);
        waiters.push({ pred, res: (l) => (clearTimeout(t), res(l)) });
      });
    },
  };
}

export { rpc };
