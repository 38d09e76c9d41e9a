/**
 * The long stateful invariant campaign (test/invariants/campaign.ts) with a progress display:
 *
 *   npm run fuzz -- --runs 10000 [--steps 12] [--seed 42]
 *
 * Runs `--runs` random command sequences of up to `--steps` commands each on Hardhat's in-process simulator and
 * checks the invariants I1–I5 after every command. Prints runs, steps, seed and wall time (and how often each
 * command and event occurred); on a violation, prints fast-check's report (seed, path and the shrunk sequence) and
 * exits 1. Reproduce a run with the printed `--seed`.
 */
import { Command, InvalidArgumentError } from "commander";
import { network } from "hardhat";
import { runCampaign } from "../test/invariants/campaign.js";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
};

const opts = new Command("fuzz")
  .description("stateful invariant campaign over token, settlement and oracle")
  .option("--runs <n>", "command sequences to run", int("--runs"), 1_000)
  .option("--steps <n>", "max commands per sequence", int("--steps"), 12)
  .option("--seed <n>", "fast-check seed (default: random)", int("--seed"))
  .parse()
  .opts<{ runs: number; steps: number; seed?: number }>();

const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
const conn = await network.create({ override: { initialDate: "2024-01-20T00:00:00Z" } });
const t0 = Date.now();
const tty = process.stderr.isTTY;
let last = 0;
console.error(`fuzz: ${opts.runs} sequences of ≤ ${opts.steps} commands, seed ${seed}`);
try {
  const r = await runCampaign(conn, {
    runs: opts.runs,
    maxSteps: opts.steps,
    seed,
    onRun(runs, steps) {
      const now = Date.now();
      if (now - last < 1_000 && runs < opts.runs) return;
      last = now;
      const s = (now - t0) / 1000;
      const eta = runs ? ((opts.runs - runs) * s) / runs : 0;
      const line = `runs ${runs}/${opts.runs} · steps ${steps} · seed ${seed} · ${s.toFixed(0)} s · ${(runs / s).toFixed(1)} runs/s · eta ${eta.toFixed(0)} s`;
      if (tty) process.stderr.write(`\r${line}   `);
      else console.error(line);
    },
  });
  if (tty) process.stderr.write("\n");
  console.log(`runs ${r.runs}  steps ${r.steps}  seed ${r.seed}  wall ${(r.ms / 1000).toFixed(1)} s  violations 0`);
  const rows = Object.entries(r.byCommand).sort(([a], [b]) => a.localeCompare(b));
  console.log(rows.map(([k, v]) => `  ${k.padEnd(28)} ${v}`).join("\n"));
} catch (e) {
  if (tty) process.stderr.write("\n");
  const cause = (e as Error).cause;
  console.error(`VIOLATION (seed ${seed}):\n${(e as Error).message}${cause ? `\ncause: ${(cause as Error).message ?? cause}` : ""}`);
  process.exitCode = 1;
} finally {
  await conn.close();
}
