/**
 * A small JSON-RPC proxy (node:http on 127.0.0.1) between an indexer and the node that misbehaves on purpose:
 * added latency, dropped connections, requests held past the client's timeout, HTTP 500 and 429 answers, an
 * `eth_getLogs` block-range limit answered like a hosted provider, a stall (every request held), and lies: `lie`
 * rewrites the result of any call (drop logs of a range, fake a block hash, a stale head). It counts every fault.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Rng } from "./system.js";

/** Fault probabilities (per request) and limits. */
export interface Faults {
  /** latency added to every request, ms: uniform in [min, max] */
  delayMs?: [number, number];
  drop?: number;
  /** held for `hangMs` then dropped (the client times out first) */
  hang?: number;
  hangMs?: number;
  http500?: number;
  http429?: number;
  /** eth_getLogs spanning more blocks than this is refused (-32005, "query returned more than 10000 results") */
  maxLogRange?: number;
  /** every request is held for `hangMs` and dropped (a stalled node) */
  stall?: boolean;
  /** rewrites the result of a call (`params` as sent); return `result` unchanged to pass it through */
  lie?: (method: string, params: any[], result: any) => any;
  /** sees each call (each of a batch) as it arrives, before any fault */
  observe?: (method: string, params: any[]) => void;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the proxy in front of `target` (`rng` draws the faults). */
export async function startProxy(target: string, faults: Faults, rng: Rng) {
  const counts = { requests: 0, drop: 0, hang: 0, http500: 0, http429: 0, rangeRefused: 0, stalled: 0, lies: 0 };
  const server = createServer(async (req, res) => {
    const text = await body(req);
    counts.requests++;
    if (faults.observe) for (const q of [JSON.parse(text)].flat()) faults.observe(q.method, q.params ?? []);
    const [lo, hi] = faults.delayMs ?? [0, 0];
    if (hi > 0) await new Promise((r) => setTimeout(r, lo + rng.next() * (hi - lo)));
    if (faults.stall) {
      counts.stalled++;
      setTimeout(() => req.socket.destroy(), faults.hangMs ?? 3_000);
      return;
    }
    const roll = rng.next();
    let p = 0;
    if (roll < (p += faults.drop ?? 0)) {
      counts.drop++;
      return req.socket.destroy();
    }
    if (roll < (p += faults.hang ?? 0)) {
      counts.hang++;
      setTimeout(() => req.socket.destroy(), faults.hangMs ?? 3_000);
      return;
    }
    if (roll < (p += faults.http500 ?? 0)) {
      counts.http500++;
      res.writeHead(500, { "content-type": "text/plain" });
      return res.end("internal error");
    }
    if (roll < (p += faults.http429 ?? 0)) {
      counts.http429++;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
      return res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: 429, message: "Too Many Requests" } }));
    }
    const msg = JSON.parse(text);
    if (faults.maxLogRange !== undefined && !Array.isArray(msg) && msg.method === "eth_getLogs") {
      const { fromBlock, toBlock } = msg.params[0];
      if (Number(toBlock) - Number(fromBlock) + 1 > faults.maxLogRange) {
        counts.rangeRefused++;
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32005, message: "query returned more than 10000 results" } }));
      }
    }
    try {
      const up = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: text });
      let out = await up.text();
      if (faults.lie && up.ok) {
        const answers = JSON.parse(out);
        const reqs = Array.isArray(msg) ? msg : [msg];
        const list = Array.isArray(answers) ? answers : [answers];
        for (const a of list) {
          const q = reqs.find((r: any) => r.id === a.id);
          if (!q || a.result === undefined) continue;
          const before = JSON.stringify(a.result);
          a.result = faults.lie(q.method, q.params ?? [], a.result);
          if (JSON.stringify(a.result) !== before) counts.lies++;
        }
        out = JSON.stringify(answers);
      }
      res.writeHead(up.status, { "content-type": "application/json" });
      res.end(out);
    } catch {
      req.socket.destroy();
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts,
    /** changes the faults from now on */
    set(f: Faults) {
      Object.assign(faults, f);
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
