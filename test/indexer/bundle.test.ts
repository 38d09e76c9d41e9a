/**
 * The indexer's launch path (`indexer/cli.ts` → the ahead-of-time bundle of `indexer/bundle.ts`): the bundle is
 * rebuilt when a source changes, runs the same command as the sources, keeps files read beside the sources
 * (migrations, schema) reachable, and holds no dynamic `import()` (which tsx's loader would rewrite at every start).
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, cachedBundle } from "../../indexer/bundle.js";
import { ROOT, sharedNode, until } from "./helpers/env.js";

const cli = (args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []) =>
  spawnSync(process.execPath, [...nodeFlags, "--import", "tsx", join(ROOT, "indexer/cli.ts"), ...args], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, RPC_URL: "", DATABASE_URL: "", ...env },
  });

describe("indexer launch (ahead-of-time bundle)", function () {
  this.timeout(120_000);

  it("is rebuilt after a source change and is fresh afterwards", async function () {
    const file = await buildBundle();
    expect(cachedBundle()).to.equal(file);
    const manifest = JSON.parse(readFileSync(join(ROOT, "node_modules/.cache/hashpower/indexer.json"), "utf8"));
    expect(manifest.inputs).to.include.members(["indexer/command.ts", "indexer/sync/sync.ts", "indexer/store/batch.ts", "domain/accumulator.ts"]);
    // a source saved later (same content, new mtime) makes the cached bundle stale
    const src = join(ROOT, "indexer/store/tables.ts");
    // restored from mtimeMs (stat's Date rounds to the nearest ms; the fingerprint truncates)
    const { atime, mtimeMs } = statSync(src);
    const mtime = mtimeMs / 1000;
    utimesSync(src, atime, new Date(Date.now() + 1_000));
    try {
      expect(cachedBundle()).to.equal(null);
    } finally {
      utimesSync(src, atime, mtime);
    }
    expect(cachedBundle()).to.equal(file);
    // a start with a stale bundle rebuilds it
    utimesSync(src, atime, new Date(Date.now() - 60_000));
    expect(cachedBundle()).to.equal(null);
    expect(cli(["--help"]).status).to.equal(0);
    expect(cachedBundle()).to.equal(file);
  });

  it("runs the same command as the sources, from any working directory, without dynamic import()", async function () {
    const file = await buildBundle();
    const bundled = cli(["--help"]);
    const sources = cli(["--help"], { HASHPOWER_BUNDLE: "0" });
    expect(bundled.status).to.equal(0);
    expect(bundled.stdout).to.equal(sources.stdout);
    const bad = cli(["--rpc", "http://127.0.0.1:1", "--token", "0x12"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--token \/ TOKEN_ADDRESS \(contracts\.token\): invalid address "0x12"/);
    // plain node, from another working directory, PGlite: the migrations and the GraphQL schema are read beside the sources
    const node = await sharedNode();
    const proc = spawn(process.execPath, [file, "--rpc", node.url, "--token", "0x00000000000000000000000000000000000000aa", "--data-dir", "memory://", "--port", "0", "--no-progress"], {
      cwd: "/", stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    try {
      await until(() => /"msg":"caught up: live"/.test(out) || proc.exitCode !== null, "bundle start", 60_000);
      const port = /"port":(\d+)[^\n]*"msg":"indexer started"/.exec(out)?.[1];
      expect(port, out).to.be.a("string");
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { block } }" }) });
      const body = (await res.json()) as any;
      expect(body.errors, JSON.stringify(body)).to.equal(undefined);
      expect(body.data._meta.block).to.be.a("number");
    } finally {
      proc.kill("SIGKILL");
    }
    // tsx's loader rewrites every module holding an import(), with a source map: seconds for a bundle this size
    expect(readFileSync(file, "utf8")).not.to.match(/\bimport\s*\(/);
  });

  it("runs the bundle in the same process without tsx, with a bounded heap unless told otherwise", async function () {
    await buildBundle();
    const dir = mkdtempSync(join(tmpdir(), "hashpower-launch-"));
    try {
      // a preload (kept across the exec, as every node flag is) that reports what the running image got
      const probe = join(dir, "probe.cjs");
      writeFileSync(probe, `process.on("exit", () => process.stderr.write("PROBE " + JSON.stringify({ pid: process.pid, argv1: process.argv[1], execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX, limitMiB: require("v8").getHeapStatistics().heap_size_limit / 1048576 }) + "\\n"));`);
      const run = (env: Record<string, string>, flags: string[] = [], args: string[] = []) => {
        const r = cli(["--help", ...args], env, ["--require", probe, ...flags]);
        const probes = [...r.stderr.matchAll(/^PROBE (.*)$/gm)].map((m) => JSON.parse(m[1]));
        return { r, probe: probes[probes.length - 1], probes };
      };
      const def = run({});
      expect(def.r.status, def.r.stderr).to.equal(0);
      expect(def.probes).to.have.length(1); // the launcher's image never exits: it is replaced
      expect(def.probe.pid).to.equal(def.r.pid);
      expect(def.probe.argv1).to.match(/node_modules\/\.cache\/hashpower\/indexer\.mjs$/);
      expect(def.probe.execArgv.join(" ")).not.to.match(/tsx/);
      expect(def.probe.execArgv).to.include.members(["--max-old-space-size=160", "--no-allocation-site-pretenuring"]);
      expect(def.probe.limitMiB).to.be.below(300);
      expect(def.probe.arenas).to.equal("2");
      expect(run({ MALLOC_ARENA_MAX: "4" }).probe.arenas).to.equal("4");
      // PGlite (the default database) gets one V8 worker thread, unless a node flag says otherwise; PostgreSQL keeps V8's
      expect(def.probe.execArgv).to.include("--v8-pool-size=1");
      expect(run({}, ["--v8-pool-size=2"]).probe.execArgv.filter((f: string) => f.startsWith("--v8-pool-size"))).to.deep.equal(["--v8-pool-size=2"]);
      const url = "postgres://u@127.0.0.1:1/db";
      for (const pg of [run({ DATABASE_URL: url }), run({}, [], ["--database-url", url]), run({}, [], [`--database-url=${url}`])]) {
        expect(pg.r.status, pg.r.stderr).to.equal(0);
        expect(pg.probe.execArgv.join(" ")).not.to.match(/v8-pool-size/);
      }
      const other = run({ HASHPOWER_MAX_HEAP_MB: "200" });
      expect(other.probe.execArgv).to.include("--max-old-space-size=200");
      const off = run({ HASHPOWER_MAX_HEAP_MB: "0" });
      expect(off.probe.execArgv.join(" ")).not.to.match(/max-old-space-size/);
      expect(off.probe.limitMiB).to.be.above(def.probe.limitMiB);
      const explicit = run({}, ["--max-old-space-size=300"]);
      expect(explicit.probe.execArgv.filter((f: string) => f.startsWith("--max-old-space-size"))).to.deep.equal(["--max-old-space-size=300"]);
      const bad = cli(["--help"], { HASHPOWER_MAX_HEAP_MB: "lots" });
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.match(/HASHPOWER_MAX_HEAP_MB must be a whole number of MiB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
