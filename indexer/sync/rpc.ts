/**
 * JSON-RPC access for the sync (viem's HTTP transport underneath): retries with exponential backoff and jitter
 * on timeouts, 429s, 5xx and dropped connections; classifies `eth_getLogs` range/limit errors so the caller can
 * split the range instead of retrying it. Headers are fetched with JSON-RPC batches.
 */
import { createPublicClient, hexToBytes, http, keccak256, type Hex } from "viem";
import type { RawLog } from "../handlers/decode.js";
import type { BlockRef } from "../store/store.js";
import type { Logger } from "../ops/logger.js";
import type { Metrics } from "../ops/metrics.js";

/** Failure classes: `range` = the request asked for too much (split it); the rest are transient. */
export type RpcErrorKind = "range" | "rate_limit" | "timeout" | "network" | "server" | "rpc";

/** An RPC failure after classification (and after retries, for transient kinds). */
export class RpcError extends Error {
  constructor(readonly kind: RpcErrorKind, readonly method: string, cause: unknown) {
    super(`${method}: ${kind}: ${errorText(cause).slice(0, 300)}`, { cause });
    this.name = "RpcError";
  }
}

function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let x: any = e, i = 0; x && i < 6; x = x.cause, i++) {
    parts.push([x.name, x.status, x.code, x.shortMessage ?? x.message, x.details].filter((p) => p !== undefined).join(" "));
  }
  return parts.join(" <- ");
}

const RANGE = /block range|range (is )?too (large|wide|big)|exceed(s|ed)? (the )?(max(imum)? )?(block )?range|query returned more than|too many (results|logs|blocks)|response (size|is too large)|log response size|more than \d+ (results|logs)|limit exceeded|results? limit|max(imum)? (number of )?(results|logs)|ResponseBodyTooLarge/i;
const RATE = /\b429\b|rate.?limit|too many requests|request rate|capacity exceeded|throttl/i;
const TIMEOUT = /timed? ?out|timeout|ETIMEDOUT/i;
const NETWORK = /fetch failed|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|terminated|network|UND_ERR|aborted/i;

/** Classifies a viem error (walking its `cause` chain). */
export function classifyRpcError(e: unknown): RpcErrorKind {
  const text = errorText(e);
  let status: number | undefined;
  for (let x: any = e, i = 0; x && i < 6; x = x.cause, i++) if (typeof x.status === "number") status = x.status;
  if (status === 429 || RATE.test(text)) return "rate_limit";
  if (RANGE.test(text)) return "range";
  if (/TimeoutError/.test(text) || TIMEOUT.test(text)) return "timeout";
  if (status !== undefined && status >= 500) return "server";
  if (NETWORK.test(text) || /HttpRequestError/.test(text)) return "network";
  return "rpc";
}

/** Options of `createRpc`. */
export interface RpcOptions {
  url: string;
  /** name in logs (`primary`, `rpc2`, …) */
  name?: string;
  timeoutMs: number;
  maxRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
}

/** Sleeps `ms`, resolving early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0, 1, 2… → up to base·2^attempt, capped. */
export function backoff(attempt: number, base: number, cap: number): number {
  return Math.round(Math.min(cap, base * 2 ** attempt) * (0.5 + Math.random() / 2));
}

/** The JSON-RPC methods the sync needs. */
export interface Rpc {
  chainId(): Promise<number>;
  blockNumber(): Promise<number>;
  /** Header of block `n`, or null when the node has no such block (e.g. after a rewind). */
  getBlock(n: number): Promise<Header | null>;
  /** Headers of several blocks in one JSON-RPC batch. */
  getBlocks(ns: number[]): Promise<(Header | null)[]>;
  /**
   * Logs of `addresses` (null: any address) in blocks [from, to], optionally filtered by `topics` (eth_getLogs
   * topic filter); throws `RpcError` of kind `range` when the node refuses the range.
   */
  getLogs(from: number, to: number, addresses: string[] | null, topics?: (Hex | Hex[] | null)[]): Promise<RawLog[]>;
}

/** A block header as the sync reads it: the stored fields plus the block's `logsBloom` (2048-bit, hex). */
export interface Header extends BlockRef {
  logsBloom: Hex;
}

const hex = (n: number) => `0x${n.toString(16)}` as Hex;

function toHeader(b: any): Header | null {
  if (!b) return null;
  return { number: Number(b.number), hash: b.hash, parentHash: b.parentHash, timestamp: Number(b.timestamp), logsBloom: b.logsBloom };
}

/** Bloom positions of addresses (3 × [byte offset in the hex string, bit mask]); bounded, cleared when full. */
const bloomBits = new Map<string, number[]>();

function bitsOf(address: string): number[] {
  const a = address.toLowerCase();
  let bits = bloomBits.get(a);
  if (bits) return bits;
  const h = hexToBytes(keccak256(a as Hex));
  bits = [];
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i] << 8) | h[i + 1]) & 0x7ff;
    bits.push(2 + (255 - (bit >> 3)) * 2, 1 << (bit & 7));
  }
  if (bloomBits.size >= 10_000) bloomBits.clear();
  bloomBits.set(a, bits);
  return bits;
}

/**
 * Whether a 2048-bit `logsBloom` may contain `address` (the Ethereum bloom: 3 bits from the first 6 bytes of the
 * keccak-256 of the address; yellow paper §4.3.1). False means the block has certainly no log of `address`. The
 * keccak of each address is computed once (the backfill asks this for every log).
 */
export function bloomMayContain(bloom: Hex, address: string): boolean {
  if (!bloom || bloom.length !== 514) return true; // no (or malformed) bloom: cannot rule anything out
  const bits = bitsOf(address);
  for (let i = 0; i < 6; i += 2) {
    const v = (hexDigit(bloom.charCodeAt(bits[i])) << 4) | hexDigit(bloom.charCodeAt(bits[i] + 1));
    if ((v & bits[i + 1]) === 0) return false;
  }
  return true;
}

/** The value of one hex digit's character code (0-9, a-f, A-F); 15 for anything else (cannot rule a bit out). */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 15;
}

/** Creates the RPC client. `signal` stops retry sleeps on shutdown. */
export function createRpc(opts: RpcOptions, log: Logger, metrics: Metrics, signal?: AbortSignal): Rpc {
  const common = { retryCount: 0, timeout: opts.timeoutMs, maxResponseBodySize: 512 * 1024 * 1024 } as const;
  const single = createPublicClient({ transport: http(opts.url, common) });
  const batched = createPublicClient({ transport: http(opts.url, { ...common, batch: { batchSize: 200, wait: 0 } }) });

  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const end = metrics.rpcDuration.startTimer({ method });
      try {
        metrics.rpcRequests.inc({ method });
        const out = await fn();
        end();
        return out;
      } catch (e) {
        end();
        const kind = classifyRpcError(e);
        metrics.rpcErrors.inc({ method, kind });
        if (kind === "range" || attempt >= opts.maxRetries || signal?.aborted) throw new RpcError(kind, method, e);
        const wait = backoff(attempt + (kind === "rate_limit" ? 2 : 0), opts.backoffMs, opts.maxBackoffMs);
        log.debug({ rpc: opts.name, method, kind, attempt, wait, err: errorText(e).slice(0, 200) }, "rpc retry");
        await sleep(wait, signal);
      }
    }
  }

  const request = (client: typeof single, method: string, params: unknown[]) =>
    client.request({ method: method as any, params: params as any });

  return {
    chainId: () => call("eth_chainId", async () => Number(await request(single, "eth_chainId", []))),
    blockNumber: () => call("eth_blockNumber", async () => Number(await request(single, "eth_blockNumber", []))),
    getBlock: (n) => call("eth_getBlockByNumber", async () => toHeader(await request(single, "eth_getBlockByNumber", [hex(n), false]))),
    getBlocks: (ns) =>
      call("eth_getBlockByNumber", async () =>
        (await Promise.all(ns.map((n) => request(batched, "eth_getBlockByNumber", [hex(n), false])))).map(toHeader),
      ),
    getLogs: (from, to, addresses, topics) =>
      call("eth_getLogs", async () => {
        const filter = { ...(addresses ? { address: addresses } : {}), ...(topics ? { topics } : {}), fromBlock: hex(from), toBlock: hex(to) };
        const logs = (await request(single, "eth_getLogs", [filter])) as RawLog[];
        if (!Array.isArray(logs)) throw new Error("eth_getLogs returned a non-array");
        return logs;
      }),
  };
}
