/**
 * `npm run data` (scripts/data/build.ts) against the stub Bitcoin Core server: the files it writes load with the
 * project's loader and hold, per day, the blocks dated by median-time-past, their fee sum, and the bits and
 * subsidy of the day's last block; a rerun resumes after the last complete day, also after a half-written day.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDays } from "../../domain/data.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { dateOfDay, dayOfDate } from "../../domain/units.js";
import { buildData } from "../../scripts/data/build.js";
import { BitcoinRpc } from "../../cli/reporter/bitcoind.js";
import { type Stub, type StubBlock, startStub, syntheticChain } from "./bitcoind-stub.js";

describe("data builder (npm run data) against a stub Bitcoin Core node", () => {
  const D = dayOfDate("2024-04-18");
  let blocks: StubBlock[];
  let stub: Stub;
  let dir: string;
  let prices: string;
  const rpc = () => new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass" });
  /** The stub's mediantime is the header time: the day's blocks by brute force. */
  const blocksOf = (d: number) => blocks.filter((b) => b.time >= d * 86_400 && b.time < (d + 1) * 86_400);

  beforeEach(async () => {
    // retarget at 2016 (a real retarget height) inside day D+1; 50 BTC → 25 BTC at 2,100 (a synthetic halving) in D+2
    blocks = syntheticChain({ startTime: D * 86_400 - 5_000, count: 2_400, retargetHeight: 2_016, halvingHeight: 2_100, bits: ["1d00ffff", "1c7fff80"], subsidies: [5_000_000_000, 2_500_000_000] });
    const shift = blocks[1_950].time - (D + 1) * 86_400; // height 1,950 opens day D+1
    blocks = blocks.map((b) => ({ ...b, time: b.time - shift }));
    stub = await startStub(blocks);
    dir = mkdtempSync(join(tmpdir(), "hashpower-build-"));
    prices = join(dir, "prices.csv");
    writeFileSync(prices, ["date,price_usd", ...[-1, 0, 1, 2, 3].map((i) => `${dateOfDay(D + i)},${64_000 + i}.5`)].join("\n") + "\n");
  });
  afterEach(async () => {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes the four files; the loader reads them with heights, fees per block, bits and subsidy per day", async () => {
    const out = join(dir, "out");
    const progress: string[] = [];
    const s = await buildData({ rpc: rpc(), from: dateOfDay(D), to: dateOfDay(D + 2), out, prices, onProgress: (l) => progress.push(l) });
    expect(s).to.deep.include({ days: 3, skipped: 0 });
    expect(progress).to.have.length(3);
    expect(progress[2]).to.match(/\[3\/3\].*days\/s/);
    const days = loadDays(out);
    expect(days.size).to.equal(3);
    for (let d = D; d <= D + 2; d++) {
      const mine = blocksOf(d);
      const x = days.get(d)!;
      const last = mine[mine.length - 1];
      const fees = mine.reduce((a, b) => a + BigInt(b.totalfee), 0n);
      expect([x.firstHeight, x.blocks, x.feesSats]).to.deep.equal([mine[0].height, mine.length, fees]);
      expect(x.bits).to.equal(Number.parseInt(last.bits, 16));
      expect(x.subsidySats).to.equal(BigInt(last.subsidy));
      expect(x.btcUsdE8).to.equal(BigInt(64_000 + (d - D)) * 10n ** 8n + 50_000_000n);
      expect(x.hashpriceE18).to.equal(hashpriceE18(x.bits, x.subsidySats, fees / BigInt(mine.length)));
    }
    expect(readFileSync(join(out, "btc_epochs.csv"), "utf8")).to.match(/\n1,2016,[^,]+,bitcoind_header,0x1c7fff80,/);
  });

  it("resumes after the last complete day, dropping a half-written one", async () => {
    const out = join(dir, "out");
    await buildData({ rpc: rpc(), from: dateOfDay(D), to: dateOfDay(D + 2), out, prices });
    const whole = ["btc_fees_daily.csv", "btc_difficulty_daily.csv", "btc_epochs.csv"].map((f) => readFileSync(join(out, f), "utf8"));
    // a kill between the two appends of day D+2: the fees file has it, the difficulty file does not
    const diff = join(out, "btc_difficulty_daily.csv");
    writeFileSync(diff, readFileSync(diff, "utf8").trim().split("\n").slice(0, -1).join("\n") + "\n");
    stub.calls.length = 0;
    const s = await buildData({ rpc: rpc(), from: dateOfDay(D), to: dateOfDay(D + 2), out, prices });
    expect(s).to.deep.include({ skipped: 2 });
    expect(stub.calls.filter((c) => c === "getblockstats").length).to.equal(blocksOf(D + 2).length + 1); // only D+2
    expect(["btc_fees_daily.csv", "btc_difficulty_daily.csv", "btc_epochs.csv"].map((f) => readFileSync(join(out, f), "utf8"))).to.deep.equal(whole);
  });

  it("refuses a day the node has not buried under 6 blocks, after writing the days before it", async () => {
    const out = join(dir, "out");
    stub.tip = blocksOf(D + 1)[0].height + 5; // day D's last block has 7 confirmations, day D+1 has not ended
    const progress: string[] = [];
    const e = await buildData({ rpc: rpc(), from: dateOfDay(D), to: dateOfDay(D + 1), out, prices, onProgress: (l) => progress.push(l) }).then(() => null, (x: Error) => x);
    expect(e?.message).to.match(new RegExp(`${dateOfDay(D + 1)} is not buried under 6 blocks`));
    expect(progress).to.have.length(1);
  });
});
