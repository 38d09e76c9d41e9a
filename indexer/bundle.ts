/**
 * Ahead-of-time bundles of the project's commands, built with esbuild and cached under `node_modules/.cache/hashpower/`:
 * the indexer's command line (`INDEXER`: `indexer/command.ts` and everything it imports) and the main job (`MAIN`:
 * `scripts/main.ts`, `npm start`). Loading one ES module is ~3× faster than transpiling and resolving ~2,000
 * TypeScript and package modules at every start (tsx), and holds less memory. `launch` runs one in place of the
 * launcher's process.
 *
 * Freshness: a bundle records its inputs outside node_modules (the project's own sources) with their size and
 * mtime, plus the mtime of `node_modules/.package-lock.json` (rewritten by every `npm install`); any change rebuilds
 * it (~1-3 s) at the next start. Files read at run time (SQL migrations, the GraphQL schema) stay where they are:
 * `import.meta.url` of each source keeps its own path in the bundle. Packages that load files next to themselves
 * or are native stay external (PGlite, esbuild, GraphiQL's page). `HASHPOWER_BUNDLE=0` turns the bundles off.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DIR = join(ROOT, "node_modules/.cache/hashpower");
const LOCK = join(ROOT, "node_modules/.package-lock.json");

/** Packages left to Node: native code, or files loaded relative to the package (WASM, assets). */
const EXTERNAL = ["@electric-sql/pglite", "esbuild", "pg-native", "@graphql-yoga/render-graphiql"];

/** What to bundle: the entry (relative to the repository root), the bundle's name in the cache, packages left to Node. */
export interface BundleTarget {
  entry: string;
  /** `<name>.mjs` and its manifest `<name>.json` under node_modules/.cache/hashpower/ */
  name: string;
  external: string[];
}

/** The indexer's command line (`indexer/cli.ts`). */
export const INDEXER: BundleTarget = { entry: "indexer/command.ts", name: "indexer", external: EXTERNAL };

/**
 * The main job (`npm start`). Hardhat, its plugins and ethers stay packages: Hardhat loads its plugins and the
 * config's imports from node_modules at run time, and they must meet the same copies as the job's own code.
 */
export const MAIN: BundleTarget = { entry: "scripts/main.ts", name: "main", external: [...EXTERNAL, "hardhat", "@nomicfoundation/*", "ethers"] };

const outOf = (t: BundleTarget) => join(DIR, `${t.name}.mjs`);
const manifestOf = (t: BundleTarget) => join(DIR, `${t.name}.json`);

/**
 * A cache key for what a build reads or writes: `path size mtime` lines (paths relative to the repository root,
 * sorted) of every file at `paths` (files or folders, walked recursively; relative to the root). Null when one is
 * missing (deleted, renamed, or not built yet). Used by the bundle below and by the main job's build check.
 */
export function fingerprint(paths: string[]): string | null {
  try {
    const files: string[] = [];
    for (const p of paths) {
      if (!statSync(join(ROOT, p)).isDirectory()) files.push(p);
      else for (const f of readdirSync(join(ROOT, p), { recursive: true, withFileTypes: true })) if (f.isFile()) files.push(relative(ROOT, join(f.parentPath, f.name)));
    }
    return files
      .sort()
      .map((f) => {
        const st = statSync(join(ROOT, f));
        return `${f} ${st.size} ${Math.trunc(st.mtimeMs)}`;
      })
      .join("\n");
  } catch {
    return null;
  }
}

/** The bundle's cache key: its source files and the lockfile. */
const sourcesKey = (inputs: string[]) => fingerprint([relative(ROOT, LOCK), ...inputs]);

/** The path of an up-to-date bundle of `target`, or null when none is cached. */
export function cachedBundle(target: BundleTarget = INDEXER): string | null {
  try {
    const m = JSON.parse(readFileSync(manifestOf(target), "utf8")) as { inputs: string[]; fingerprint: string };
    return existsSync(outOf(target)) && sourcesKey(m.inputs) === m.fingerprint ? outOf(target) : null;
  } catch {
    return null;
  }
}

/**
 * Builds the bundle of `target` (atomically: a concurrent start sees the old complete bundle or the new one) and
 * returns its path. Throws when esbuild fails.
 */
export async function buildBundle(target: BundleTarget = INDEXER): Promise<string> {
  const { build } = await import("esbuild");
  const started = Date.now();
  const OUT = outOf(target);
  const MANIFEST = manifestOf(target);
  const res = await build({
    absWorkingDir: ROOT, entryPoints: [join(ROOT, target.entry)], bundle: true, platform: "node", format: "esm", target: "node22", write: false,
    outfile: OUT, external: target.external, metafile: true, logLevel: "silent", legalComments: "none",
    // packages written as CommonJS call require() for Node's built-ins
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    plugins: [{
      // graphql-armor and each of its six plugins install their own copy of graphql 16 (the project's is 17): the
      // bundle holds one of them, the one graphql-armor itself resolves (~4 MB less text to load and hold)
      name: "one-graphql-for-armor",
      setup(b) {
        const armorDir = join(ROOT, "node_modules/@escape.tech/graphql-armor");
        b.onResolve({ filter: /^graphql(\/|$)/ }, (a) =>
          a.importer.includes("/node_modules/@escape.tech/") && a.resolveDir !== armorDir && !a.pluginData?.armor
            ? b.resolve(a.path, { kind: a.kind, resolveDir: armorDir, pluginData: { armor: true } })
            : undefined,
        );
      },
    }, {
      name: "source-paths",
      setup(b) {
        // each source keeps its own import.meta.url, so files it reads beside itself are found (not inside quotes:
        // this very line names it)
        b.onLoad({ filter: /\.ts$/ }, async (a) => ({
          loader: "ts",
          contents: (await readFile(a.path, "utf8")).replace(/(?<!["'])import\.meta\.url(?!["'])/g, JSON.stringify(pathToFileURL(a.path).href)),
        }));
      },
    }],
  });
  const inputs = Object.keys(res.metafile!.inputs).filter((f) => !f.includes("node_modules/")).sort(); // relative to ROOT
  // esbuild escapes every non-ASCII character of strings, templates and regular expressions but keeps comments as they
  // are: escape those too, so that V8 holds the bundle's text at one byte per character rather than two
  const code = res.outputFiles![0].text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  mkdirSync(DIR, { recursive: true });
  const tmp = `${OUT}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, OUT);
  // a source saved during the build may or may not be in it: then no manifest, and the next start builds again
  if (inputs.every((f) => statSync(join(ROOT, f)).mtimeMs < started - 1)) {
    writeFileSync(`${MANIFEST}.${process.pid}.tmp`, JSON.stringify({ inputs, fingerprint: sourcesKey(inputs) }));
    renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
  } else rmSync(MANIFEST, { force: true });
  return OUT;
}

/** This process's node flags without tsx's loader (`--import tsx` and the like): a bundle needs none. */
function flagsWithoutTsx(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === "--import" || a === "--require" || a === "-r" || a === "--loader") && /^tsx(\/|$)/.test(argv[i + 1] ?? "")) i++;
    else if (!/^--(import|require|loader)=tsx(\/|$)/.test(a)) flags.push(a);
  }
  return flags;
}

/**
 * Runs `target`'s command in place of this process: its bundle (built first when stale) in a fresh Node image
 * (`process.execve`: same process id, so signals and exit codes are the command's own) with this process's node
 * flags minus tsx, as `nodeFlags` amends them, and the command line's arguments; `NODE_COMPILE_CACHE` (unless set)
 * keeps V8's compiled code of the bundle in `node_modules/.cache/hashpower/compile-cache/` for the next start. Without a bundle
 * (`HASHPOWER_BUNDLE=0`, or esbuild failing: the reason is printed) or without `process.execve` (Node < 22.15), it
 * imports `sources` (the entry's URL, run by the launcher's tsx) or the bundle in this process instead, and returns
 * once that module has run its top level.
 */
export async function launch(target: BundleTarget, sources: string, nodeFlags: (flags: string[]) => string[] = (f) => f): Promise<void> {
  let file: string | null = null;
  if (process.env.HASHPOWER_BUNDLE !== "0") {
    file = cachedBundle(target);
    if (!file) file = await buildBundle(target).catch((e) => (console.error(`${target.name} bundle not built, running the sources: ${e instanceof Error ? e.message : e}`), null));
  }
  if (file && typeof process.execve === "function") {
    // V8's compile cache (Node's NODE_COMPILE_CACHE) beside the bundle: later starts load its code without compiling it
    const env = { NODE_COMPILE_CACHE: join(DIR, "compile-cache"), ...process.env };
    process.execve(process.execPath, [process.execPath, ...nodeFlags(flagsWithoutTsx()), file, ...process.argv.slice(2)], env);
  }
  await import(file ? pathToFileURL(file).href : sources);
}
