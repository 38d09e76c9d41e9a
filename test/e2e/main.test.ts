/**
 * End to end, through the code path of `npm start` (`runReplay`, scripts/replay/): a Hardhat node child process,
 * Ignition deployment, 30 real days across the 2024-04-20 halving with reports, settlements, trades and claims,
 * and the indexer live beside it. Asserts that the GraphQL API's totals (per series distributed/claimed/
 * accumulator, per holder balance/claimable/claimed) equal the contracts' state, and that the per-unit yield
 * equals the settlement formula applied to the data file (domain), day by day and in total.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { loadDays } from "../../domain/data.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { distribute } from "../../domain/accumulator.js";
import { owedForDay, perThDay } from "../../domain/settlement.js";
import { perUnitE18 } from "../../domain/yield.js";
import { dayOfDate } from "../../domain/units.js";
import { uptimeBps } from "../../scripts/replay/actors.js";
import { ROOT } from "../../scripts/replay/chain.js";
import { OptionsError, runReplay, type Replay } from "../../scripts/replay/index.js";
import { cachedBundle, MAIN } from "../../indexer/bundle.js";

/** `npm start -- <args>` (its launcher, scripts/start.ts) with `env` added. */
const start = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/start.ts"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });

describe("e2e: the replay of npm start, on a short range", function () {
  this.timeout(600_000);
  let r: Replay;

  before(async function () {
    r = await runReplay({ from: "2024-04-06", to: "2024-05-05", holders: 6, seed: 7, port: 0, apiPort: 0, quiet: true });
  });
  after(async function () {
    await r?.close();
  });

  it("passes every check of its own summary", function () {
    const failed = r.summary.checks.filter((c) => !c.ok);
    expect(failed, failed.map((c) => `${c.name}: ${c.detail}`).join("\n")).to.deep.equal([]);
    expect(r.summary.checks.length).to.be.greaterThan(20);
  });

  it("issued ≥ 3 series of 2 farms, settled every series-day; the halving (and every day) final without the guardian", async function () {
    const { token, settlement } = r.world.sys;
    expect(Number(await token.seriesCount())).to.be.greaterThanOrEqual(3);
    expect(new Set(r.plan.series.map((s) => s.farm)).size).to.equal(2);
    for (const [k, s] of r.plan.series.entries()) {
      expect(Number(await settlement.settledDays(r.world.ids[k]!))).to.equal(s.terms.termDays);
    }
    expect(r.world.stats.pending).to.deep.equal([]);
    expect((await r.world.sys.oracle.dailyValues(dayOfDate("2024-04-20"))).status).to.equal(2n);
    expect(r.summary.underfund?.collateralPaid ?? 0n).to.be.greaterThan(0n);
    expect(r.world.stats.trades + r.world.stats.gifts).to.be.greaterThan(0);
    expect(r.world.stats.claims).to.be.greaterThan(0);
  });

  it("ran a Morpho Blue loan against series 1 that ended either safe or liquidated by Morpho", async function () {
    const loan = r.summary.loan!;
    expect(loan.supplied).to.be.greaterThan(0n);
    expect(loan.borrowed).to.be.greaterThan(0n);
    const seized = loan.liquidations.reduce((a, x) => a + x.seized, 0n);
    if (loan.liquidations.length === 0) expect(loan.healthy).to.equal(true);
    else for (const x of loan.liquidations) expect(x.ltvBps).to.be.greaterThan(7_700n); // above the LLTV when liquidated
    expect(loan.collateralLeft + seized).to.equal(loan.supplied);
    const l = r.world.lending!;
    const onChain = (await l.morpho.position(l.marketId, loan.borrower)).collateral;
    expect(onChain).to.equal(loan.collateralLeft);
    // the GraphQL owner view: the borrower's collateral inside Morpho, under the borrower
    const d = await r.indexer.query(`query($a: String!) { account(address: $a) { positions { seriesId collateral { marketId collateral } } } }`, { a: loan.borrower.toLowerCase() });
    const held = d.account.positions.find((p: any) => p.seriesId === String(loan.seriesId));
    expect(held?.collateral.find((c: any) => c.marketId === l.marketId)?.collateral, "GraphQL collateral of the borrower").to.equal(String(onChain));
  });

  it("across the 2024 halving the levered loan is judged by Morpho on the real fees; a flash loan around settlement gains 0; the yield is exact to the sat", async function () {
    const loan = r.summary.loan!;
    const l = r.world.lending!;
    // the greedy borrower levers up to 99.9 % of its maximum on the eve of the halving report. On the real data the
    // oracle had priced the halving in ahead and the Runes fees of 2024-04-20 lifted that day's hashprice, so the loan
    // stays healthy through this range; a liquidation, if any, is Morpho's, above the LLTV, on or after the halving.
    // (The liquidation across the halving, exact to the sat, runs against Morpho Blue in test/defi/morpho.test.ts.)
    expect(loan.leveredUp, "levered up on the eve of the halving report").to.not.equal(null);
    expect(loan.leveredUp!.ltvBps).to.be.greaterThan(7_600n);
    if (loan.liquidations.length === 0) expect(loan.healthy, "never liquidated: healthy").to.equal(true);
    for (const x of loan.liquidations) {
      expect(x.day).to.be.greaterThanOrEqual(dayOfDate("2024-04-20"));
      expect(x.ltvBps).to.be.greaterThan(7_700n);
    }
    // the flash loan of every share Morpho held, around Settlement.settle: 0 sats, the borrower credited in full
    expect(loan.flash, "flash attempt ran").to.not.equal(null);
    expect(loan.flash!.gainedSats).to.equal(0n);
    expect(loan.flash!.shares).to.be.greaterThan(0n);
    expect(loan.flash!.borrowerCreditedSats).to.be.within(loan.flash!.borrowerOwedSats, loan.flash!.borrowerOwedSats + 1n);
    // the liquidated borrower keeps exactly floor(collateral × index) sats in its shares, index = what a raw unit earned
    const index = await l.wrapper.indexE36();
    const id = r.world.ids[l.series]!;
    expect(index).to.equal((await r.world.sys.token.accPerUnitE36(id)) - (await l.wrapper.acc0()));
    const left = (await l.morpho.position(l.marketId, loan.borrower)).collateral;
    expect(loan.yieldInShares).to.equal((left * index) / 10n ** 36n);
    expect(await l.wrapper.previewUnwrap(left)).to.equal(loan.yieldInShares);
  });

  it("GraphQL series totals equal the token's state (claimed: its Claimed events)", async function () {
    const { token } = r.world.sys;
    const claimedOf = new Map<bigint, bigint>();
    for (const e of await token.queryFilter(token.filters.Claimed(), r.world.sys.fromBlock)) claimedOf.set(e.args.id, (claimedOf.get(e.args.id) ?? 0n) + e.args.amount);
    const d = await r.indexer.query(`{ _meta { lagBlocks } seriesList { items { id supply distributedSats claimedSats accPerUnitE36 } } }`);
    expect(d._meta.lagBlocks).to.equal(0);
    expect(d.seriesList.items).to.have.length(r.plan.series.length);
    for (const g of d.seriesList.items) {
      const st = await token.seriesState(BigInt(g.id));
      expect(g.distributedSats, `series ${g.id} distributed`).to.equal(String(st.distributed));
      expect(g.claimedSats, `series ${g.id} claimed`).to.equal(String(claimedOf.get(BigInt(g.id)) ?? 0n));
      expect(g.accPerUnitE36, `series ${g.id} accumulator`).to.equal(String(st.accPerUnitE36));
      expect(g.supply).to.equal(String(st.supply));
      expect(st.distributed).to.be.greaterThan(0n);
    }
  });

  it("GraphQL per-holder claimable and claimed equal the token (claimable() and Claimed events)", async function () {
    const { token } = r.world.sys;
    const claimed = new Map<string, bigint>();
    for (const e of await token.queryFilter(token.filters.Claimed(), r.world.sys.fromBlock)) {
      const k = `${e.args.holder.toLowerCase()}:${e.args.id}`;
      claimed.set(k, (claimed.get(k) ?? 0n) + e.args.amount);
    }
    let positions = 0;
    let someClaimed = false;
    for (const h of r.world.holders) {
      const d = await r.indexer.query(`query($a: String!) { account(address: $a) { positions(includeEmpty: true) { seriesId balance claimableSats claimedSats } } }`, { a: h.address.toLowerCase() });
      expect(d.account.positions.length, `holder ${h.address} holds or held something`).to.be.greaterThan(0);
      for (const p of d.account.positions) {
        const id = BigInt(p.seriesId);
        expect(p.balance).to.equal(String(await token.balanceOf(h.address, id)));
        expect(p.claimableSats).to.equal(String(await token.claimable(h.address, id)));
        expect(p.claimedSats).to.equal(String(claimed.get(`${h.address.toLowerCase()}:${id}`) ?? 0n));
        someClaimed ||= BigInt(p.claimedSats) > 0n;
        positions++;
      }
    }
    expect(positions).to.be.greaterThanOrEqual(r.world.holders.length);
    expect(someClaimed).to.equal(true);
  });

  it("per-unit yield equals the settlement formula on the data file, per day (GraphQL yieldHistory) and in total", async function () {
    const days = loadDays();
    for (const [k, s] of r.plan.series.entries()) {
      const id = r.world.ids[k]!;
      const supply = (await r.world.sys.token.seriesState(id)).supply;
      const last = s.startDay + s.terms.termDays - 1;
      const d = await r.indexer.query(`query($id: ID!, $from: Int!, $to: Int!) { yieldHistory(seriesId: $id, from: $from, to: $to) { days { day netPerUnitSatsE18 hashpriceE18 btcUsdE8 uptimeBps } } }`, { id: String(id), from: s.startDay, to: last });
      expect(d.yieldHistory.days).to.have.length(s.terms.termDays);
      const acc = { supply, accPerUnitE36: 0n, carryE36: 0n };
      for (const y of d.yieldHistory.days) {
        const x = days.get(y.day)!;
        const hp = hashpriceE18(x.bits, x.subsidySats, x.feesPerBlockSats); // recomputed from the data: bits, subsidy, fees per block
        const p = perThDay(s.terms, hp, uptimeBps(r.plan, s.farm, y.day), x.btcUsdE8);
        expect(y.hashpriceE18, `hashprice ${x.date}`).to.equal(String(hp));
        expect(y.btcUsdE8, `BTC/USD ${x.date}`).to.equal(String(x.btcUsdE8));
        expect(y.netPerUnitSatsE18, `series ${id} net per unit ${x.date}`).to.equal(String(perUnitE18(p.netE18, s.terms.termDays)));
        distribute(acc, owedForDay(s.terms, p, supply).owed);
      }
      expect((await r.world.sys.token.seriesState(id)).accPerUnitE36, `series ${id} accumulator`).to.equal(acc.accPerUnitE36);
    }
  });

  it("rejects bad options naming the option (function and CLI)", async function () {
    const bad = async (o: Parameters<typeof runReplay>[0], option: string) => {
      const e = await runReplay(o).then(() => null, (x) => x);
      expect(e).to.be.instanceOf(OptionsError);
      expect(e.message).to.include(option);
    };
    await bad({ holders: 1 }, "--holders");
    await bad({ from: "2024-02-30" }, "--from");
    await bad({ from: "2024-05-01", to: "2024-04-01" }, "--to");
    await bad({ from: "2008-01-01", to: "2008-02-01" }, "--from");
    await bad({ databaseUrl: "mysql://x" }, "--database-url");
    await bad({ dataDir: "/nonexistent" }, "--data-dir"); // names the missing file too
    // `npm start`'s launcher: the job's bundle (built when stale), then the sources under tsx (HASHPOWER_BUNDLE=0)
    for (const env of [{}, { HASHPOWER_BUNDLE: "0" }] as Record<string, string>[]) {
      const cli = start(["--holders", "many"], env);
      expect(cli.status).to.equal(2);
      expect(cli.stderr).to.include("--holders");
    }
  });

  it("runs from the bundle the same command as the sources", function () {
    const bundled = start(["--help"]);
    const sources = start(["--help"], { HASHPOWER_BUNDLE: "0" });
    expect(bundled.status).to.equal(0);
    expect(bundled.stdout).to.contain("Replay real Bitcoin days");
    expect(bundled.stdout).to.equal(sources.stdout);
    expect(cachedBundle(MAIN)).to.be.a("string");
  });

  it("ran the indexer in its own process, which close() stops, removing its PGlite folder", async function () {
    const pid = r.indexer.pid;
    expect(pid).to.not.equal(process.pid);
    expect(() => process.kill(pid, 0)).to.not.throw();
    const dir = r.indexer.store.replace(/^PGlite in /, "");
    expect(existsSync(dir)).to.equal(true);
    await r.close();
    expect(() => process.kill(pid, 0)).to.throw();
    expect(existsSync(dir)).to.equal(false);
    await r.indexer.query("{ _meta { block } }").then(() => expect.fail("the API still answers"), () => {});
  });
});
