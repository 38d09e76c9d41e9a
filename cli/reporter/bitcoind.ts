/**
 * Bitcoin Core JSON-RPC adapter: the daily report inputs straight from a node.
 *
 * RPCs used: `getblockchaininfo`, `getblockhash`, `getblockheader` (verbose), `getblockstats` (fields `subsidy`
 * and `totalfee`, in sats). See https://developer.bitcoin.org/reference/rpc/.
 */
import { readFileSync } from "node:fs";
import { dateOfDay, SECONDS_PER_DAY } from "../../domain/units.js";
import type { DailySource, PriceSource } from "./sources.js";
import type { DailyReport } from "./sign.js";

/** Connection settings of a Bitcoin Core node. */
export interface BitcoinRpcConfig {
  /** e.g. http://127.0.0.1:8332 (credentials in the URL are moved to the Authorization header) */
  url: string;
  /** rpcuser (or the `__cookie__` user of the cookie file) */
  username?: string;
  password?: string;
  /** path of Bitcoin Core's `.cookie` file (`user:password`); used when no username is given */
  cookieFile?: string;
  /** per-request timeout, ms (default 30 000) */
  timeoutMs?: number;
  /** retries on transport failures (connection refused/reset, timeout, HTTP 5xx without a JSON-RPC error); default 2 */
  retries?: number;
}

/** A JSON-RPC error returned by the node (`code`, `message` as Bitcoin Core sends them) or an HTTP failure. */
export class BitcoinRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`bitcoind ${method}: ${message}${code === undefined ? "" : ` (code ${code})`}`);
    this.name = "BitcoinRpcError";
  }
}

/** A minimal Bitcoin Core JSON-RPC client (JSON-RPC 1.0 envelopes, HTTP basic auth). */
export class BitcoinRpc {
  private readonly endpoint: string;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private id = 0;

  constructor(config: BitcoinRpcConfig) {
    const u = new URL(config.url);
    let user = config.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
    let pass = config.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
    if (user === undefined && config.cookieFile) {
      const cookie = readFileSync(config.cookieFile, "utf8").trim();
      const i = cookie.indexOf(":");
      if (i < 0) throw new Error(`bitcoind cookie file ${config.cookieFile}: expected "user:password"`);
      [user, pass] = [cookie.slice(0, i), cookie.slice(i + 1)];
    }
    u.username = "";
    u.password = "";
    this.endpoint = u.toString();
    this.auth = user === undefined ? undefined : "Basic " + Buffer.from(`${user}:${pass ?? ""}`).toString("base64");
    this.timeoutMs = config.timeoutMs ?? 30_000;
    this.retries = config.retries ?? 2;
  }

  /** Calls `method`; rejects with `BitcoinRpcError` on an RPC error, bad credentials or a persistent transport failure. */
  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, params);
      } catch (e) {
        const err =
          e instanceof BitcoinRpcError
            ? e
            : new BitcoinRpcError(method, undefined, [(e as Error).message, ((e as Error).cause as Error | undefined)?.message].filter(Boolean).join(": "));
        // transport failures, HTTP 5xx without a JSON-RPC error, and -28 (node still warming up) are retried
        const retryable = !(e instanceof BitcoinRpcError) || err.code === -28 || (err.code === undefined && / HTTP 5\d\d/.test(err.message));
        if (!retryable || attempt >= this.retries) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async once<T>(method: string, params: unknown[]): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.auth) headers.authorization = this.auth;
    const res = await fetch(this.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "1.0", id: ++this.id, method, params }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new BitcoinRpcError(method, undefined, `HTTP ${res.status}: bad RPC credentials`);
    let body: { result?: T; error?: { code: number; message: string } | null };
    try {
      body = JSON.parse(text);
    } catch {
      throw new BitcoinRpcError(method, undefined, `HTTP ${res.status}: response is not JSON: ${text.slice(0, 120)}`);
    }
    // Bitcoin Core answers RPC errors with HTTP 500 (404 for an unknown method) and a JSON-RPC error body.
    if (body.error) throw new BitcoinRpcError(method, body.error.code, body.error.message);
    if (!res.ok) throw new BitcoinRpcError(method, undefined, `HTTP ${res.status}`);
    if (!("result" in body)) throw new BitcoinRpcError(method, undefined, "response has no result");
    return body.result as T;
  }
}

/** The `getblockheader` (verbose) fields used here. */
interface BlockHeader {
  hash: string;
  height: number;
  /** header time, unix seconds */
  time: number;
  /** compact target, 8 hex digits */
  bits: string;
  /** -1 when not on the active chain */
  confirmations: number;
}

/** Heights are searched in [0, 2^SEARCH_BITS): fixed bounds keep the search path independent of the tip. */
const SEARCH_BITS = 23;

/** Options of `BitcoinCoreSource`. */
export interface BitcoinCoreSourceOptions {
  /** confirmations required on the day's last block (default 6) */
  minConfirmations?: number;
  /** parallel `getblockstats` calls (default 8) */
  concurrency?: number;
}

/**
 * Daily report inputs from a Bitcoin Core node:
 * - the day's blocks are heights [first(dayStart), first(dayEnd)), where first(t) is the lowest height whose
 *   header time is ≥ t, found by binary search on height. Header times are only roughly ordered (a block may be
 *   up to 2 h ahead and need only exceed the median of the 11 before it), so the search runs over the fixed
 *   range [0, 2^23) with heights above the tip counted as +∞: every reporter probes the same heights and gets
 *   the same boundary on the same chain, whatever its tip;
 * - `firstHeight` = first, `blocks` = end − first (the report's height range, checked by the oracle);
 * - `bits` of the day's last block; `subsidySats` from its `getblockstats.subsidy`;
 * - `feesPerBlockSats` = floor(Σ `getblockstats.totalfee` / number of blocks of the day), 0 for a day without
 *   blocks;
 * - the day's last block must have ≥ `minConfirmations` confirmations and a later day's block must exist,
 *   otherwise `daily` rejects (the day is not settled yet);
 * - the price comes from `price`.
 */
export class BitcoinCoreSource implements DailySource {
  private readonly headers = new Map<number, BlockHeader>();
  private readonly minConfirmations: number;
  private readonly concurrency: number;

  constructor(
    private readonly rpc: BitcoinRpc,
    private readonly price: PriceSource,
    options: BitcoinCoreSourceOptions = {},
  ) {
    this.minConfirmations = options.minConfirmations ?? 6;
    this.concurrency = options.concurrency ?? 8;
  }

  /** The blocks of `day`: heights [first, end) and the node's tip height. */
  async blocksOfDay(day: number): Promise<{ first: number; end: number; tip: number }> {
    const { blocks: tip } = await this.rpc.call<{ blocks: number }>("getblockchaininfo");
    const start = Number(BigInt(day) * SECONDS_PER_DAY);
    const first = await this.firstAtOrAfter(start, tip);
    const end = await this.firstAtOrAfter(start + Number(SECONDS_PER_DAY), tip);
    return { first, end, tip };
  }

  async daily(day: number): Promise<DailyReport> {
    const { first, end, tip } = await this.blocksOfDay(day);
    const date = dateOfDay(day);
    if (end > tip) throw new Error(`bitcoind: ${date} has not ended on the node (tip ${tip} is still within or before it)`);
    if (end === 0) throw new Error(`bitcoind: ${date} is before the genesis block`);
    const last = await this.header(end - 1, tip);
    if (last.confirmations < this.minConfirmations) {
      throw new Error(`bitcoind: last block of ${date} (height ${last.height}) has ${last.confirmations} confirmations, needs ${this.minConfirmations}`);
    }
    const heights = Array.from({ length: end - first }, (_, i) => first + i);
    let totalFees = 0n;
    for (let i = 0; i < heights.length; i += this.concurrency) {
      const stats = await Promise.all(
        heights.slice(i, i + this.concurrency).map((h) => this.rpc.call<{ totalfee: number }>("getblockstats", [h, ["totalfee"]])),
      );
      for (const s of stats) totalFees += sats(s.totalfee, "totalfee");
    }
    const { subsidy } = await this.rpc.call<{ subsidy: number }>("getblockstats", [last.height, ["subsidy"]]);
    if (!/^[0-9a-fA-F]{8}$/.test(last.bits)) throw new Error(`bitcoind: block ${last.height} has malformed bits "${last.bits}"`);
    const bits = Number.parseInt(last.bits, 16);
    if (heights.length > 0xffff) throw new Error(`bitcoind: ${date} has ${heights.length} blocks, more than a report can carry`);
    return {
      day,
      firstHeight: first,
      blocks: heights.length,
      bits,
      subsidySats: sats(subsidy, "subsidy"),
      feesPerBlockSats: heights.length === 0 ? 0n : totalFees / BigInt(heights.length),
      btcUsdE8: await this.price.btcUsdE8(day),
    };
  }

  /** Lowest height in [0, 2^23) whose header time is ≥ `t` (heights above `tip` count as +∞). */
  private async firstAtOrAfter(t: number, tip: number): Promise<number> {
    let lo = 0;
    let hi = 2 ** SEARCH_BITS;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const time = mid > tip ? Infinity : (await this.header(mid, tip)).time;
      if (time >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Header at `height`; cached once it is buried under `minConfirmations` blocks (a reorg above may still change it). */
  private async header(height: number, tip: number): Promise<BlockHeader> {
    const cached = this.headers.get(height);
    if (cached) return cached;
    const hash = await this.rpc.call<string>("getblockhash", [height]);
    const h = await this.rpc.call<BlockHeader>("getblockheader", [hash, true]);
    if (h.height !== height) throw new Error(`bitcoind: getblockheader(${hash}) returned height ${h.height}, expected ${height}`);
    if (tip - height + 1 >= this.minConfirmations && h.confirmations >= this.minConfirmations) this.headers.set(height, h);
    return h;
  }
}

/** A sats amount from an RPC number field; rejects anything that is not a non-negative safe integer. */
function sats(v: unknown, field: string): bigint {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Error(`bitcoind: getblockstats.${field} is not a sats amount: ${String(v)}`);
  return BigInt(v);
}
