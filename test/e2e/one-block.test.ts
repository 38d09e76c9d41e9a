/**
 * `inOneBlock` (scripts/replay/chain.ts), which the replay uses to mine a farm's funding day and the holders' day as
 * one block each: on a real `hardhat node` child process, the transactions sent inside it land in ONE block in the
 * order they were sent, also across senders when a later one spends what an earlier one gave; a reverted one makes
 * the block's mining throw, naming it; automine is on again afterwards.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import { DAY, inOneBlock, mineManually, readAll, rpc, sendTransaction, setChainTime, startNode, type LocalNode } from "../../scripts/replay/chain.js";

/** Init code of a contract whose every call reverts (runtime `PUSH1 0 PUSH1 0 REVERT`). */
const REVERTER = "0x6460006000fd6000526005601bf3";
/** Init code of an echo: every call returns its arguments (the calldata after the selector). */
const ECHO = "0x600d600c600039600d6000f3600436038060046000376000f3";
/** Init code of a flag: a call with data sets it, a call without data reverts unless it is set. */
const FLAG = "0x601880600b6000396000f336601157600054600f5760006000fd5b005b600160005500";

describe("replay: inOneBlock mines what it sent as one block", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let accounts: string[];

  before(async function () {
    node = await startNode({ port: 0, initialDay: Math.floor(Date.now() / 1000 / DAY) });
    accounts = await rpc<string[]>(node.url, "eth_accounts");
  });
  after(async function () {
    await node?.stop();
  });

  const send = (tx: Record<string, string>) => sendTransaction(node.url, { gas: "0x7a1200", ...tx });

  it("puts the transactions in one block, in the order sent, across senders", async function () {
    const deploy = await send({ from: accounts[0], data: FLAG });
    const flag = (await rpc<{ contractAddress: string }>(node.url, "eth_getTransactionReceipt", [deploy])).contractAddress;
    let unset: unknown;
    await rpc(node.url, "eth_call", [{ from: accounts[1], to: flag, data: "0x" }]).catch((e) => (unset = e));
    expect(unset, "the flag's check reverts while it is not set").to.be.an("error");
    const before = Number(await rpc<string>(node.url, "eth_blockNumber"));
    const hashes = await inOneBlock(node.url, async () => {
      // the second succeeds only after the first (another sender) set the flag
      const a = await send({ from: accounts[0], to: flag, data: "0x01" });
      const b = await send({ from: accounts[1], to: flag, data: "0x" });
      const c = await send({ from: accounts[2], to: accounts[3], value: "0x1" });
      expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(before); // nothing mined yet
      return [a, b, c];
    });
    expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(before + 1);
    const receipts = await Promise.all(hashes.map((h) => rpc<{ status: string; blockNumber: string; transactionIndex: string }>(node.url, "eth_getTransactionReceipt", [h])));
    expect(receipts.map((r) => r.status)).to.deep.equal(["0x1", "0x1", "0x1"]);
    expect(receipts.map((r) => Number(r.blockNumber))).to.deep.equal([before + 1, before + 1, before + 1]);
    expect(receipts.map((r) => Number(r.transactionIndex))).to.deep.equal([0, 1, 2]);
    // automine is back on: a transaction is mined when its send returns. The block got the timestamp automine
    // would have given its last transaction (one second per transaction), and the clock goes on from there
    const h = await send({ from: accounts[0], to: accounts[1], value: "0x1" });
    const r = await rpc<{ blockNumber: string } | null>(node.url, "eth_getTransactionReceipt", [h]);
    expect(r).to.not.equal(null);
    const ts = async (n: number) => Number((await rpc<{ timestamp: string }>(node.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).timestamp);
    expect(await ts(before + 1)).to.equal((await ts(before)) + 3);
    expect(await ts(before + 2)).to.equal((await ts(before + 1)) + 1);
  });

  it("fits 20 transactions at the replay's 8M gas limit in one block", async function () {
    const before = Number(await rpc<string>(node.url, "eth_blockNumber"));
    await inOneBlock(node.url, async () => {
      for (let i = 0; i < 20; i++) await send({ from: accounts[i % 4], to: accounts[5], value: "0x1" });
    });
    expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(before + 1);
  });

  it("flush() mines what was sent so far; the rest is the next block", async function () {
    const before = Number(await rpc<string>(node.url, "eth_blockNumber"));
    await inOneBlock(node.url, async (flush) => {
      await send({ from: accounts[0], to: accounts[1], value: "0x1" });
      await flush();
      expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(before + 1);
      await send({ from: accounts[0], to: accounts[1], value: "0x1" });
    });
    expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(before + 2);
  });

  it("throws naming a reverted transaction, leaves nothing pending and automine on", async function () {
    const deploy = await send({ from: accounts[0], data: REVERTER });
    const reverter = (await rpc<{ contractAddress: string }>(node.url, "eth_getTransactionReceipt", [deploy])).contractAddress;
    let failing = "";
    let error: unknown;
    try {
      await inOneBlock(node.url, async () => {
        await send({ from: accounts[0], to: accounts[1], value: "0x1" });
        failing = await send({ from: accounts[0], to: reverter, data: "0x12345678" });
      });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/reverted in block \d+/).and.to.include(failing);
    const pending = await rpc<{ transactions: string[] }>(node.url, "eth_getBlockByNumber", ["pending", false]);
    expect(pending.transactions).to.deep.equal([]);
    const h = await send({ from: accounts[0], to: accounts[1], value: "0x1" });
    expect(await rpc(node.url, "eth_getTransactionReceipt", [h])).to.not.equal(null);
  });

  it("mineManually: every block mined by the replay at automine's timestamps; automine back on after", async function () {
    const ts = async (n: number | string) => Number((await rpc<{ timestamp: string }>(node.url, "eth_getBlockByNumber", [typeof n === "number" ? `0x${n.toString(16)}` : n, false])).timestamp);
    const day = Math.floor((await ts("latest")) / DAY) + 1;
    await mineManually(node.url, true);
    try {
      await setChainTime(node.url, day);
      const start = Number(await rpc<string>(node.url, "eth_blockNumber"));
      expect(await ts(start)).to.equal(day * DAY + 1);
      const alone = await send({ from: accounts[0], to: accounts[1], value: "0x1" }); // mined at once, its own block
      expect(await rpc(node.url, "eth_getTransactionReceipt", [alone])).to.not.equal(null);
      await inOneBlock(node.url, async () => {
        for (let i = 0; i < 3; i++) await send({ from: accounts[0], to: accounts[1], value: "0x1" });
      });
      expect(Number(await rpc<string>(node.url, "eth_blockNumber"))).to.equal(start + 2);
      expect([await ts(start + 1), await ts(start + 2)]).to.deep.equal([day * DAY + 2, day * DAY + 5]);
    } finally {
      await mineManually(node.url, false);
    }
    const h = await send({ from: accounts[0], to: accounts[1], value: "0x1" });
    expect(await rpc(node.url, "eth_getTransactionReceipt", [h])).to.not.equal(null);
  });

  it("refuses to nest", async function () {
    let error: unknown;
    await inOneBlock(node.url, async () => {
      await inOneBlock(node.url, async () => {}).catch((e) => (error = e));
    });
    expect(String(error)).to.include("already inside a block");
  });
  it("readAll reads several views in one batch, decoded as the contract's methods return them; a revert throws", async function () {
    const deployed = async (data: string) => {
      const h = await send({ from: accounts[0], data });
      return (await rpc<{ contractAddress: string }>(node.url, "eth_getTransactionReceipt", [h])).contractAddress;
    };
    const abi = new Interface(["function one(uint256 a) view returns (uint256)", "function two(uint256 a, uint256 b) view returns (uint256 x, uint256 y)"]);
    const echo = { interface: abi, target: await deployed(ECHO) };
    const [one, two] = await readAll(node.url, [[echo, "one", [7n]], [echo, "two", [1n, 2n]]]);
    expect(one).to.equal(7n); // one output: the value
    expect([two.x, two.y]).to.deep.equal([1n, 2n]); // several: the named tuple
    const reverter = { interface: abi, target: await deployed(REVERTER) };
    const e = await readAll(node.url, [[echo, "one", [1n]], [reverter, "one", [1n]]]).then(() => null, (x: Error) => x);
    expect(e?.message).to.match(/^eth_call: /);
  });
});
