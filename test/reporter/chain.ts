/**
 * Test harness: the real HashpriceOracle on Hardhat's simulator, driven with viem over the connection's EIP-1193
 * provider (`custom(conn.provider)`), and a pino logger that records its lines.
 */
import hre, { network } from "hardhat";
import { pino, type Logger } from "pino";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  type Hex,
  type LocalAccount,
  parseEther,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hashpriceOracleAbi } from "../../cli/reporter/abi.js";

export type Chain = Awaited<ReturnType<typeof startChain>>;

/** A fresh simulated chain with viem clients (20 ms polling) and a funded submitter key. */
export async function startChain() {
  const conn = await network.create();
  const provider = conn.provider;
  const chain = defineChain({
    id: Number(await provider.request({ method: "eth_chainId" })),
    name: "hardhat simulator",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1"] } },
  });
  // no retries: viem retries the simulator's revert errors with backoff (about 1 s per expected revert)
  const transport = custom(provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 20 });
  const [deployer] = (await provider.request({ method: "eth_accounts" })) as Address[];
  const admin = createWalletClient({ chain, transport, account: deployer, pollingInterval: 20 });
  const rpc = (method: string, params: unknown[] = []) => provider.request({ method, params });

  /** A new key holding 100 ETH. */
  async function fundedKey(): Promise<Hex> {
    const key = generatePrivateKey();
    await rpc("hardhat_setBalance", [privateKeyToAccount(key).address, toHex(parseEther("100"))]);
    return key;
  }
  const submitterKey = await fundedKey();
  const submitter = createWalletClient({ chain, transport, account: privateKeyToAccount(submitterKey), pollingInterval: 20 });

  /** Deploys HashpriceOracle with `reporters` and `quorum`; no BTC/USD feed unless `feedPriceE8` (then fresh for 1 day). */
  async function deployOracle(reporters: readonly LocalAccount[], quorum: number, feedPriceE8?: bigint): Promise<Address> {
    let feed: Address = zeroAddress;
    if (feedPriceE8 !== undefined) {
      const a = await hre.artifacts.readArtifact("TestPriceFeed");
      const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode as Hex, args: [8, feedPriceE8] });
      feed = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
    }
    const a = await hre.artifacts.readArtifact("HashpriceOracle");
    const hash = await admin.deployContract({
      abi: a.abi,
      bytecode: a.bytecode as Hex,
      args: [deployer, deployer, reporters.map((r) => r.address), quorum, 2 * 86_400, feed, feedPriceE8 === undefined ? 0 : 86_400],
    });
    return getAddress((await publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
  }

  /** Every mined transaction from `from` to `to`, with its receipt status. */
  async function txsFrom(from: Address, to: Address): Promise<{ hash: Hex; status: string; input: Hex }[]> {
    const out: { hash: Hex; status: string; input: Hex }[] = [];
    const n = await publicClient.getBlockNumber();
    for (let b = 0n; b <= n; b++) {
      const block = await publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== from.toLowerCase() || tx.to?.toLowerCase() !== to.toLowerCase()) continue;
        const r = await publicClient.getTransactionReceipt({ hash: tx.hash });
        out.push({ hash: tx.hash, status: r.status, input: tx.input });
      }
    }
    return out;
  }

  /** Number of DailyReportFinalized/Pending events per day and UptimeReported per `farm:day`. */
  async function reportCounts(oracle: Address) {
    const logs = await publicClient.getContractEvents({ address: oracle, abi: hashpriceOracleAbi, fromBlock: 0n });
    const daily = new Map<number, number>();
    const uptime = new Map<string, number>();
    for (const l of logs) {
      if (l.eventName === "DailyReportFinalized" || l.eventName === "DailyReportPending") daily.set(l.args.day!, (daily.get(l.args.day!) ?? 0) + 1);
      if (l.eventName === "UptimeReported") {
        const k = `${l.args.farm}:${l.args.day}`;
        uptime.set(k, (uptime.get(k) ?? 0) + 1);
      }
    }
    return { daily, uptime };
  }

  return { conn, provider, chain, publicClient, admin, deployer, submitter, submitterKey, rpc, fundedKey, deployOracle, txsFrom, reportCounts };
}

/** Reporter keys and their accounts. */
export function reporterKeys(n: number): { keys: Hex[]; accounts: LocalAccount[] } {
  const keys = Array.from({ length: n }, () => generatePrivateKey());
  return { keys, accounts: keys.map((k) => privateKeyToAccount(k)) };
}

/** A pino logger whose parsed lines land in `lines`. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/**
 * Serves an EIP-1193 provider as JSON-RPC over HTTP on 127.0.0.1 (port 0), single and batch requests, so that a
 * child process can use the in-process simulator. Errors keep their `code` and `data` (revert data).
 */
export async function serveRpc(provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> }) {
  const { createServer } = await import("node:http");
  type Req = { id: number; method: string; params?: unknown[] };
  const answer = async (r: Req) => {
    try {
      return { jsonrpc: "2.0", id: r.id, result: await provider.request({ method: r.method, params: r.params ?? [] }) };
    } catch (e) {
      const err = e as { code?: number; message: string; data?: unknown };
      return { jsonrpc: "2.0", id: r.id, error: { code: err.code ?? -32603, message: err.message, data: err.data } };
    }
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const parsed = JSON.parse(body) as Req | Req[];
      const out = Array.isArray(parsed) ? await Promise.all(parsed.map(answer)) : await answer(parsed);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
