import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, getAddress, type Hex, type LocalAccount } from "viem";
import { dayOfDate } from "../../domain/units.js";
import { hashpriceOracleAbi, Status } from "../../cli/reporter/abi.js";
import { createReporter, type ReporterContext } from "../../cli/reporter/reporter.js";
import { oracleDomain, signDailyReport } from "../../cli/reporter/sign.js";
import { CsvSource, type DailySource, type UptimeEntry, type UptimeSource } from "../../cli/reporter/sources.js";
import { type Chain, recordingLogger, reporterKeys, startChain } from "./chain.js";
import { BitcoinCoreSource, BitcoinRpc } from "../../cli/reporter/bitcoind.js";
import { FixedPriceSource } from "../../cli/reporter/sources.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { startStub, syntheticChain } from "./bitcoind-stub.js";

const D1 = dayOfDate("2024-03-01");
const csv = new CsvSource();
const farms = [getAddress("0x00000000000000000000000000000000000000aa"), getAddress("0x00000000000000000000000000000000000000bb")];

/** Uptime of `farms` every day (9,900 + farm index bps); the farm list may grow during a test. */
function uptimeOf(list: Address[]): UptimeSource {
  return { uptime: async (): Promise<UptimeEntry[]> => list.map((farm, i) => ({ farm, uptimeBps: 9_900 + i })) };
}

describe("reporter (real HashpriceOracle on the Hardhat simulator)", () => {
  let c: Chain;
  let oracle: Address;
  let accounts: LocalAccount[];
  let rec: ReturnType<typeof recordingLogger>;

  before(async () => {
    c = await startChain();
  });
  beforeEach(async () => {
    accounts = reporterKeys(3).accounts;
    oracle = await c.deployOracle(accounts, 2);
    rec = recordingLogger();
  });
  afterEach(async () => {
    await c.rpc("evm_setAutomine", [true]);
  });

  const reporter = (over: Partial<ReporterContext> = {}) =>
    createReporter({ publicClient: c.publicClient, walletClient: c.submitter, oracle, reporters: accounts, daily: csv, uptime: uptimeOf(farms), logger: rec.logger, ...over });
  const status = (day: number) => c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [day] }).then((v) => v.status);
  const submitterTxs = () => c.txsFrom(c.submitter.account.address, oracle);

  /** Every day of [from, to] reported exactly once (daily and each farm's uptime), and no transaction reverted. */
  async function expectExactlyOnce(from: number, to: number, farmList: Address[] = farms, txCount = (to - from + 1) * (farmList.length > 0 ? 2 : 1)) {
    const { daily, uptime } = await c.reportCounts(oracle);
    for (let d = from; d <= to; d++) {
      expect(daily.get(d), `daily reports of day ${d}`).to.equal(1);
      for (const f of farmList) expect(uptime.get(`${f}:${d}`), `uptime of ${f} on day ${d}`).to.equal(1);
    }
    expect([...daily.keys()].every((d) => d >= from && d <= to)).to.equal(true);
    const txs = await submitterTxs();
    expect(txs.filter((t) => t.status !== "success")).to.deep.equal([]);
    expect(txs).to.have.length(txCount);
  }

  it("reportDay submits the daily report, then every farm's uptime in one call; a second call sends nothing", async () => {
    const list = [...farms];
    const r = reporter({ uptime: uptimeOf(list) });
    const first = await r.reportDay(D1);
    expect(first).to.deep.include({ daily: "submitted", uptimeSubmitted: 2, uptimeSkipped: 0 });
    expect(first.txs).to.have.length(2);
    expect(await status(D1)).to.equal(Status.Final);
    const again = await r.reportDay(D1);
    expect(again).to.deep.include({ daily: "final", uptimeSubmitted: 0, uptimeSkipped: 2, txs: [] });
    // a farm that shows up later: only its uptime is sent
    list.push(getAddress("0x00000000000000000000000000000000000000cc"));
    const later = await r.reportDay(D1);
    expect(later).to.deep.include({ daily: "final", uptimeSubmitted: 1, uptimeSkipped: 2 });
    expect(await c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "uptimeBps", args: [list[2], D1] })).to.equal(9_902);
    await expectExactlyOnce(D1, D1, list, 3);
  });

  it("run over 6 days, crash on the 4th, rerun: resumes at the 4th, every day reported once, nothing reverted", async () => {
    let crashAt: number | undefined = D1 + 3;
    const crashing: DailySource = {
      daily: async (day) => {
        if (day === crashAt) throw new Error("simulated crash");
        return csv.daily(day);
      },
    };
    const state = join(mkdtempSync(join(tmpdir(), "reporter-")), "state.json");
    await expectReject(reporter({ daily: crashing, stateFile: state }).run({ from: D1, to: D1 + 5 }), /simulated crash/);
    expect(await status(D1 + 2)).to.equal(Status.Final);
    expect(await status(D1 + 3)).to.equal(Status.None);
    expect(JSON.parse(readFileSync(state, "utf8"))).to.deep.include({ lastDay: D1 + 2, oracle });
    crashAt = undefined;

    const fresh = reporter({ daily: crashing, stateFile: state }); // a new process
    expect(await fresh.firstIncompleteDay(D1, D1 + 5)).to.equal(D1 + 3);
    const s = await fresh.run({ from: D1, to: D1 + 5 });
    expect(s).to.deep.include({ resumedAt: D1 + 3, dailySubmitted: 3, dailySkipped: 3, uptimeSubmitted: 6, txs: 6, aborted: false });
    expect(rec.lines.find((l) => l.msg === "resuming" && l.resumeAt === "2024-03-04")).to.not.equal(undefined);
    await expectExactlyOnce(D1, D1 + 5);

    const third = await reporter({ stateFile: state }).run({ from: D1, to: D1 + 5 });
    expect(third).to.deep.include({ resumedAt: undefined, txs: 0, dailySkipped: 6 });
    await expectExactlyOnce(D1, D1 + 5);
  });

  it("crash between the daily report and the uptime batch: the rerun sends only the uptime", async () => {
    let crash = true;
    const up = uptimeOf(farms);
    const crashing: UptimeSource = {
      uptime: async (day) => {
        // complete() reads the source too; crash only inside reportDay of the 2nd day, after its daily report
        if (crash && day === D1 + 1 && (await status(day)) === Status.Final) throw new Error("simulated crash");
        return up.uptime(day);
      },
    };
    await expectReject(reporter({ uptime: crashing }).run({ from: D1, to: D1 + 2 }), /simulated crash/);
    expect(await status(D1 + 1)).to.equal(Status.Final);
    crash = false;
    const s = await reporter({ uptime: crashing }).run({ from: D1, to: D1 + 2 });
    expect(s).to.deep.include({ resumedAt: D1 + 1, dailySubmitted: 1, dailySkipped: 2, uptimeSubmitted: 4, txs: 3 });
    await expectExactlyOnce(D1, D1 + 2);
  });

  it("the uptime batch is sent while the daily report is in flight (one block, daily first); a crash in between: the rerun waits for it and sends only the uptime", async () => {
    await c.rpc("evm_setAutomine", [false]);
    const inFlight = async () => {
      const a = c.submitter.account.address;
      return (await c.publicClient.getTransactionCount({ address: a, blockTag: "pending" })) - (await c.publicClient.getTransactionCount({ address: a }));
    };
    // no block is mined until both transactions of the day are in the mempool
    const day = reporter().reportDay(D1);
    while ((await inFlight()) < 2) await new Promise((r) => setTimeout(r, 20));
    await c.rpc("evm_mine");
    const r = await day;
    expect(r).to.deep.include({ daily: "submitted", uptimeSubmitted: 2 });
    const [daily, uptime] = await Promise.all(r.txs.map((hash) => c.publicClient.getTransactionReceipt({ hash })));
    expect(uptime.blockNumber).to.equal(daily.blockNumber);
    expect(daily.transactionIndex).to.be.lessThan(uptime.transactionIndex);

    // the next day: the daily report is sent, then the process dies before its uptime batch (nothing mined yet)
    let crash = true;
    const up = uptimeOf(farms);
    const crashing: UptimeSource = {
      uptime: async (d) => {
        if (crash) throw new Error("simulated crash");
        return up.uptime(d);
      },
    };
    await expectReject(reporter({ uptime: crashing }).reportDay(D1 + 1), /simulated crash/);
    expect(await inFlight()).to.equal(1);
    expect(await status(D1 + 1)).to.equal(Status.None);
    crash = false;
    // the rerun: a block is mined only a while after it starts
    const miner = setTimeout(() => void c.rpc("evm_mine"), 400);
    const mining = setInterval(() => void c.rpc("evm_mine"), 50);
    try {
      const s = await reporter({ uptime: crashing }).run({ from: D1, to: D1 + 1 });
      expect(s).to.deep.include({ resumedAt: D1 + 1, dailySubmitted: 0, dailySkipped: 2, uptimeSubmitted: 2, txs: 1 });
    } finally {
      clearTimeout(miner);
      clearInterval(mining);
    }
    await expectExactlyOnce(D1, D1 + 1);
  });

  it("hooks.sent gets the day's transactions before their receipts are awaited: a caller with automine off mines them there", async () => {
    await c.rpc("evm_setAutomine", [false]);
    const calls: `0x${string}`[][] = [];
    const r = await reporter().reportDay(D1, {
      sent: async (hashes) => {
        calls.push(hashes);
        await c.rpc("evm_mine");
      },
    });
    expect(calls).to.deep.equal([r.txs]);
    expect(r).to.deep.include({ daily: "submitted", uptimeSubmitted: 2 });
    const [daily, uptime] = await Promise.all(r.txs.map((hash) => c.publicClient.getTransactionReceipt({ hash })));
    expect(uptime.blockNumber).to.equal(daily.blockNumber);
    // nothing to send: no call
    const again = await reporter().reportDay(D1, { sent: async (hashes) => void calls.push(hashes) });
    expect(again.txs).to.deep.equal([]);
    expect(calls).to.have.length(1);
  });

  it("killed between send and receipt: the restart waits for the in-flight transaction and does not resend", async () => {
    await c.rpc("evm_setAutomine", [false]);
    // first process: its receipt never comes (no block is mined), like a kill while waiting
    await expectReject(reporter({ uptime: undefined, txTimeoutMs: 300 }).run({ from: D1, to: D1 + 2 }), /Timed out while waiting for transaction/);
    expect(await status(D1)).to.equal(Status.None); // still in the mempool
    // second process: a block is mined only a while after it starts
    const miner = setTimeout(() => void c.rpc("evm_mine"), 400);
    const mining = setInterval(() => void c.rpc("evm_mine"), 50);
    try {
      const s = await reporter({ uptime: undefined }).run({ from: D1, to: D1 + 2 });
      expect(s).to.deep.include({ resumedAt: D1 + 1, dailySubmitted: 2, dailySkipped: 1, txs: 2 });
    } finally {
      clearTimeout(miner);
      clearInterval(mining);
    }
    expect(rec.lines.some((l) => l.msg === "waiting for in-flight transactions of the submitter before reading the chain")).to.equal(true);
    await expectExactlyOnce(D1, D1 + 2, []);
  });

  it("a report that another submitter lands between our read and our send is skipped, not reverted", async () => {
    const other = await c.fundedKey();
    const { createWalletClient, custom } = await import("viem");
    const { privateKeyToAccount } = await import("viem/accounts");
    const otherWallet = createWalletClient({ chain: c.chain, transport: custom(c.provider, { retryCount: 0 }), account: privateKeyToAccount(other), pollingInterval: 20 });
    const racing: DailySource = {
      daily: async (day) => {
        const r = await csv.daily(day);
        if (day === D1 + 1) {
          const sigs = await signDailyReport(accounts, oracleDomain(c.chain.id, oracle), r);
          await c.publicClient.waitForTransactionReceipt({
            hash: await otherWallet.writeContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "submitDailyReport", args: [r, sigs] }),
          });
        }
        return r;
      },
    };
    const s = await reporter({ daily: racing, uptime: undefined }).run({ from: D1, to: D1 + 2 });
    expect(s).to.deep.include({ dailySubmitted: 2, dailySkipped: 1, txs: 2 });
    expect(rec.lines.find((l) => l.msg === "already on chain (landed meanwhile); skipped")).to.deep.include({ error: "AlreadyReported", date: "2024-03-02" });
    const { daily } = await c.reportCounts(oracle);
    expect([daily.get(D1), daily.get(D1 + 1), daily.get(D1 + 2)]).to.deep.equal([1, 1, 1]);
    expect((await submitterTxs()).every((t) => t.status === "success")).to.equal(true);
  });

  it("a day held pending by the input bounds counts as reported: not resubmitted, logged", async () => {
    // the second day's fees ×100: outside 20× the trailing median, so it waits for the guardian
    const H = dayOfDate("2024-04-19");
    const corrupt: DailySource = { daily: async (day) => ({ ...(await csv.daily(day)), ...(day === H + 1 ? { feesPerBlockSats: (await csv.daily(day)).feesPerBlockSats * 100n } : {}) }) };
    const s1 = await reporter({ daily: corrupt, uptime: undefined }).run({ from: H, to: H + 1 });
    expect(s1).to.deep.include({ dailySubmitted: 2 });
    expect(await status(H + 1)).to.equal(Status.Pending);
    const s2 = await reporter({ uptime: undefined }).run({ from: H, to: H + 1 });
    expect(s2).to.deep.include({ resumedAt: undefined, txs: 0 });
    const r = await reporter({ uptime: undefined }).reportDay(H + 1);
    expect(r).to.deep.include({ daily: "pending", txs: [] });
    expect(rec.lines.some((l) => l.msg === "daily report is pending a guardian; not resubmitted")).to.equal(true);
  });

  it("refuses to sign when its keys in the reporter set cannot reach the quorum (nothing sent)", async () => {
    const outsider = reporterKeys(1).accounts;
    await expectReject(reporter({ reporters: [accounts[0], ...outsider] }).reportDay(D1), /only 1 of the 2 reporter keys are in the oracle's reporter set; quorum is 2/);
    expect(await submitterTxs()).to.have.length(0);
    // 2 members + an outsider: the outsider does not sign, the report goes through
    expect(await reporter({ reporters: [accounts[2], ...outsider, accounts[1]] }).reportDay(D1)).to.deep.include({ daily: "submitted" });
  });

  it("the state file is only a hint: a hint the chain does not confirm, or for another oracle, is ignored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reporter-"));
    const state = join(dir, "state.json");
    await reporter({ stateFile: state, uptime: undefined }).run({ from: D1, to: D1 + 1 });
    writeFileSync(state, JSON.stringify({ chainId: c.chain.id, oracle, lastDay: D1 + 4 })); // claims more than the chain has
    const s = await reporter({ stateFile: state, uptime: undefined }).run({ from: D1, to: D1 + 6 });
    expect(s.resumedAt).to.equal(D1 + 2);
    writeFileSync(state, JSON.stringify({ chainId: c.chain.id, oracle: c.deployer, lastDay: D1 + 6 }));
    expect((await reporter({ stateFile: state, uptime: undefined }).run({ from: D1, to: D1 + 8 })).resumedAt).to.equal(D1 + 7);
    await expectExactlyOnce(D1, D1 + 8, []);
  });

  it("reports days read from Bitcoin Core (stub node): the on-chain hashprice includes the mean fees", async () => {
    const D = dayOfDate("2024-04-18");
    // consensus-valid at heights 0..519 (50 BTC, no retarget), so every day passes the oracle's input bounds
    const blocks = syntheticChain({ startTime: D * 86_400 - 5_000, count: 520, retargetHeight: 10_000, halvingHeight: 10_000, bits: ["1d00ffff", "1d00ffff"], subsidies: [5_000_000_000, 2_500_000_000] });
    const stub = await startStub(blocks);
    try {
      const source = new BitcoinCoreSource(new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass" }), new FixedPriceSource("63000"));
      const s = await reporter({ daily: source, uptime: undefined }).run({ from: D, to: D + 2 });
      expect(s.dailySubmitted).to.equal(3);
      for (let d = D; d <= D + 2; d++) {
        const want = await source.daily(d);
        expect(want.feesPerBlockSats > 0n).to.equal(true);
        const v = await c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [d] });
        expect(v).to.deep.include({ status: Status.Final, bits: want.bits, subsidySats: want.subsidySats, feesPerBlockSats: want.feesPerBlockSats, btcUsdE8: 63_000n * 10n ** 8n });
        expect(v.hashpriceE18).to.equal(hashpriceE18(want.bits, want.subsidySats, want.feesPerBlockSats));
      }
      // the next day is not over on the node: the run stops with the source's reason, nothing is sent for it
      await expectReject(reporter({ daily: source, uptime: undefined }).run({ from: D, to: D + 3 }), /has not ended on the node|confirmations/);
      expect(await status(D + 3)).to.equal(Status.None);
    } finally {
      await stub.close();
    }
  });

  it("logs a progress line every N days with days/s", async () => {
    const s = await reporter({ uptime: undefined, progressEvery: 2 }).run({ from: D1, to: D1 + 4 });
    expect(s.dailySubmitted).to.equal(5);
    const progress = rec.lines.filter((l) => l.msg === "progress");
    expect(progress.map((l) => l.done)).to.deep.equal([2, 4, 5]);
    expect(progress.every((l) => typeof l.daysPerSec === "number" && (l.daysPerSec as number) > 0 && l.of === 5)).to.equal(true);
  });
});

/** Awaits a rejection matching `re`. */
async function expectReject(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(re);
    return;
  }
  expect.fail(`expected a rejection matching ${re}`);
}
export type { Hex };
