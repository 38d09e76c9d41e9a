#!/usr/bin/env node
/**
 * Command line: `npm run indexer -- [run|sync|serve] [flags]` (`--help` lists every flag; the command itself is
 * `indexer/command.ts`). It runs from the ahead-of-time bundle of `indexer/bundle.ts`, built at the first start after
 * a source change; without one (`HASHPOWER_BUNDLE=0`, or esbuild failing) it runs the TypeScript sources directly.
 *
 * The bundle runs in a fresh Node image (`process.execve`: same process id, so signals and exit codes are the
 * command's own) without tsx, whose module lexer would keep a 32 MiB buffer and a second copy of the bundle's text,
 * and with a bounded heap: `--max-old-space-size` = `HASHPOWER_MAX_HEAP_MB` (default `DEFAULT_HEAP_MB`; `0` leaves
 * V8's own limit, which lets garbage pile up to ~1 GB on a long backfill), and `--no-allocation-site-pretenuring`. A
 * `--max-old-space-size` among the node flags or in `NODE_OPTIONS`, or `--[no-]allocation-site-pretenuring` among the
 * node flags, wins. The bundle's process also gets `MALLOC_ARENA_MAX=2` unless the environment sets it, and on PGlite
 * (no `--database-url` flag and no `DATABASE_URL`) `--v8-pool-size=1` unless among the node flags or in `NODE_OPTIONS`.
 */
import { INDEXER, launch } from "./bundle.js";

/**
 * Old-generation heap limit of the indexer, MiB. The live heap stays at ~60-70 MiB through a 1,000,000-event backfill
 * (PostgreSQL); this leaves room enough that V8 collects rarely while keeping the process under ~300 MB resident.
 */
export const DEFAULT_HEAP_MB = 160;

// glibc's malloc makes up to 8 arenas per core, one per thread that allocates (libuv's pool, V8's helpers), each
// keeping its freed memory; two arenas held ~40 MiB less resident in a 1,000,000-event PGlite backfill
process.env.MALLOC_ARENA_MAX ??= "2";

/** Whether this run uses embedded PGlite: no PostgreSQL URL among the arguments or in the environment (`indexer/command.ts`). */
const PGLITE = !process.env.DATABASE_URL && !process.argv.some((a) => a === "--database-url" || a.startsWith("--database-url="));

/** The bundle's node flags: this process's (without tsx's loader, see `launch`) plus the heap limit unless one is set. */
function nodeFlags(flags: string[]): string[] {
  const raw = process.env.HASHPOWER_MAX_HEAP_MB ?? String(DEFAULT_HEAP_MB);
  if (!/^\d+$/.test(raw)) {
    console.error(`HASHPOWER_MAX_HEAP_MB must be a whole number of MiB (0: V8's default), got "${raw}"`);
    process.exit(2);
  }
  const named = (name: string) => [...flags, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((f) => f.replace(/_/g, "-").includes(name));
  const out = [...flags];
  if (Number(raw) > 0 && !named("max-old-space-size")) out.push(`--max-old-space-size=${raw}`);
  // V8's allocation-site pretenuring, trained by the backfill's long-lived batches, puts short-lived objects straight
  // into the old generation: a third more GC time within the bound (and old-generation growth while serving)
  if (!named("allocation-site-pretenuring")) out.push("--no-allocation-site-pretenuring");
  // PGlite: one V8 worker thread instead of four. While PGlite opens, V8 compiles its WebAssembly's hot functions with
  // TurboFan on those threads, ~80-95 MB of compiler memory at once that glibc keeps resident afterwards; one at a time,
  // the start-up high-water mark was 275-285 MiB against 278-366 (6 runs each, the first 8 s of a 1,000,000-event backfill)
  if (PGLITE && !named("v8-pool-size")) out.push("--v8-pool-size=1");
  return out;
}

await launch(INDEXER, new URL("./command.js", import.meta.url).href, nodeFlags);
