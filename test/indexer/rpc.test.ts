/**
 * The sync's JSON-RPC transport (`indexer/sync/rpc.ts`, node:http with keep-alive): answers equal the node's own
 * (a real Hardhat node), batches come back in request order, and every failure carries what `classifyRpcError` needs
 * (JSON-RPC error code and message, HTTP status, timeout, dropped connection). `flaky-rpc.test.ts` runs the whole
 * sync through the same faults.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcError, RpcTransportError, classifyRpcError, createRpc, createTransport } from "../../indexer/sync/rpc.js";
import { createLogger } from "../../indexer/ops/logger.js";
import { createMetrics } from "../../indexer/ops/metrics.js";
import { rpc as plainRpc, sharedNode } from "./helpers/env.js";

/** A local HTTP server answering every request with `answer(body)`; closed by the returned function. */
async function fakeNode(answer: (body: any, res: import("node:http").ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", () => answer(JSON.parse(text), res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

/** What `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("indexer JSON-RPC transport", function () {
  this.timeout(60_000);

  it("answers as the node does and batches in request order", async function () {
    const node = await sharedNode();
    const t = createTransport(node.url, 5_000);
    expect(await t.call("eth_chainId", [])).to.equal(await plainRpc(node.url, "eth_chainId"));
    const head = Number(await t.call("eth_blockNumber", []));
    const ns = Array.from({ length: head + 1 }, (_, i) => `0x${(head - i).toString(16)}`); // newest first
    const batch = (await t.batch(ns.map((n) => ({ method: "eth_getBlockByNumber", params: [n, false] })))) as any[];
    expect(batch.map((b) => b.number)).to.deep.equal(ns);
    for (const [i, n] of ns.entries()) expect(batch[i]).to.deep.equal(await plainRpc(node.url, "eth_getBlockByNumber", [n, false]));
    expect(await t.call("eth_getBlockByNumber", [`0x${(head + 1000).toString(16)}`, false])).to.equal(null);

    const r = createRpc({ url: node.url, timeoutMs: 5_000, maxRetries: 0, backoffMs: 1, maxBackoffMs: 1 }, createLogger("silent"), createMetrics());
    const headers = await r.getBlocks(Array.from({ length: 450 }, (_, i) => i % (head + 1))); // three batches of ≤ 200
    expect(headers.map((h) => h?.number)).to.deep.equal(Array.from({ length: 450 }, (_, i) => i % (head + 1)));
    expect((await r.getBlock(head))?.hash).to.equal(batch[0].hash);
  });

  it("reads an answer with non-ASCII bytes as UTF-8, split across chunks", async function () {
    const message = "réservé ünïcödé ✓ 𝔥"; // 2-, 3- and 4-byte characters
    const server = await fakeNode((body, res) => {
      const bytes = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: { message, pad: "x".repeat(200_000) } }));
      res.writeHead(200, { "content-type": "application/json" });
      // written in pieces that cut a multi-byte character in two
      const cut = bytes.indexOf(Buffer.from("✓")) + 1;
      res.write(bytes.subarray(0, cut));
      setTimeout(() => res.end(bytes.subarray(cut)), 20);
    });
    try {
      const t = createTransport(server.url, 5_000);
      expect(((await t.call("anything", [])) as any).message).to.equal(message);
    } finally {
      await server.close();
    }
  });

  it("gives every failure the fields its classification reads", async function () {
    const server = await fakeNode((body, res) => {
      const method = Array.isArray(body) ? "batch" : body.method;
      if (method === "eth_getLogs") return res.end(JSON.stringify({ jsonrpc: "2.0", id: body.id, error: { code: -32005, message: "query returned more than 10000 results" } }));
      if (method === "eth_chainId") return void res.writeHead(429, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: 429, message: "Too Many Requests" } }));
      if (method === "eth_blockNumber") return void res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
      if (method === "eth_getBlockByNumber") return res.socket!.destroy(); // dropped
      if (method === "batch") return res.end(JSON.stringify([{ jsonrpc: "2.0", id: body[1].id, result: "0x2" }, { jsonrpc: "2.0", id: body[0].id, error: { code: -32000, message: "header not found" } }]));
      // eth_call: held past the client's timeout
    });
    try {
      const t = createTransport(server.url, 300);
      const range = await rejection(t.call("eth_getLogs", [{}]));
      expect(range).to.be.instanceOf(RpcTransportError).and.to.include({ code: -32005 });
      expect(classifyRpcError(range)).to.equal("range");
      const limited = await rejection(t.call("eth_chainId", []));
      expect(limited).to.include({ status: 429 });
      expect(classifyRpcError(limited)).to.equal("rate_limit");
      const server500 = await rejection(t.call("eth_blockNumber", []));
      expect(server500).to.include({ status: 500 });
      expect(classifyRpcError(server500)).to.equal("server");
      expect(classifyRpcError(await rejection(t.call("eth_getBlockByNumber", ["0x1", false])))).to.equal("network");
      const started = Date.now();
      const timedOut = await rejection(t.call("eth_call", []));
      expect(timedOut.name).to.equal("TimeoutError");
      expect(classifyRpcError(timedOut)).to.equal("timeout");
      expect(Date.now() - started).to.be.lessThan(3_000);
      // answers are matched by id, and an error of one call of a batch fails the batch
      const failed = await rejection(t.batch([{ method: "eth_blockNumber", params: [] }, { method: "eth_chainId", params: [] }]));
      expect(failed).to.include({ code: -32000 });
      expect(failed.message).to.include("header not found");
      // the client wraps them with their kind, and does not retry a range refusal
      const r = createRpc({ url: server.url, timeoutMs: 300, maxRetries: 2, backoffMs: 1, maxBackoffMs: 1 }, createLogger("silent"), createMetrics());
      const e = await rejection(r.getLogs(0, 10, null));
      expect(e).to.be.instanceOf(RpcError).and.to.include({ kind: "range", method: "eth_getLogs" });
    } finally {
      await server.close();
    }
  });
});
