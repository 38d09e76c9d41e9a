import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { dayOfDate, formatScaled } from "../../domain/units.js";
import { BitcoinCoreSource, BitcoinRpc, BitcoinRpcError } from "../../cli/reporter/bitcoind.js";
import { CsvSource, FixedPriceSource, uptimeFromFile, uptimeFromRecords } from "../../cli/reporter/sources.js";
import { type Stub, type StubBlock, startStub, syntheticChain } from "./bitcoind-stub.js";

/** Hashprice in sats/TH/day rounded to 2 decimals, as the data README prints it. */
const rounded2 = (e18: bigint) => formatScaled(((e18 + 5n * 10n ** 15n) / 10n ** 16n) * 10n ** 16n, 18, 2);

describe("reporter sources", () => {
  describe("CsvSource (../shared/data)", () => {
    const csv = new CsvSource();
    // ../shared/data/README.md "Checks": without fees, and with the day's fees per block
    for (const [date, noFees, withFees] of [
      ["2021-01-01", "675.97", "711.29"],
      ["2024-04-19", "145.54", "173.28"],
      ["2024-04-20", "72.77", "288.88"],
      ["2025-12-31", "42.40", "42.71"],
    ]) {
      it(`${date} → ${withFees} sats/TH/day (${noFees} without fees)`, async () => {
        const r = await csv.daily(dayOfDate(date));
        expect(r.day).to.equal(dayOfDate(date));
        expect(r.feesPerBlockSats > 0n).to.equal(true);
        expect(rounded2(hashpriceE18(r.bits, r.subsidySats, 0n))).to.equal(noFees);
        expect(rounded2(hashpriceE18(r.bits, r.subsidySats, r.feesPerBlockSats))).to.equal(withFees);
      });
    }

    it("gives the day's heights: block 840,000 (the halving) is in 2024-04-19 (Coin Metrics dates by median-time-past)", async () => {
      const a = await csv.daily(dayOfDate("2024-04-19"));
      const b = await csv.daily(dayOfDate("2024-04-20"));
      expect([a.firstHeight, a.blocks, b.firstHeight, b.blocks]).to.deep.equal([839_853, 151, 840_004, 130]);
      expect(a.firstHeight + a.blocks).to.equal(b.firstHeight);
      // 37.6 BTC of fees in block 840,000 alone: the day's mean is 1.19 BTC per block
      expect(a.feesPerBlockSats).to.equal(119_123_567n);
    });

    it("takes the Coin Metrics reference rate as BTC/USD × 1e8, and the halving's subsidy", async () => {
      expect((await csv.daily(dayOfDate("2024-04-19"))).btcUsdE8).to.equal(63_762_63103009n);
      expect(await csv.btcUsdE8(dayOfDate("2024-04-19"))).to.equal(63_762_63103009n);
      expect((await csv.daily(dayOfDate("2024-04-19"))).subsidySats).to.equal(625_000_000n);
      expect((await csv.daily(dayOfDate("2024-04-20"))).subsidySats).to.equal(312_500_000n);
      expect((await csv.daily(dayOfDate("2009-01-03"))).btcUsdE8).to.equal(0n); // before any price
    });

    it("rejects a day outside the data, naming the date", async () => {
      await expectReject(csv.daily(dayOfDate("2030-01-01")), /no row for 2030-01-01/);
    });

    it("FixedPriceSource parses a decimal price exactly", async () => {
      expect(await new FixedPriceSource("65000.12345678").btcUsdE8()).to.equal(6_500_012_345_678n);
    });
  });

  describe("uptime sources", () => {
    const farm = "0x00000000000000000000000000000000000000aa";
    it("reads CSV and JSON files and groups by day", async () => {
      const dir = mkdtempSync(join(tmpdir(), "uptime-"));
      writeFileSync(join(dir, "u.csv"), `farm,date,uptime_bps\n${farm},2024-01-01,9950\n0x00000000000000000000000000000000000000bb,2024-01-01,10000\n${farm},2024-01-02,0\n`);
      writeFileSync(join(dir, "u.json"), JSON.stringify([{ farm, date: "2024-01-01", uptimeBps: 9950 }]));
      const csv = uptimeFromFile(join(dir, "u.csv"));
      expect(await csv.uptime(dayOfDate("2024-01-01"))).to.have.length(2);
      expect(await csv.uptime(dayOfDate("2024-01-02"))).to.deep.equal([{ farm: "0x00000000000000000000000000000000000000AA", uptimeBps: 0 }]);
      expect(await csv.uptime(dayOfDate("2024-01-03"))).to.deep.equal([]);
      expect(await uptimeFromFile(join(dir, "u.json")).uptime(dayOfDate("2024-01-01"))).to.have.length(1);
    });

    it("rejects bad records naming the record and field", () => {
      expect(() => uptimeFromRecords([{ farm, date: "2024-01-01", uptimeBps: 10_001 }])).to.throw(/record 1: uptimeBps/);
      expect(() => uptimeFromRecords([{ farm: "0x12", date: "2024-01-01", uptimeBps: 1 }])).to.throw(/record 1: farm: not an address/);
      expect(() => uptimeFromRecords([{ farm, date: "2024-01-01", uptimeBps: 1 }, { farm, date: "2024-01-01", uptimeBps: 2 }])).to.throw(/record 2: duplicate/);
    });
  });

  describe("BitcoinCoreSource against a stub Bitcoin Core JSON-RPC server", () => {
    const D = dayOfDate("2024-04-18");
    const dayStart = (d: number) => d * 86_400;
    let blocks: StubBlock[];
    let stub: Stub;
    const price = new FixedPriceSource("64000");
    const source = () => new BitcoinCoreSource(new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass" }), price);
    /** The day's blocks by brute force (valid where header times are ordered around the day's boundaries). */
    const blocksOf = (d: number) => blocks.filter((b) => b.time >= dayStart(d) && b.time < dayStart(d + 1));

    beforeEach(async () => {
      blocks = syntheticChain({ startTime: dayStart(D) - 5_000, count: 520, retargetHeight: 200, halvingHeight: 350, bits: ["17034219", "17033d2a"] });
      // a header time out of order in the middle of day D+1 (allowed by consensus: only > median of the last 11)
      blocks[230].time = blocks[229].time - 300;
      stub = await startStub(blocks);
    });
    afterEach(() => stub.close());

    it("the synthetic chain puts the retarget on D+1 and the halving on D+2", () => {
      expect(blocksOf(D + 1)[0].height).to.be.lessThan(200);
      expect(blocksOf(D + 1).at(-1)!.height).to.be.greaterThan(230);
      expect(blocksOf(D + 2)[0].height).to.be.lessThan(350);
      expect(blocksOf(D + 2).at(-1)!.height).to.be.greaterThan(350);
    });

    for (const offset of [0, 1, 2]) {
      it(`day D+${offset}: the day's blocks by header time, bits and subsidy of its last block, mean fees`, async () => {
        const day = D + offset;
        const mine = blocksOf(day);
        const src = source();
        const { first, end } = await src.blocksOfDay(day);
        expect([first, end]).to.deep.equal([mine[0].height, mine.at(-1)!.height + 1]);
        const r = await src.daily(day);
        const last = mine.at(-1)!;
        expect(r).to.deep.equal({
          day,
          firstHeight: mine[0].height,
          blocks: mine.length,
          bits: Number.parseInt(last.bits, 16),
          subsidySats: BigInt(last.subsidy),
          feesPerBlockSats: mine.reduce((s, b) => s + BigInt(b.totalfee), 0n) / BigInt(mine.length),
          btcUsdE8: 64_000n * 10n ** 8n,
        });
      });
    }

    it("takes the new bits on a retarget day and the new subsidy on a halving day", async () => {
      expect((await source().daily(D + 1)).bits).to.equal(0x17033d2a);
      expect((await source().daily(D)).bits).to.equal(0x17034219);
      expect((await source().daily(D + 2)).subsidySats).to.equal(312_500_000n);
      expect((await source().daily(D + 1)).subsidySats).to.equal(625_000_000n);
    });

    it("requires 6 confirmations on the day's last block, and a block after the day", async () => {
      const last = blocksOf(D + 1).at(-1)!.height;
      stub.tip = last; // the day may not be over on the node
      await expectReject(source().daily(D + 1), /has not ended on the node/);
      stub.tip = last + 4; // 5 confirmations
      await expectReject(source().daily(D + 1), /height \d+\) has 5 confirmations, needs 6/);
      stub.tip = last + 5; // 6 confirmations
      expect((await source().daily(D + 1)).bits).to.equal(0x17033d2a);
      // a stricter node setting
      const strict = new BitcoinCoreSource(new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass" }), price, { minConfirmations: 7 });
      await expectReject(strict.daily(D + 1), /6 confirmations, needs 7/);
    });

    it("finds the same boundary whatever the tip, even with a header time out of order across midnight", async () => {
      const firstOfD1 = blocksOf(D + 1)[0].height;
      blocks[firstOfD1 + 1].time = dayStart(D + 1) - 10; // after a block of D+1, a header dated D
      stub.tip = 400;
      const a = await source().blocksOfDay(D);
      const ra = await source().daily(D);
      stub.tip = 519;
      const b = await source().blocksOfDay(D);
      expect({ first: b.first, end: b.end }).to.deep.equal({ first: a.first, end: a.end });
      expect(await source().daily(D)).to.deep.equal(ra);
    });

    it("rejects a day before the chain's first block, or with no later block", async () => {
      expect(blocksOf(D - 1)).to.not.be.empty; // the chain starts late on D-1
      await expectReject(source().daily(D - 2), /before the genesis block/);
      await expectReject(source().daily(D + 10), /has not ended on the node/);
    });

    describe("RPC errors", () => {
      it("bad credentials: HTTP 401, not retried", async () => {
        const rpc = new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "wrong", retries: 3 });
        const t0 = Date.now();
        const e = await expectReject(rpc.call("getblockchaininfo"), /getblockchaininfo: HTTP 401: bad RPC credentials/);
        expect(e).to.be.instanceOf(BitcoinRpcError);
        expect(Date.now() - t0).to.be.lessThan(150); // no backoff
      });

      it("credentials in the URL and a cookie file both work", async () => {
        const u = new URL(stub.url);
        u.username = "rpcuser";
        u.password = "rpcpass";
        expect((await new BitcoinRpc({ url: u.toString() }).call<{ blocks: number }>("getblockchaininfo")).blocks).to.equal(519);
        const dir = mkdtempSync(join(tmpdir(), "cookie-"));
        writeFileSync(join(dir, ".cookie"), "rpcuser:rpcpass");
        expect((await new BitcoinRpc({ url: stub.url, cookieFile: join(dir, ".cookie") }).call<{ blocks: number }>("getblockchaininfo")).blocks).to.equal(519);
      });

      it("JSON-RPC errors carry Bitcoin Core's code and message", async () => {
        const rpc = new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass" });
        const e1 = await expectReject(rpc.call("getblockhash", [10_000]), /getblockhash: Block height out of range \(code -8\)/);
        expect((e1 as BitcoinRpcError).code).to.equal(-8);
        const e2 = await expectReject(rpc.call("getbestblockhashh"), /Method not found \(code -32601\)/);
        expect((e2 as BitcoinRpcError).code).to.equal(-32601);
        await expectReject(rpc.call("getblockheader", ["00".repeat(32), true]), /Block not found \(code -5\)/);
      });

      it("retries transient HTTP 5xx without a JSON-RPC body, then gives up", async () => {
        const rpc = (retries: number) => new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass", retries });
        stub.faults.push({ status: 502, body: "<html>bad gateway</html>" }, { status: 503, body: "busy" });
        expect((await rpc(2).call<{ blocks: number }>("getblockchaininfo")).blocks).to.equal(519);
        stub.faults.push({ status: 502, body: "<html>bad gateway</html>" }, { status: 502, body: "<html>bad gateway</html>" });
        await expectReject(rpc(1).call("getblockchaininfo"), /HTTP 502: response is not JSON/);
      });

      it("a refused connection is a BitcoinRpcError naming the method", async () => {
        await stub.close();
        const rpc = new BitcoinRpc({ url: stub.url, username: "rpcuser", password: "rpcpass", retries: 0 });
        await expectReject(rpc.call("getblockchaininfo"), /bitcoind getblockchaininfo: fetch failed: .*ECONNREFUSED/);
        stub = await startStub(blocks); // for afterEach
      });

      it("an RPC failure in the middle of a day's stats fails the day (nothing half-read is returned)", async () => {
        const pruned = JSON.stringify({ result: null, error: { code: -1, message: "Block not available (pruned data)" }, id: 1 });
        stub.faults.push({ method: "getblockstats", status: 500, body: pruned });
        await expectReject(source().daily(D + 1), /getblockstats: Block not available \(pruned data\) \(code -1\)/);
        expect(stub.faults).to.be.empty;
      });
    });
  });
});

/** Awaits a rejection matching `re` and returns the error. */
async function expectReject(p: Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(re);
    return e as Error;
  }
  expect.fail(`expected a rejection matching ${re}`);
}
