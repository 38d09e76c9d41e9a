/**
 * JSON-RPC access for the sync: JSON over node:http(s) with keep-alive connections (`createTransport`), retries with
 * exponential backoff and jitter on timeouts, 429s, 5xx and dropped connections; classifies `eth_getLogs`
 * range/limit errors so the caller can split the range instead of retrying it. Headers are fetched with JSON-RPC
 * batches.
 */
import { isAscii } from "node:buffer";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { hexToBytes, keccak256, type Hex } from "viem";
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

/**
 * A failed JSON-RPC exchange: the HTTP status when the answer was not a 2xx, the JSON-RPC error `code` when the node
 * answered with an error, or neither (a timeout: `name` TimeoutError; an answer that is not JSON). Network failures
 * are node's own errors (`code` ECONNRESET, ECONNREFUSED, …). `classifyRpcError` reads these fields and the message.
 */
export class RpcTransportError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: number | string) {
    super(message);
    this.name = "RpcTransportError";
  }
}

/** Largest JSON-RPC answer read, bytes (a wide `eth_getLogs` range): more is an error of kind `range`. */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

/** The `result` of one JSON-RPC answer object, or its error thrown as `RpcTransportError`. */
function resultOf(a: any): unknown {
  if (a && typeof a === "object" && "error" in a && a.error) {
    const e = a.error;
    throw new RpcTransportError(`${typeof e.message === "string" ? e.message : JSON.stringify(e).slice(0, 300)}${e.data !== undefined ? ` (${JSON.stringify(e.data).slice(0, 200)})` : ""}`, undefined, e.code);
  }
  if (!a || typeof a !== "object" || !("result" in a)) throw new RpcTransportError(`not a JSON-RPC answer: ${JSON.stringify(a).slice(0, 200)}`);
  return a.result;
}

/**
 * The text of an answer's bytes. JSON-RPC answers are ASCII (hex strings, numbers, keys) all but always: then they are
 * read as Latin-1, a plain copy, instead of through the UTF-8 decoder, which took ~25 ms per 10,000 logs (7 MB), more
 * than `JSON.parse` of the same answer (~11 ms); an answer with other bytes is decoded as UTF-8.
 */
function answerText(body: Buffer): string {
  return isAscii(body) ? body.toString("latin1") : body.toString("utf8");
}

/**
 * POSTs JSON-RPC requests to `url` (http or https; user:password in the URL becomes Basic authorization) over
 * keep-alive connections, each exchange bounded by `timeoutMs` (headers and body). `call` answers one request's
 * `result`; `batch` sends several in one JSON array and answers their results in order. Throws `RpcTransportError`
 * or node's network error. Plain node:http instead of fetch (viem's transport): about a third of the CPU per call and a
 * quarter of the garbage, on the thread that also serves the API.
 */
export function createTransport(url: string, timeoutMs: number) {
  const u = new URL(url);
  const tls = u.protocol === "https:";
  if (!tls && u.protocol !== "http:") throw new Error(`JSON-RPC URL must be http(s): ${url}`);
  const send = tls ? httpsRequest : httpRequest;
  const agent = tls ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
  const target = { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port || undefined, path: `${u.pathname}${u.search}`, method: "POST", agent };
  let id = 0;
  const post = (body: string) =>
    new Promise<unknown>((resolve, reject) => {
      let done = false;
      const fail = (e: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(e);
      };
      const req = send({ ...target, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new RpcTransportError(`response size over ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on("error", fail);
        res.on("end", () => {
          if (done) return;
          const text = answerText(Buffer.concat(chunks));
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const e = json && typeof json === "object" && !Array.isArray(json) ? json.error : undefined;
            return fail(new RpcTransportError(`HTTP ${status}: ${typeof e?.message === "string" ? e.message : text.slice(0, 300)}`, status, e?.code));
          }
          if (json === undefined) return fail(new RpcTransportError(`HTTP ${status}: not JSON: ${text.slice(0, 200)}`, status));
          done = true;
          clearTimeout(timer);
          resolve(json);
        });
      });
      const timer = setTimeout(() => {
        const e = new RpcTransportError(`request timed out after ${timeoutMs} ms`);
        e.name = "TimeoutError";
        fail(e);
        req.destroy();
      }, timeoutMs);
      req.on("error", fail);
      req.end(body);
    });
  return {
    /** The result of `method(params)`. */
    async call(method: string, params: unknown[]): Promise<unknown> {
      return resultOf(await post(JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params })));
    },
    /** The results of several calls sent as one JSON-RPC batch, in order (the first error is thrown). */
    async batch(calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
      const first = id + 1;
      const out = await post(JSON.stringify(calls.map((c) => ({ jsonrpc: "2.0", id: ++id, method: c.method, params: c.params }))));
      if (!Array.isArray(out)) return calls.map(() => resultOf(out)); // a node that refuses the whole batch answers one error
      const byId = new Map<unknown, unknown>(out.map((a: any) => [a?.id, a]));
      return calls.map((c, i) => {
        const a = byId.get(first + i);
        if (a === undefined) throw new RpcTransportError(`batch answer without id ${first + i} (${c.method})`);
        return resultOf(a);
      });
    },
  };
}

/** JSON-RPC calls per batch (`getBlocks`). */
const BATCH_SIZE = 200;

/** Creates the RPC client. `signal` stops retry sleeps on shutdown. */
export function createRpc(opts: RpcOptions, log: Logger, metrics: Metrics, signal?: AbortSignal): Rpc {
  const rpc = createTransport(opts.url, opts.timeoutMs);

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

  /** Headers of `ns`, in batches of `BATCH_SIZE` sent at once. */
  async function getBlocks(ns: number[]): Promise<(Header | null)[]> {
    const chunks: number[][] = [];
    for (let i = 0; i < ns.length; i += BATCH_SIZE) chunks.push(ns.slice(i, i + BATCH_SIZE));
    const results = await Promise.all(chunks.map((c) => rpc.batch(c.map((n) => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })))));
    return results.flat().map(toHeader);
  }

  return {
    chainId: () => call("eth_chainId", async () => Number(await rpc.call("eth_chainId", []))),
    blockNumber: () => call("eth_blockNumber", async () => Number(await rpc.call("eth_blockNumber", []))),
    getBlock: (n) => call("eth_getBlockByNumber", async () => toHeader(await rpc.call("eth_getBlockByNumber", [hex(n), false]))),
    getBlocks: (ns) => call("eth_getBlockByNumber", () => getBlocks(ns)),
    getLogs: (from, to, addresses, topics) =>
      call("eth_getLogs", async () => {
        const filter = { ...(addresses ? { address: addresses } : {}), ...(topics ? { topics } : {}), fromBlock: hex(from), toBlock: hex(to) };
        const logs = (await rpc.call("eth_getLogs", [filter])) as RawLog[];
        if (!Array.isArray(logs)) throw new Error("eth_getLogs returned a non-array");
        return logs;
      }),
  };
}
