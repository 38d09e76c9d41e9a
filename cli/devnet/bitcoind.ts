/**
 * A Bitcoin Core stand-in for the devnet: answers `getblockchaininfo`, `getblockhash`, `getblockheader` (verbose)
 * and `getblockstats` like Bitcoin Core (JSON-RPC 1.0, HTTP 500 with an error body on RPC errors) over blocks
 * synthesised from the real daily data (`../shared/data`): each day's `blocks` heights from its `firstHeight`,
 * evenly spaced in the day, with the day's `bits` and subsidy, and `feesPerBlockSats` each (so a reporter's
 * floor(Σ fees ÷ blocks) equals the data file's). Heights below the first served day get earlier times.
 * The tip follows a clock (`now()`, unix seconds): only blocks whose time has passed exist, so a day is complete
 * (and confirmed) only once the clock has moved past it.
 */
import { createServer, type Server } from "node:http";
import type { DayInputs } from "../../domain/data.js";

interface Block {
  height: number;
  time: number;
  bits: string;
  subsidy: number;
  totalfee: number;
}

/** Starts the stand-in over `days` (sorted, contiguous) on 127.0.0.1:`port` (0 = any); `now` is the clock. */
export async function startBitcoinStandIn(days: DayInputs[], now: () => number, port = 0): Promise<{ url: string; server: Server; tip(): number }> {
  if (days.length === 0) throw new Error("bitcoind stand-in: no days to serve");
  const first = days[0];
  const byHeight = (h: number): Block | undefined => {
    if (h < first.firstHeight) {
      return { height: h, time: first.day * 86_400 - (first.firstHeight - h) * 600, bits: first.bits.toString(16).padStart(8, "0"), subsidy: Number(first.subsidySats), totalfee: 0 };
    }
    // binary search the day holding h
    let lo = 0;
    let hi = days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (days[mid].firstHeight <= h) lo = mid;
      else hi = mid - 1;
    }
    const d = days[lo];
    const i = h - d.firstHeight;
    if (i >= d.blocks) return undefined;
    return { height: h, time: d.day * 86_400 + Math.floor(((i + 0.5) * 86_400) / d.blocks), bits: d.bits.toString(16).padStart(8, "0"), subsidy: Number(d.subsidySats), totalfee: Number(d.feesPerBlockSats) };
  };
  /** Highest height whose time ≤ now. */
  const tip = (): number => {
    const t = now();
    let lo = 0;
    let hi = days.at(-1)!.firstHeight + days.at(-1)!.blocks - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const b = byHeight(mid);
      if (b && b.time <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const hashOf = (h: number) => "00000000" + h.toString(16).padStart(56, "0");
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let id: unknown = null;
      const reply = (status: number, result: unknown, error: { code: number; message: string } | null = null) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ result, error, id }));
      try {
        const msg = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
        id = msg.id;
        const params = msg.params ?? [];
        const top = tip();
        const block = (k: unknown) => {
          const h = typeof k === "number" ? k : typeof k === "string" ? Number.parseInt(k.slice(8), 16) : NaN;
          return Number.isInteger(h) && h >= 0 && h <= top ? byHeight(h) : undefined;
        };
        switch (msg.method) {
          case "getblockchaininfo":
            return reply(200, { chain: "main", blocks: top, headers: top, bestblockhash: hashOf(top) });
          case "getblockhash": {
            const b = block(params[0]);
            return b ? reply(200, hashOf(b.height)) : reply(500, null, { code: -8, message: "Block height out of range" });
          }
          case "getblockheader": {
            const b = block(params[0]);
            if (!b) return reply(500, null, { code: -5, message: "Block not found" });
            return reply(200, { hash: hashOf(b.height), confirmations: top - b.height + 1, height: b.height, time: b.time, mediantime: b.time, bits: b.bits, nTx: 1 });
          }
          case "getblockstats": {
            const b = block(params[0]);
            if (!b) return reply(500, null, { code: -8, message: "Target block height after current tip" });
            const all: Record<string, unknown> = { height: b.height, blockhash: hashOf(b.height), time: b.time, subsidy: b.subsidy, totalfee: b.totalfee, txs: 1 };
            const wanted = params[1] as string[] | undefined;
            return reply(200, wanted ? Object.fromEntries(wanted.map((k) => [k, all[k]])) : all);
          }
          default:
            return reply(404, null, { code: -32601, message: "Method not found" });
        }
      } catch (e) {
        reply(500, null, { code: -32700, message: (e as Error).message });
      }
    });
  });
  await new Promise<void>((r, j) => server.once("error", j).listen(port, "127.0.0.1", () => r()));
  const { port: p } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${p}/`, server, tip };
}
