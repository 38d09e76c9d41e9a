/**
 * The local chain of the replay: a `hardhat node` child process (bound to 127.0.0.1, its own process group so it
 * can be killed with everything it spawned), a Hardhat runtime connected to it over JSON-RPC (ethers + Ignition),
 * the replay's own requests to it (`rpc`, `readAll`: over one WebSocket), the clock control (`evm_mine` at a
 * timestamp), the blocks of several transactions (`inOneBlock`, `mineManually`), and the accounts that act in the
 * replay (`NodeAccount`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AbstractSigner, resolveAddress, toQuantity, type Interface, type Provider, type TransactionRequest, type TransactionResponse } from "ethers";
import { createHardhatRuntimeEnvironment, importUserConfig } from "hardhat/hre";
import { dateOfDay } from "../../domain/units.js";
import { fingerprint } from "../../indexer/bundle.js";

/** Repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HARDHAT_BIN = join(ROOT, "node_modules/.bin/hardhat");
const CONFIG = join(ROOT, "hardhat.config.ts");

/** Seconds per UTC day. */
export const DAY = 86_400;

/** A free TCP port on 127.0.0.1 chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when `port` on 127.0.0.1 can be bound; rejects naming `option` when it is taken. */
export function assertPortFree(port: number, option: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(new Error(`${option} ${port}: ${e.code === "EADDRINUSE" ? "port already in use" : e.message}`)),
    );
    s.listen(port, "127.0.0.1", () => s.close(() => resolve()));
  });
}

type RpcAnswer = { id: number; result?: unknown; error?: { code: number; message: string; data?: unknown } };

/**
 * One WebSocket to a node this process started (`startNode`; the node serves JSON-RPC over HTTP and WebSocket on the
 * same port). A request over it costs about a tenth of the CPU of a `fetch` on this side and half on the node's
 * (no HTTP request and response to build and parse per call). Answers are matched by id; a batch (an array) is
 * matched by its first id, as the node answers it with one array.
 */
class RpcSocket {
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (a: any) => void; reject: (e: Error) => void }>();
  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const a = JSON.parse(e.data as string) as RpcAnswer | RpcAnswer[];
      const id = Array.isArray(a) ? a[0]?.id : a.id;
      const w = this.#waiting.get(id);
      this.#waiting.delete(id);
      w?.resolve(a);
    });
    ws.addEventListener("close", () => {
      for (const w of this.#waiting.values()) w.reject(new Error(`JSON-RPC WebSocket ${ws.url} closed`));
      this.#waiting.clear();
    });
  }

  /** Opens a WebSocket to the node at `url` (http://host:port). */
  static open(url: string): Promise<RpcSocket> {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new RpcSocket(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot open a JSON-RPC WebSocket to ${url}`)), { once: true });
    });
  }

  /** Sends `calls` (one request, or a batch when an array) and resolves with the node's answer(s). */
  send(calls: [string, unknown[]][] | [string, unknown[]], batch: boolean): Promise<any> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error(`JSON-RPC WebSocket ${this.ws.url} closed`));
    const first = this.#next;
    const list = (batch ? calls : [calls]) as [string, unknown[]][];
    const payload = list.map(([method, params]) => ({ jsonrpc: "2.0", id: this.#next++, method, params }));
    return new Promise((resolve, reject) => {
      this.#waiting.set(first, { resolve, reject });
      this.ws.send(JSON.stringify(batch ? payload : payload[0]));
    });
  }
}

/** The WebSockets of the nodes this process started, by JSON-RPC URL (`startNode`); other URLs are sent `fetch`es. */
const sockets = new Map<string, RpcSocket>();

/** Posts a JSON-RPC request or batch to `url` over HTTP. */
async function post(url: string, payload: unknown): Promise<any> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
  return res.json();
}

/**
 * Sends one JSON-RPC request to `url`: over the node's WebSocket when this process started it (`startNode`), else
 * an HTTP POST. Throws `method: <the node's message>` on a JSON-RPC error.
 */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const socket = sockets.get(url);
  const body = (await (socket ? socket.send([method, params], false) : post(url, { jsonrpc: "2.0", id: 1, method, params }))) as RpcAnswer;
  if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { code: body.error.code, data: body.error.data });
  return body.result as T;
}

/** A running `hardhat node`. */
export interface LocalNode {
  url: string;
  port: number;
  /** Kills the node's process group (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` (network `node` of hardhat.config.ts) whose clock
 * starts at `initialDay` (UTC day number), waits until it answers, and turns its per-request logging off.
 * `port` 0 picks a free port. Throws naming `--port` when the port is taken.
 */
export async function startNode(opts: { port: number; initialDay: number; timeoutMs?: number }): Promise<LocalNode> {
  const port = opts.port === 0 ? await freePort() : opts.port;
  if (opts.port !== 0) await assertPortFree(port, "--port");
  const proc: ChildProcess = spawn(HARDHAT_BIN, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_NODE_INITIAL_DATE: `${dateOfDay(opts.initialDay)}T00:00:00Z` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let tail = "";
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4_000));
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((r) => proc.once("exit", () => ((exited = true), r())));
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  // last resort if this process dies without cleaning up
  const onExit = () => kill("SIGKILL");
  process.once("exit", onExit);

  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(`hardhat node exited during start-up:\n${tail}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() - t0 > (opts.timeoutMs ?? 120_000)) {
        kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${url} within ${opts.timeoutMs ?? 120_000} ms:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await rpc(url, "hardhat_setLoggingEnabled", [false]);
  sockets.set(url, await RpcSocket.open(url));
  return {
    url,
    port,
    async stop() {
      sockets.get(url)?.ws.close();
      sockets.delete(url);
      if (!exited) {
        kill("SIGTERM");
        await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000))]);
        if (!exited) kill("SIGKILL");
      }
      // only now: a forced exit while stopping (second Ctrl-C, terminal closed) still kills the node
      process.removeListener("exit", onExit);
    },
  };
}

/** A Hardhat network connection (ethers, network helpers, Ignition) to a JSON-RPC URL. */
export type Connection = Awaited<ReturnType<typeof connectTo>>;

/** A Hardhat runtime of this repository's config whose Ignition journal is a temporary folder (see `connectTo`). */
export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

/** Where the replay records the fingerprint of its last successful `hardhat build` (see `buildIfChanged`). */
const BUILD_STAMP = join(ROOT, "node_modules/.cache/hashpower/build.json");

/** What `hardhat build` reads (the lockfile: every `npm install` rewrites it: OpenZeppelin, Morpho Blue, solc). */
const BUILD_INPUTS = ["hardhat.config.ts", "node_modules/.package-lock.json", "contracts"];
/** What it writes: the artifacts and the TypeChain types. */
const BUILD_OUTPUTS = ["artifacts", "types/ethers-contracts"];

/**
 * `hardhat build` unless nothing it reads or writes changed since the last build this function ran: Hardhat's own
 * check of a fresh build still loads both solc compilers to read their versions and reruns TypeChain (~5 s of CPU at
 * every start). A changed, added or removed file under contracts/, artifacts/ or types/ethers-contracts/, the config
 * or an `npm install` builds again. A source saved during the build leaves no stamp: the next start builds again.
 */
async function buildIfChanged(hre: { tasks: { getTask(name: string): { run(args: object): Promise<unknown> } } }): Promise<void> {
  const inputs = fingerprint(BUILD_INPUTS);
  const outputs = fingerprint(BUILD_OUTPUTS);
  try {
    if (inputs !== null && outputs !== null && readFileSync(BUILD_STAMP, "utf8") === `${inputs}\n${outputs}`) return;
  } catch {
    /* no stamp yet */
  }
  rmSync(BUILD_STAMP, { force: true });
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const built = fingerprint(BUILD_OUTPUTS);
  if (inputs === null || built === null || fingerprint(BUILD_INPUTS) !== inputs) return;
  mkdirSync(join(ROOT, "node_modules/.cache/hashpower"), { recursive: true });
  writeFileSync(`${BUILD_STAMP}.${process.pid}.tmp`, `${inputs}\n${built}`);
  renameSync(`${BUILD_STAMP}.${process.pid}.tmp`, BUILD_STAMP);
}

/**
 * A fresh Hardhat runtime (this repository's config) with the contracts built (`buildIfChanged`: no `hardhat build`
 * when nothing changed since the last one). It needs no node, so it is made while the node starts. Ignition's
 * deployment journal goes to a temporary folder, removed by `removeJournal()` (or the connection's `close()`), so
 * every replay deploys afresh.
 */
export async function createRuntime() {
  const ignitionDir = mkdtempSync(join(tmpdir(), "hashpower-ignition-"));
  try {
    const userConfig = await importUserConfig(CONFIG);
    const hre = await createHardhatRuntimeEnvironment(
      { ...userConfig, paths: { ...userConfig.paths, ignition: ignitionDir } },
      { config: CONFIG },
      ROOT,
    );
    await buildIfChanged(hre);
    return { hre, removeJournal: () => rmSync(ignitionDir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(ignitionDir, { recursive: true, force: true });
    throw e;
  }
}

/** Connects the runtime `rt` (see `createRuntime`) to `url` as network `localhost`. */
export async function connectTo(rt: Runtime, url: string) {
  const conn = await rt.hre.network.create({ network: "localhost", override: { url } });
  return {
    ...conn,
    hre: rt.hre,
    url,
    /** Node account `i` (`eth_accounts`) as a `NodeAccount`. */
    async account(i: number): Promise<NodeAccount> {
      const accounts = await rpc<string[]>(url, "eth_accounts");
      return new NodeAccount(accounts[i], url, conn.ethers.provider);
    },
    async close() {
      await conn.close();
      rt.removeJournal();
    },
  };
}

/** Mines a block whose timestamp is `day` × 86400 + `secondsIntoDay` (`evm_mine` with a timestamp: one request). */
export async function setChainTime(url: string, day: number, secondsIntoDay = 1): Promise<void> {
  const ts = day * DAY + secondsIntoDay;
  await rpc(url, "evm_mine", [ts]);
  const m = manual.get(url);
  if (m) m.head = ts;
}

/** Transactions sent while a node's automine is off (`inOneBlock`), by JSON-RPC URL. */
const openBlocks = new Map<string, string[]>();
/** Nodes that the replay mines itself (`mineManually`), with their head's timestamp, by JSON-RPC URL. */
const manual = new Map<string, { head: number }>();

/**
 * Turns the node's automine off (`on`) or back on. While it is off the replay mines every block itself, with an
 * explicit timestamp: `setChainTime`, `inOneBlock` (without its own automine toggles and head lookup), and a
 * transaction sent outside `inOneBlock` is mined at once as a block of its own, as automine would. The replay loop
 * runs this way; automine is back on for the summary and `--keep-running`.
 */
export async function mineManually(url: string, on: boolean): Promise<void> {
  if (on) {
    const head = await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false]);
    await rpc(url, "evm_setAutomine", [false]);
    manual.set(url, { head: Number(head.timestamp) });
  } else if (manual.delete(url)) {
    await rpc(url, "evm_setAutomine", [true]);
  }
}

/**
 * Runs `f` with the node's automine off and mines everything it sent as one block (`evm_mine`): N transactions in
 * one block and one mining step where automine made N. Transactions are sent one after the other (each send returns
 * its hash, so a sender's nonces keep their order) and the node mines them in that order (mempool order `fifo` in
 * hardhat.config.ts: a mint before the deposit that spends it, across senders; its block gas limit fits 125
 * transactions at `TX_GAS` each, more than a day has). Reads inside `f` see the state BEFORE the block; `flush()`
 * mines what was sent so far, for a read that needs it, and `flush(others)` with it the transactions `others` that
 * another client (the reporter's viem wallet) sent meanwhile. Once `f` returns the block is mined and every receipt
 * checked: a reverted transaction throws, naming it and the node's revert reason; so does one left out of the block.
 * The block's timestamp is the one automine would have given its last transaction (one block, one second each), so
 * chain time, and with it every figure, is what automine gave as long as a time-dependent transaction (Morpho's) is
 * the last of its block. Automine is back on afterwards (also when `f` throws), unless under `mineManually`.
 */
export async function inOneBlock<T>(url: string, f: (flush: (others?: string[]) => Promise<void>) => Promise<T>): Promise<T> {
  if (openBlocks.has(url)) throw new Error("inOneBlock: already inside a block");
  const sent: string[] = [];
  const flush = async (others: string[] = []) => {
    const hashes = [...sent.splice(0), ...others];
    if (hashes.length > 0) await mineAll(url, hashes);
  };
  const toggle = !manual.has(url);
  if (toggle) await rpc(url, "evm_setAutomine", [false]);
  openBlocks.set(url, sent);
  try {
    const result = await f(flush);
    await flush();
    return result;
  } finally {
    openBlocks.delete(url);
    if (sent.length > 0) await mineAll(url, sent).catch(() => {}); // f threw: leave no transaction pending
    if (toggle) await rpc(url, "evm_setAutomine", [true]);
  }
}

/**
 * `eth_sendTransaction` of `request` (sent and signed by the node): the transaction's hash. Mined when it returns
 * (by automine, or as a block of its own under `mineManually`), unless inside `inOneBlock`, which then mines it with
 * the others.
 */
export async function sendTransaction(url: string, request: Record<string, unknown>): Promise<string> {
  const hash = await rpc<string>(url, "eth_sendTransaction", [request]);
  const open = openBlocks.get(url);
  if (open) open.push(hash);
  else if (manual.has(url)) await mineAll(url, [hash]);
  return hash;
}

interface Receipt { status: string; blockNumber: string; from: string; to: string | null; transactionHash: string }

/**
 * Mines `hashes` as one block and throws if one of them reverted. The block gets the timestamp automine would have
 * given the last of them (one block, one second each): the chain's clock, and what depends on it (Morpho's
 * interest), is the same as with one block per transaction.
 */
async function mineAll(url: string, hashes: string[]): Promise<void> {
  const m = manual.get(url);
  const head = m ? m.head : Number((await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false])).timestamp);
  await rpc(url, "evm_mine", [head + hashes.length]);
  if (m) m.head = head + hashes.length;
  const receipts = await rpcBatch<Receipt | null>(url, hashes.map((h) => ["eth_getTransactionReceipt", [h]]));
  const failed = receipts.find((r) => r !== null && r.status !== "0x1");
  if (failed) throw new Error(`transaction ${failed.transactionHash} from ${failed.from} to ${failed.to} reverted in block ${Number(failed.blockNumber)}: ${await revertReason(url, failed.transactionHash)}`);
  const left = receipts.filter((r) => r === null).length;
  if (left > 0) throw new Error(`inOneBlock: ${left} of ${hashes.length} transactions did not fit one block (blockGasLimit of the node network, hardhat.config.ts)`);
}

/** The node's revert reason of a mined transaction: the call replayed on the state before its block. */
async function revertReason(url: string, hash: string): Promise<string> {
  try {
    const tx = await rpc<{ from: string; to: string; input: string; value: string; gas: string; blockNumber: string }>(url, "eth_getTransactionByHash", [hash]);
    await rpc(url, "eth_call", [{ from: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas }, `0x${(Number(tx.blockNumber) - 1).toString(16)}`]);
    return "(passes on the state before its block: an earlier transaction of the block made it revert)";
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Sends JSON-RPC `calls` as one batch (over `rpc`'s transport); results in the order of `calls` (matched by id: the
 * node answers concurrently).
 */
async function rpcBatch<T>(url: string, calls: [string, unknown[]][]): Promise<T[]> {
  if (calls.length === 0) return [];
  const socket = sockets.get(url);
  const body = (await (socket ? socket.send(calls, true) : post(url, calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))))) as RpcAnswer[];
  const first = Math.min(...body.map((r) => r.id));
  const out = new Array<T>(calls.length);
  for (const r of body) {
    if (r.error) throw new Error(`${calls[r.id - first][0]}: ${r.error.message}`);
    out[r.id - first] = r.result as T;
  }
  return out;
}

/** A contract's view call for `readAll`: the contract (its ABI and address), the function's name, its arguments. */
export type Read = [contract: { interface: Interface; target: unknown }, fn: string, args: unknown[]];

/**
 * Several contract views as ONE JSON-RPC batch of `eth_call`s on the latest block (where ethers sends one request per
 * call); each result decoded with its contract's ABI, as the contract's method returns it (the value of a function
 * with one output, else the named tuple). Inside `inOneBlock` they read the state before the block, like any read.
 * Throws on the first call that reverts, naming it.
 */
export async function readAll(url: string, reads: Read[]): Promise<any[]> {
  const data = await rpcBatch<string>(url, reads.map(([c, fn, args]) => ["eth_call", [{ to: c.target, data: c.interface.encodeFunctionData(fn, args) }, "latest"]]));
  return data.map((d, i) => {
    const r = reads[i][0].interface.decodeFunctionResult(reads[i][1], d);
    return r.length === 1 ? r[0] : r;
  });
}

/** Gas limit of every replay transaction: explicit, so that the node runs each transaction once (no estimate). */
export const TX_GAS = 8_000_000n;

/**
 * An account whose transactions the node signs: one of its own accounts, or an address it impersonates
 * (`hardhat_impersonateAccount`, see `NodeAccount.impersonate`). An ethers signer, so contracts connect to it as
 * to any other; each transaction is ONE `eth_sendTransaction` with the sender, the call and `TX_GAS`, where a
 * wallet's would be ~8 requests (nonce, chain id, fee data, gas estimate, signature, send, lookup). The node
 * automines, so the transaction is in a block when the call returns, and a revert comes back as the request's
 * error (with the node's decoded reason), as an estimate's would; inside `inOneBlock` the call returns once the
 * transaction is queued, and the block's mining reports a revert. View calls (`call`) are one `eth_call` over `rpc`;
 * other reads (logs, blocks) go through `provider`.
 */
export class NodeAccount extends AbstractSigner {
  constructor(
    readonly address: string,
    /** JSON-RPC URL of the node */
    readonly url: string,
    provider: Provider,
  ) {
    super(provider);
  }

  /** `address` as a node account: the node signs for it from now on (a dev chain's impersonation). */
  static async impersonate(address: string, url: string, provider: Provider): Promise<NodeAccount> {
    await rpc(url, "hardhat_impersonateAccount", [address]);
    return new NodeAccount(address, url, provider);
  }

  async getAddress(): Promise<string> {
    return this.address;
  }

  connect(provider: Provider | null): NodeAccount {
    return new NodeAccount(this.address, this.url, provider!);
  }

  async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const to = tx.to == null ? undefined : await resolveAddress(tx.to, this.provider);
    const request = {
      from: this.address,
      to,
      data: tx.data ?? undefined,
      value: tx.value == null ? undefined : toQuantity(tx.value),
      gas: toQuantity(tx.gasLimit ?? TX_GAS),
    };
    const hash = await sendTransaction(this.url, request);
    if (to === undefined) return (await this.provider!.getTransaction(hash))!; // a deployment: its nonce gives the address
    return { ...request, hash, provider: this.provider } as unknown as TransactionResponse;
  }

  /**
   * A view call (`eth_call` on the latest block, or on `tx.blockTag`) over `rpc`: the node's WebSocket, for what
   * contracts connected to this account read. A revert throws `eth_call: <the node's reason>`.
   */
  async call(tx: TransactionRequest): Promise<string> {
    const to = tx.to == null ? undefined : await resolveAddress(tx.to, this.provider);
    const tag = tx.blockTag == null ? "latest" : typeof tx.blockTag === "string" && !/^\d+$/.test(tx.blockTag) ? tx.blockTag : toQuantity(tx.blockTag);
    const request = { from: this.address, to, data: tx.data ?? undefined, value: tx.value == null ? undefined : toQuantity(tx.value) };
    return rpc<string>(this.url, "eth_call", [request, tag]);
  }

  signTransaction(): Promise<string> {
    throw new Error("NodeAccount: the node signs its transactions");
  }

  signMessage(): Promise<string> {
    throw new Error("NodeAccount: the node signs its transactions");
  }

  signTypedData(): Promise<string> {
    throw new Error("NodeAccount: the node signs its transactions");
  }
}
