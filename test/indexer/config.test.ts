/**
 * Configuration and CLI: defaults, errors that name the field, `--help` (defaults, examples, exit codes), exit code 2
 * on bad flags, and the start-up checks (database 3, JSON-RPC 4, port 5) that name the flag before any indexing.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { toEventSignature } from "viem";
import { ConfigError, parseConfig } from "../../indexer/config.js";
import { abis } from "../../indexer/abi.js";
import { ROOT, sharedNode, sharedPostgres } from "./helpers/env.js";

const token = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("indexer config and CLI", function () {
  this.timeout(60_000);

  it("applies defaults and lowercases addresses", function () {
    const c = parseConfig({ rpcUrl: "http://127.0.0.1:8545", contracts: { token } });
    expect(c.contracts.token).to.equal(token.toLowerCase());
    expect(c).to.include({ dataDir: ".pglite", finality: 12, port: 42069, host: "127.0.0.1", fromBlock: 0, maxPageSize: 1000 });
    expect(c.rpc.maxRange).to.equal(100_000);
  });

  it("names every bad field", function () {
    const err = (() => {
      try {
        parseConfig({ rpcUrl: "ftp://x", databaseUrl: "mysql://x", contracts: { token: "0x12", oracle: "nope" }, finality: -1, port: 70000, rpc: { maxRange: 0 } });
      } catch (e) {
        return e as ConfigError;
      }
    })()!;
    expect(err).to.be.instanceOf(ConfigError);
    const fields = err.issues.map((i) => i.field);
    expect(fields).to.include.members(["rpcUrl", "databaseUrl", "contracts.token", "contracts.oracle", "finality", "port", "rpc.maxRange"]);
    expect(err.message).to.match(/contracts\.token: invalid address "0x12"/);
    expect(() => parseConfig({ rpcUrl: "http://x", contracts: { token }, rpc: { initialRange: 10, maxRange: 5 } })).to.throw(/rpc\.initialRange/);
    expect(() => parseConfig({ rpcUrl: "http://x", contracts: { token }, bogus: 1 })).to.throw(/bogus/);
  });

  it("CLI: --help lists the flags; bad flags exit 2 naming the flag's field", function () {
    const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "indexer/cli.ts"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, RPC_URL: "", DATABASE_URL: "" } });
    const help = run(["--help"]);
    expect(help.status).to.equal(0);
    for (const f of ["--rpc", "--database-url", "--data-dir", "--port", "--finality", "--token", "--oracle", "--settlement", "--from-block", "--wrapper-factory", "--morpho"]) expect(help.stdout).to.include(f);
    for (const d of ["(default: 42069)", "(default: 12)", "(default: 1000)", '(default: "127.0.0.1")', "Examples:", "npm run indexer -- serve --database-url", "Exit codes:"]) expect(help.stdout).to.include(d);
    expect(help.stdout).not.to.include("--collateral-adapter");
    const bad = run(["--rpc", "http://127.0.0.1:1", "--token", "0x12"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--token \/ TOKEN_ADDRESS \(contracts\.token\): invalid address "0x12"/);
    const notInt = run(["--rpc", "http://127.0.0.1:1", "--token", token, "--finality", "x"]);
    expect(notInt.status).to.equal(2);
    expect(notInt.stderr).to.match(/--finality must be a non-negative integer/);
  });

  it("CLI start-up checks name the flag and exit with the documented code (database 3, JSON-RPC 4, port 5)", async function () {
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string; ms: number }>((resolve) => {
        const t0 = Date.now();
        const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "indexer/cli.ts"), ...args], { cwd: ROOT, env: { ...process.env, RPC_URL: "", DATABASE_URL: "" } });
        let stderr = "";
        p.stderr.on("data", (d) => (stderr += d));
        p.on("exit", (status) => resolve({ status, stderr, ms: Date.now() - t0 }));
      });
    const node = (await sharedNode()).url;
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as { port: number }).port;
    const empty = await (await sharedPostgres()).newDatabase();
    try {
      const [db, rpcDown, inUse, serveEmpty] = await Promise.all([
        run(["--rpc", node, "--token", token, "--database-url", "postgres://u:secret@127.0.0.1:1/x"]),
        run(["--rpc", "http://127.0.0.1:1", "--token", token, "--data-dir", "memory://"]),
        run(["--rpc", node, "--token", token, "--data-dir", "memory://", "--port", String(port)]),
        run(["serve", "--database-url", empty, "--port", "0"]),
      ]);
      expect([db.status, db.stderr]).to.deep.equal([3, "cannot start: --database-url / DATABASE_URL: cannot connect to postgres://u:***@127.0.0.1:1/x: connect ECONNREFUSED 127.0.0.1:1\n"]);
      expect(rpcDown.status).to.equal(4);
      expect(rpcDown.stderr).to.match(/^cannot start: --rpc \/ RPC_URL: no JSON-RPC answer from http:\/\/127\.0\.0\.1:1/);
      expect(inUse.status).to.equal(5);
      expect(inUse.stderr).to.equal(`cannot start: --port: cannot listen on 127.0.0.1:${port}: already in use\n`);
      expect(serveEmpty.status).to.equal(3);
      expect(serveEmpty.stderr).to.match(/--database-url \/ DATABASE_URL: no indexer data in this database: start a writer/);
    } finally {
      busy.close();
    }
  });

  it("the ABIs cover every event of the compiled contracts, signature for signature", function () {
    const artifacts = {
      token: "HashpowerToken", oracle: "HashpriceOracle", settlement: "Settlement", wrapperFactory: "defi/SeriesWrapperFactory",
      wrapper: "defi/SeriesWrapper", valuationOracle: "defi/SeriesValuationOracle",
    } as const;
    for (const [name, path] of Object.entries(artifacts) as [keyof typeof abis, string][]) {
      const contract = path.split("/").pop();
      const art = JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/${path}.sol/${contract}.json`), "utf8"));
      const want = art.abi.filter((x: any) => x.type === "event").map((x: any) => toEventSignature(x)).sort();
      expect(want.length, contract).to.be.greaterThan(0);
      const ours = new Set(abis[name].filter((x: any) => x.type === "event").map((x: any) => toEventSignature(x)));
      for (const sig of want) expect(ours.has(sig), `${contract}: ${sig}`).to.equal(true);
    }
  });

  it("Morpho Blue's ABI has every event of its EventsLib.sol (Id = bytes32, MarketParams a tuple)", function () {
    const src = readFileSync(join(ROOT, "node_modules/@morpho-org/morpho-blue/src/libraries/EventsLib.sol"), "utf8").replace(/\/\/.*$/gm, "");
    const want = [...src.matchAll(/event\s+(\w+)\s*\(([^)]*)\)/g)].map(([, name, params]) => {
      const types = params.split(",").map((p) => p.trim().split(/\s+/)[0]).filter(Boolean);
      const abiType = (t: string) => (t === "Id" ? "bytes32" : t === "MarketParams" ? "(address,address,address,address,uint256)" : t);
      return `${name}(${types.map(abiType).join(",")})`;
    });
    expect(want.length).to.be.greaterThan(15);
    const ours = abis.morpho.filter((x: any) => x.type === "event").map((x: any) => toEventSignature(x).replace(/ \w+/g, ""));
    expect(ours.map((x: string) => x.replace(/\s/g, "")).sort()).to.deep.equal(want.sort());
  });

  it("Morpho needs the wrapper factory, named in the error; an adapter setting is refused", function () {
    const a = "0x000000000000000000000000000000000000beef";
    expect(() => parseConfig({ rpcUrl: "http://x", contracts: { token, morpho: a } })).to.throw(/contracts\.wrapperFactory: required/);
    expect(() => parseConfig({ rpcUrl: "http://x", contracts: { token, wrapperFactory: a, morpho: a, collateralAdapter: a } })).to.throw(/contracts/);
    const c = parseConfig({ rpcUrl: "http://x", contracts: { token, wrapperFactory: a.toUpperCase().replace("0X", "0x"), morpho: a } });
    expect(c.contracts.wrapperFactory).to.equal(a);
  });
});
