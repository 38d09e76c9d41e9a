/**
 * The replay's JSON-RPC trace (`HASHPOWER_TRACE_RPC=1 npm start`): a counting proxy in front of the node that
 * tallies every JSON-RPC call by caller (the replay or the indexer), phase of the daily step (`tracePhase`) and
 * method, with the time the caller waited for it. A profiling aid: the proxy runs on the replay's thread, so the
 * run is slower than without it; the counts are exact.
 */
import { createServer, type IncomingMessage } from "node:http";

let phase = "setup";

/** Names the phase the replay's next requests belong to (a variable set: free when no trace runs). */
export function tracePhase(name: string): void {
  phase = name;
}

/** A running trace: the URLs to use instead of the node's, and the table of what went through them. */
export interface RpcTrace {
  /** the replay's JSON-RPC URL */
  url: string;
  /** the indexer's JSON-RPC URL (counted apart) */
  indexerUrl: string;
  /** rows `caller phase method calls ms`, most calls first */
  table(): string;
  close(): Promise<void>;
}

/** Starts the counting proxy in front of the node at `target` on a free port of 127.0.0.1. */
export async function startRpcTrace(target: string): Promise<RpcTrace> {
  const rows = new Map<string, { calls: number; ms: number; requests: number }>();
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const who = req.url?.startsWith("/indexer") ? "indexer" : "replay";
    const at = who === "indexer" ? "-" : phase;
    const t = performance.now();
    const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await answer.text();
    const ms = performance.now() - t;
    let calls: { method: string }[] = [];
    try {
      const parsed = JSON.parse(body);
      calls = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      /* not JSON-RPC: forwarded as is */
    }
    calls.forEach((c, i) => {
      const key = `${who}\t${at}\t${calls.length > 1 ? `${c.method} (batched)` : c.method}`;
      const row = rows.get(key) ?? { calls: 0, ms: 0, requests: 0 };
      row.calls++;
      if (i === 0) (row.ms += ms), row.requests++;
      rows.set(key, row);
    });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    indexerUrl: `http://127.0.0.1:${port}/indexer`,
    table() {
      const sorted = [...rows].sort((a, b) => b[1].ms - a[1].ms);
      const lines = ["caller\tphase\tmethod\tcalls\thttp requests\twaited ms"];
      for (const [k, r] of sorted) lines.push(`${k}\t${r.calls}\t${r.requests}\t${Math.round(r.ms)}`);
      return lines.join("\n");
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
