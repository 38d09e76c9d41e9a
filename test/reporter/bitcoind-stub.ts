/**
 * A stub Bitcoin Core JSON-RPC server (node:http on 127.0.0.1, port 0) over a synthetic chain, answering like
 * Bitcoin Core: JSON-RPC 1.0 envelopes, HTTP 401 with an empty body on bad credentials, HTTP 500 with an error
 * body on RPC errors (-8 height out of range, -5 block not found), HTTP 404 on an unknown method.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One synthetic block. */
export interface StubBlock {
  height: number;
  hash: string;
  /** header time, unix seconds */
  time: number;
  /** compact target, 8 hex digits */
  bits: string;
  /** sats */
  subsidy: number;
  /** sats */
  totalfee: number;
}

/** Deterministic pseudo-random integers in [0, n). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/**
 * `count` blocks starting at `startTime`, ~10 min apart (±4 min jitter); bits switch from `bits[0]` to
 * `bits[1]` at `retargetHeight`; subsidy `subsidies[0]` (default 6.25 BTC) switches to `subsidies[1]` (default
 * 3.125 BTC) at `halvingHeight`; fees vary per block. Heights start at 0, so only `subsidies` 50/25 BTC and no
 * retarget inside the chain are consensus-valid (what the oracle's input bounds check).
 */
export function syntheticChain(opts: {
  startTime: number;
  count: number;
  retargetHeight: number;
  halvingHeight: number;
  bits: [string, string];
  subsidies?: [number, number];
}): StubBlock[] {
  const [s0, s1] = opts.subsidies ?? [625_000_000, 312_500_000];
  const rnd = lcg(42);
  const blocks: StubBlock[] = [];
  let time = opts.startTime;
  for (let h = 0; h < opts.count; h++) {
    if (h > 0) time += 360 + rnd(480);
    blocks.push({
      height: h,
      hash: h.toString(16).padStart(64, "0").replace(/^00/, "ab"),
      time,
      bits: h < opts.retargetHeight ? opts.bits[0] : opts.bits[1],
      subsidy: h < opts.halvingHeight ? s0 : s1,
      totalfee: 1_000_000 + rnd(50_000_000),
    });
  }
  return blocks;
}

/** A running stub; `tip` (height) may be moved to simulate a growing chain. */
export interface Stub {
  url: string;
  tip: number;
  /** methods called, in order */
  calls: string[];
  /** responses served instead of the real ones, in order: to the next call (of `method`, if given) */
  faults: { method?: string; status: number; body: string }[];
  close(): Promise<void>;
}

/** Starts the stub over `blocks` (tip = last block) with credentials `user:password`. */
export async function startStub(blocks: StubBlock[], user = "rpcuser", password = "rpcpass"): Promise<Stub> {
  const byHash = new Map(blocks.map((b) => [b.hash, b]));
  const expected = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
  const stub: Stub = { url: "", tip: blocks.length - 1, calls: [], faults: [], close: async () => {} };

  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { id, method, params = [] } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      const f = stub.faults.findIndex((x) => x.method === undefined || x.method === method);
      if (f >= 0) {
        const [fault] = stub.faults.splice(f, 1);
        res.writeHead(fault.status, { "content-type": "text/html" }).end(fault.body);
        return;
      }
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end();
        return;
      }
      stub.calls.push(method);
      const reply = (status: number, result: unknown, error: { code: number; message: string } | null = null) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ result, error, id }));
      const fail = (status: number, code: number, message: string) => reply(status, null, { code, message });
      const tip = stub.tip;
      const active = (b: StubBlock | undefined) => (b && b.height <= tip ? b : undefined);
      switch (method) {
        case "getblockchaininfo":
          return reply(200, { chain: "regtest", blocks: tip, headers: tip, bestblockhash: blocks[tip].hash });
        case "getblockhash": {
          const h = params[0] as number;
          if (!Number.isInteger(h) || h < 0 || h > tip) return fail(500, -8, "Block height out of range");
          return reply(200, blocks[h].hash);
        }
        case "getblockheader": {
          const b = active(byHash.get(params[0] as string));
          if (!b) return fail(500, -5, "Block not found");
          return reply(200, { hash: b.hash, confirmations: tip - b.height + 1, height: b.height, version: 0x20000000, time: b.time, mediantime: b.time, nonce: 0, bits: b.bits, nTx: 1 });
        }
        case "getblockstats": {
          const key = params[0];
          const b = active(typeof key === "number" ? blocks[key] : byHash.get(key as string));
          if (!b) return fail(500, typeof key === "number" ? -8 : -5, typeof key === "number" ? "Target block height after current tip" : "Block not found");
          const all: Record<string, unknown> = { height: b.height, blockhash: b.hash, time: b.time, subsidy: b.subsidy, totalfee: b.totalfee, txs: 1 };
          const wanted = params[1] as string[] | undefined;
          return reply(200, wanted ? Object.fromEntries(wanted.map((k) => [k, all[k]])) : all);
        }
        default:
          return fail(404, -32601, "Method not found");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  stub.close = () => new Promise((r) => server.close(() => r()));
  return stub;
}
