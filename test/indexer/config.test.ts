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
    for (const f of ["--rpc", "--database-url", "--data-dir", "--port", "--finality", "--token", "--oracle", "--settlement", "--from-block"]) expect(help.stdout).to.include(f);
    const bad = run(["--rpc", "http://127.0.0.1:1", "--token", "0x12"]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--token \(contracts\.token\): invalid address "0x12"/);
    const notInt = run(["--rpc", "http://127.0.0.1:1", "--token", token, "--finality", "x"]);
    expect(notInt.status).to.not.equal(0);
    expect(notInt.stderr).to.match(/--finality must be a non-negative integer/);
  });

  it("the ABIs cover every event of the compiled contracts, signature for signature", function () {
    const artifacts = { token: "HashpowerToken", oracle: "HashpriceOracle", settlement: "Settlement" } as const;
    for (const [name, contract] of Object.entries(artifacts) as [keyof typeof abis, string][]) {
      const art = JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/${contract}.sol/${contract}.json`), "utf8"));
      const want = art.abi.filter((x: any) => x.type === "event").map((x: any) => toEventSignature(x)).sort();
      const ours = new Set(abis[name].filter((x: any) => x.type === "event").map((x: any) => toEventSignature(x)));
      for (const sig of want) expect(ours.has(sig), `${contract}: ${sig}`).to.equal(true);
    }
  });
});
