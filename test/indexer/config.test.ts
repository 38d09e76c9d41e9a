/** Configuration and CLI: defaults, errors that name the field, `--help`, exit code 2 on bad flags. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { toEventSignature } from "viem";
import { ConfigError, parseConfig } from "../../indexer/config.js";
import { abis } from "../../indexer/abi.js";
import { ROOT } from "./helpers/env.js";

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
    expect(help.stdout).not.to.include("--collateral-adapter");
    const bad = run(["--rpc", "http://127.0.0.1:1", "--token", "0x12"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--token \/ TOKEN_ADDRESS \(contracts\.token\): invalid address "0x12"/);
    const notInt = run(["--rpc", "http://127.0.0.1:1", "--token", token, "--finality", "x"]);
    expect(notInt.status).to.equal(2);
    expect(notInt.stderr).to.match(/--finality must be a non-negative integer/);
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
