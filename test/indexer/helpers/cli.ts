/** The indexer CLI as a child process (crash and database-restart tests). */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./env.js";

const children = new Set<ChildProcess>();
if (typeof after === "function") after(() => children.forEach((c) => c.kill("SIGKILL")));

/** Starts `indexer/cli.ts` and resolves with its GraphQL URL once it listens. */
export function startCli(args: string[]): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  // node itself with tsx's loader: one process, so SIGKILL hits the indexer (the tsx wrapper would fork a child)
  const proc = spawn(process.execPath, ["--import", "tsx", join(ROOT, "indexer/cli.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-200_000);
      const m = /"port":(\d+)[^\n]*"msg":"indexer started"/.exec(out);
      if (m) resolve({ proc, url: `http://127.0.0.1:${m[1]}/graphql`, output: () => out });
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (d) => (out = (out + d.toString()).slice(-200_000)));
    proc.once("exit", (code) => reject(new Error(`indexer exited (${code}) before listening:\n${out}`)));
  });
}

/** Resolves once `proc` has exited. */
export function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once("exit", () => r()));
}
