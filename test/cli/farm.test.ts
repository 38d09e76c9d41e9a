/**
 * A farm's life through the `hashpower` CLI, each command a separate process against a Hardhat node with the
 * `Devnet` Ignition module deployed: register (admin), quote, a refused create (decoded custom error), collateral,
 * create, mint, reporters and keeper, fund, status, claim, a refused withdrawal, statement --csv; and bad input.
 */
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createPublicClient, createWalletClient, http, parseAbi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { seriesValuationOracleAbi, seriesWrapperFactoryAbi } from "../../client/index.js";
import { epochAnchor } from "../../domain/epochs.js";
import { dayOfDate } from "../../domain/units.js";
import { ROOT } from "../../scripts/replay/chain.js";
import { ADDR, CI_VARIABLES, cli, cliEnv, KEYS, type Net, startNet } from "./helpers.js";

const D = dayOfDate("2024-04-10");
const [admin, farm, holder] = [KEYS[0], KEYS[3], KEYS[4]];
const terms = ["--hashrate", "1000", "--start", "2024-04-10", "--term", "30", "--efficiency", "17.5", "--pool-fee-bps", "200", "--sla-bps", "9500", "--power-cost", "0.05"];

describe("cli: a farm's life with hashpower", function () {
  let net: Net;
  before(async () => {
    net = await startNet(D);
  });
  after(async () => net?.stop());

  const token = () => net.d.token as `0x${string}`;
  const client = () => createPublicClient({ transport: http(net.node.url) });
  const tokenAbi = parseAbi(["function claimable(address, uint256) view returns (uint256)", "function balanceOf(address, uint256) view returns (uint256)"]);

  /** Deploys series 1's accumulating wrapper and a SeriesValuationOracle of it (first day D); returns the oracle. */
  async function deployValuation(): Promise<`0x${string}`> {
    const wallet = createWalletClient({ account: privateKeyToAccount(admin), transport: http(net.node.url) });
    const art = (name: string) => JSON.parse(readFileSync(join(ROOT, `artifacts/contracts/defi/${name}.sol/${name}.json`), "utf8"));
    const deploy = async (name: string, args: unknown[]) => {
      const { abi, bytecode } = art(name);
      const hash = await wallet.deployContract({ abi, bytecode, args, chain: null } as never);
      return (await client().waitForTransactionReceipt({ hash })).contractAddress!;
    };
    const factory = await deploy("SeriesWrapperFactory", [token()]);
    const created = await wallet.writeContract({ address: factory, abi: seriesWrapperFactoryAbi, functionName: "createWrapper", args: [1n], chain: null });
    await client().waitForTransactionReceipt({ hash: created });
    const wrapper = await client().readContract({ address: factory, abi: seriesWrapperFactoryAbi, functionName: "wrapperOf", args: [1n] });
    return deploy("SeriesValuationOracle", [{
      wrapper, hashpriceOracle: net.d.oracle, loanToken: net.d.asset, windowDays: 30, haircutBps: 0, maxAgeDays: 2, graceDays: 3,
      decayDays: 7, maxGrowthBpsPerDay: 100, feeCapBps: 1_000, hashpriceDriftBpsPerYear: 2_000, firstDay: D, ...epochAnchor(D),
    }]);
  }

  it("refuses bad input with a message naming the flag (exit 2), and a missing key naming --key", async () => {
    const bad = await cli(["mint", "--series", "x", "--to", ADDR[4], "--units", "5"], cliEnv(net, farm));
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--series x: expected an integer/);
    const noKey = await cli(["--yes", "collateral", "post", "1"], cliEnv(net));
    expect(noKey.code).to.equal(2);
    expect(noKey.stderr).to.match(/--key HASHPOWER_KEY: no private key in the environment variable HASHPOWER_KEY nor in the Hardhat keystore/);
    const badAmount = await cli(["--yes", "collateral", "post", "1.123456789"], cliEnv(net, farm));
    expect(badAmount.code).to.equal(2);
    expect(badAmount.stderr).to.match(/amount 1.123456789: at most 8 decimals/);
  });

  it("registers the farm as admin; a non-admin is refused with the decoded custom error", async () => {
    const refused = await cli(["--yes", "farm", "register", ADDR[3], "--capacity", "5000", "--name", "Test Hydro"], cliEnv(net, farm));
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/would revert: AccessControlUnauthorizedAccount\(account=0x90F79bf6EB2c4f870365E785982E1f101E93b906, neededRole=0x/);
    const r = await cli(["--yes", "farm", "register", ADDR[3], "--capacity", "5000", "--name", "Test Hydro"], cliEnv(net, admin));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/will send: HashpowerToken.registerFarm\(0x90F79bf6EB2c4f870365E785982E1f101E93b906, 5000, Test Hydro\)/);
    expect(r.stdout).to.match(/mined in block \d+/);
    expect(r.stdout).to.match(/event FarmRegistered\(farm=0x90F79bf6EB2c4f870365E785982E1f101E93b906, capacityThs=5000, name=Test Hydro\)/);
  });

  it("quotes the collateral; the farm's key from the Hardhat keystore; create without collateral reverts InsufficientCollateral; with it the series is created and minted", async () => {
    const q = await cli(["series", "quote", ...terms], cliEnv(net, farm));
    expect(q.code, q.stderr).to.equal(0);
    const need = /collateral required after creation: ([\d.]+) BTC/.exec(q.stdout)![1];
    expect(Number(need)).to.be.greaterThan(0);
    const refused = await cli(["--yes", "series", "create", ...terms], cliEnv(net, farm));
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/would revert: InsufficientCollateral\(farm=0x90F79bf6EB2c4f870365E785982E1f101E93b906, have=0, required=\d+\)/);
    // the farm's key from the Hardhat keystore (a development keystore in a temporary config folder), as on an
    // operator's machine: Hardhat never reads its keystore in CI (CI, GITHUB_ACTIONS, … set), so those are unset
    const xdg = join(net.tmp, "xdg");
    const operatorEnv: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: xdg };
    for (const k of CI_VARIABLES) delete operatorEnv[k];
    const set = spawnSync(join(ROOT, "node_modules/.bin/hardhat"), ["keystore", "set", "--dev", "FARM_KEY"], { cwd: ROOT, input: `${farm}\n`, env: operatorEnv, encoding: "utf8" });
    expect(set.status, set.stderr).to.equal(0);
    const fromKeystore = await cli(["--key", "FARM_KEY", "--yes", "faucet", "10"], { ...cliEnv(net), XDG_CONFIG_HOME: xdg }, 120_000, CI_VARIABLES);
    expect(fromKeystore.code, fromKeystore.stderr).to.equal(0);
    expect(fromKeystore.stdout).to.include(`from ${ADDR[3]} on chain 31337`);
    // --top-up-collateral posts the quote + 10 % (approving the settlement first), then creates
    const created = await cli(["--yes", "series", "create", ...terms, "--top-up-collateral"], cliEnv(net, farm));
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.match(/TestWBTC.approve/);
    const posted = /event CollateralPosted\(farm=0x90F79bf6EB2c4f870365E785982E1f101E93b906, asset=0x[0-9a-fA-F]{40}, from=0x90F79bf6EB2c4f870365E785982E1f101E93b906, amount=(\d+)\)/.exec(created.stdout);
    expect(BigInt(posted![1])).to.equal((BigInt(Math.round(Number(need) * 1e8)) * 11_000n + 9_999n) / 10_000n);
    expect(created.stdout).to.match(/series id 1\n/);
    const minted = await cli(["--yes", "mint", "--series", "1", "--to", ADDR[4], "--units", "30000"], cliEnv(net, farm));
    expect(minted.code, minted.stderr).to.equal(0);
    expect(await client().readContract({ address: token(), abi: tokenAbi, functionName: "balanceOf", args: [ADDR[4], 1n] })).to.equal(30000n);
  });

  it("reports two days, funds them, the keeper settles them, status shows it, the holder claims", async () => {
    await net.setDay(D + 2);
    const rep = await cli(["reporter", "run", "--from", "2024-04-10", "--to", "2024-04-11", "--uptime-all", "10000", "--poll-ms", "50"], cliEnv(net, undefined, { REPORTER_KEYS: KEYS.slice(5, 8).join(",") }));
    expect(rep.code, rep.stderr).to.equal(0);
    const fund = await cli(["--yes", "fund", "--days", "2"], cliEnv(net, farm));
    expect(fund.code, fund.stderr + fund.stdout).to.equal(0);
    expect(fund.stdout).to.match(/deposit [\d.]+ BTC: 2 day\(s\) × [\d.]+ BTC per day at the trailing hashprice/);
    const again = await cli(["--yes", "fund", "--days", "2"], cliEnv(net, farm));
    expect(again.stdout).to.match(/runway already [\d.]+ days ≥ 2: nothing to send/);
    // a lending market's valuation oracle of series 1: the keeper pokes it after settling (--poke)
    const valuation = await deployValuation();
    const badPoke = await cli(["keeper", "run", "--once", "--poke", "0x12"], cliEnv(net, KEYS[2]));
    expect(badPoke.code).to.equal(2);
    expect(badPoke.stderr).to.match(/--poke 0x12: expected 0x-prefixed 20-byte addresses/);
    const keeper = await cli(["keeper", "run", "--once", "--interval-ms", "50", "--poke", valuation], cliEnv(net, KEYS[2]));
    expect(keeper.code, keeper.stderr).to.equal(0);
    expect(keeper.stdout).to.match(/"settled":2,"skipped":0/);
    expect(keeper.stdout).to.match(/"days":2,"status":"success","msg":"valuation oracle poked"/);
    expect(await client().readContract({ address: valuation, abi: seriesValuationOracleAbi, functionName: "latestDay" })).to.equal(D + 1);
    const again2 = await cli(["keeper", "run", "--once", "--interval-ms", "50", "--poke", valuation], cliEnv(net, KEYS[2]));
    expect(again2.code, again2.stderr).to.equal(0);
    expect(again2.stdout).to.not.match(/valuation oracle poked/); // nothing new to record: nothing sent
    const st = await cli(["status"], cliEnv(net, farm));
    expect(st.code, st.stderr).to.equal(0);
    expect(st.stdout).to.match(/farm 0x90F79bf6EB2c4f870365E785982E1f101E93b906 "Test Hydro": capacity 5000 TH\/s/);
    expect(st.stdout).to.match(/ {2}1 {2}1000 {2}2024-04-10\.\.2024-05-09 {2}30000\/30000 +2\/30/);
    expect(st.stdout).to.match(/runway [\d.]+ days/);
    expect(st.stdout).to.match(/next: collateral post [\d.]+ \(below the requirement\)/); // the trailing hashprice (164.81) replaced the bootstrap value (50)
    const owed = await client().readContract({ address: token(), abi: tokenAbi, functionName: "claimable", args: [ADDR[4], 1n] });
    expect(owed > 0n).to.equal(true);
    const claim = await cli(["--yes", "claim", "--series", "1"], cliEnv(net, holder));
    expect(claim.code, claim.stderr).to.equal(0);
    expect(claim.stdout).to.match(new RegExp(`event Claimed\\(holder=${ADDR[4]}, id=1, receiver=${ADDR[4]}, caller=${ADDR[4]}, amount=${owed}\\)`));
  });

  it("a withdrawal below the requirement is refused with the decoded InsufficientCollateral and sends nothing", async () => {
    const w = await cli(["--yes", "collateral", "withdraw", "5"], cliEnv(net, farm));
    expect(w.code).to.equal(1);
    expect(w.stderr).to.match(/would revert: (InsufficientCollateral|InsufficientBalance)\(/);
    expect(w.stdout).not.to.match(/sent 0x/);
  });

  it("statement --csv asks the indexer's /statement.csv with the account, series and day range", async () => {
    let asked = "";
    const server = createServer((req, res) => {
      asked = req.url ?? "";
      res.writeHead(200, { "content-type": "text/csv" }).end("date,units,net_sats\n2024-04-10,30000,123\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const s = await cli(["statement", "--csv", "--account", ADDR[4], "--series", "1", "--from", "2024-04-10", "--to", "2024-04-11", "--indexer", url], {});
      expect(s.code, s.stderr).to.equal(0);
      expect(s.stdout).to.equal("date,units,net_sats\n2024-04-10,30000,123\n");
      expect(asked).to.equal(`/statement.csv?account=${ADDR[4]}&seriesId=1&from=${D}&to=${D + 1}`);
      // without --from/--to: the indexer's longest window (3,660 days) up to today, UTC
      const all = await cli(["statement", "--account", ADDR[4], "--series", "1", "--indexer", url], {});
      expect(all.code, all.stderr).to.equal(0);
      const today = Math.floor(Date.now() / 86_400_000);
      expect(asked).to.be.oneOf([0, 1].map((k) => `/statement.csv?account=${ADDR[4]}&seriesId=1&from=${today - k - 3_659}&to=${today - k}`));
    } finally {
      server.close();
    }
  });
});
