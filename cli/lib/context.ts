/**
 * What every `hashpower` command needs: a JSON-RPC connection (`--rpc URL` or `--network NAME` of
 * hardhat.config.ts), a signing key (from an environment variable or the Hardhat keystore, never from the command
 * line), the deployment's addresses (an Ignition deployment folder or a JSON file), and `send`: print the call,
 * ask on a terminal, send, wait for the receipt, and decode a revert into the custom error's name and fields.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  formatEther,
  getAddress,
  type Hex,
  http,
  isAddress,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  decodeEventLog,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { formatScaled } from "../../domain/units.js";
import { abiOf, allErrors, type ContractName } from "./abi.js";
import { ROOT } from "./paths.js";

/** A user-facing error: printed as `hashpower: message`, exit code 1 (2 for `ConfigError`). */
export class CliError extends Error {}
/** A bad flag, environment variable or file: exit code 2; the message names it. */
export class ConfigError extends CliError {}

/** Global options shared by every command. */
export interface GlobalOptions {
  rpc?: string;
  network?: string;
  deployment?: string;
  key?: string;
  yes?: boolean;
}

/** The deployment's contract addresses. */
export interface Deployment {
  token: Address;
  oracle: Address;
  settlement: Address;
  /** the payout asset (dev WBTC on local chains) */
  asset?: Address;
  feed?: Address;
  /** where the addresses came from */
  source: string;
}

/** A connected CLI context. */
export interface Ctx {
  publicClient: PublicClient<Transport, Chain>;
  chainId: number;
  rpcUrl: string;
  opts: GlobalOptions;
  /** the signer; throws naming `--key` when no key is available */
  wallet(): Promise<WalletClient<Transport, Chain, Account>>;
  deployment(): Deployment;
}

const DEFAULT_KEY = "HASHPOWER_KEY";

/** The variables by which Hardhat decides it runs in CI (`isCi` of @nomicfoundation/hardhat-utils); there it never
 *  reads its keystore, so keys must come from the environment. */
export const CI_VARIABLES = ["GITHUB_ACTIONS", "NOW", "DEPLOYMENT_ID", "CODEBUILD_BUILD_NUMBER", "CI", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "RUN_ID"];

/** Loads hardhat.config.ts into a Hardhat runtime (only for `--network` and keystore look-ups). */
async function hardhatRuntime(extraNetworks: Record<string, unknown> = {}) {
  const { createHardhatRuntimeEnvironment, importUserConfig } = await import("hardhat/hre");
  const config = join(ROOT, "hardhat.config.ts");
  const user = await importUserConfig(config);
  return createHardhatRuntimeEnvironment({ ...user, networks: { ...user.networks, ...extraNetworks } } as typeof user, { config }, ROOT);
}

type Resolvable = string | { get(): Promise<string> };
const resolve = async (v: Resolvable): Promise<string> => (typeof v === "string" ? v : v.get());

/** The private key named `name`: environment variable first, then the Hardhat keystore (`npx hardhat keystore set NAME`). */
export async function resolveKey(name: string): Promise<Hex> {
  let key = process.env[name];
  if (!key) {
    try {
      const { configVariable } = await import("hardhat/config");
      const hre = await hardhatRuntime({ hashpowerCliKey: { type: "http", url: "http://127.0.0.1:1", accounts: [configVariable(name)] } });
      const net = hre.config.networks.hashpowerCliKey as unknown as { accounts: Resolvable[] };
      key = await resolve(net.accounts[0]);
    } catch {
      const ci = CI_VARIABLES.some((k) => process.env[k] !== undefined);
      throw new ConfigError(
        `--key ${name}: no private key in the environment variable ${name} nor in the Hardhat keystore (npx hardhat keystore set ${name})` +
          (ci ? "; Hardhat does not read its keystore when it detects CI (CI or a similar variable is set): use the environment variable there" : ""),
      );
    }
  }
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError(`--key ${name}: the value is not a 32-byte hex private key`);
  return (key.startsWith("0x") ? key : `0x${key}`) as Hex;
}

/** Reads the deployment's addresses from an Ignition deployment folder (or id) or a JSON file. */
export function loadDeployment(spec: string | undefined, chainId: number): Deployment {
  const candidates = spec
    ? [spec, join(ROOT, "ignition/deployments", spec)]
    : [join(ROOT, "ignition/deployments", `chain-${chainId}`)];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const file = statSync(c).isDirectory() ? join(c, "deployed_addresses.json") : c;
    if (!existsSync(file)) continue;
    const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    const pick = (...names: string[]): Address | undefined => {
      for (const [k, v] of Object.entries(raw)) if (names.some((n) => k === n || k.endsWith(`#${n}`))) return getAddress(v);
      return undefined;
    };
    const d = {
      token: pick("token", "HashpowerToken"),
      oracle: pick("oracle", "HashpriceOracle"),
      settlement: pick("settlement", "Settlement"),
      asset: pick("asset", "TestWBTC"),
      feed: pick("feed", "TestPriceFeed"),
      source: file,
    };
    if (!d.token || !d.oracle || !d.settlement) throw new ConfigError(`--deployment ${file}: needs the token, oracle and settlement addresses`);
    return d as Deployment;
  }
  throw new ConfigError(
    `--deployment: no deployment found (tried ${candidates.join(", ")}); pass an Ignition deployment id or folder, or a JSON file {token, oracle, settlement, asset}`,
  );
}

/** Connects to `--rpc` or `--network`. */
export async function connect(opts: GlobalOptions): Promise<Ctx> {
  let url = opts.rpc ?? process.env.RPC_URL;
  let networkKey: Resolvable | undefined;
  if (opts.network) {
    const hre = await hardhatRuntime();
    const net = hre.config.networks[opts.network] as unknown as { type: string; url?: Resolvable; accounts?: Resolvable[] | string } | undefined;
    if (!net) throw new ConfigError(`--network ${opts.network}: not in hardhat.config.ts (known: ${Object.keys(hre.config.networks).join(", ")})`);
    if (net.type !== "http" || !net.url) throw new ConfigError(`--network ${opts.network}: not an HTTP network (run \`hardhat node\` and use --rpc)`);
    try {
      url = await resolve(net.url);
    } catch (e) {
      // e.g. HHE7: Configuration Variable "SEPOLIA_RPC_URL" not found (neither in the keystore nor the environment)
      throw new ConfigError(`--network ${opts.network}: ${(e as Error).message.split("\n")[0].replace(/^HardhatError: /, "")} (set it in the environment or with npx hardhat keystore set)`);
    }
    if (Array.isArray(net.accounts) && net.accounts.length > 0) networkKey = net.accounts[0];
  }
  if (!url) throw new ConfigError("--rpc: required (or --network NAME, or RPC_URL)");
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`--rpc ${url}: not a URL`);
  }
  const probe = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new CliError(`cannot reach ${url}: ${(e as BaseError).shortMessage ?? (e as Error).message}`);
  }
  const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } });
  const transport = http(url, { retryCount: 2 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 200 });
  let wallet: WalletClient<Transport, Chain, Account> | undefined;
  let deployment: Deployment | undefined;
  return {
    publicClient,
    chainId,
    rpcUrl: url,
    opts,
    async wallet() {
      if (wallet) return wallet;
      let key: Hex;
      if (!opts.key && networkKey) key = (await resolve(networkKey)) as Hex;
      else key = await resolveKey(opts.key ?? DEFAULT_KEY);
      wallet = createWalletClient({ chain, transport, account: privateKeyToAccount(key), pollingInterval: 200 });
      return wallet;
    },
    deployment() {
      deployment ??= loadDeployment(opts.deployment ?? process.env.HASHPOWER_DEPLOYMENT, chainId);
      return deployment;
    },
  };
}

/** `0x…` → checksummed address, or a ConfigError naming `flag`. */
export function addressArg(flag: string, v: string): Address {
  if (!isAddress(v, { strict: false })) throw new ConfigError(`${flag} ${v}: not a 20-byte 0x address`);
  return getAddress(v);
}

/** Formats sats as BTC with 8 decimals. */
export const btc = (sats: bigint): string => `${formatScaled(sats, 8)} BTC`;

/** The custom error of a failed call as `Name(field=value, …)`, or the plain message. */
export function describeRevert(e: unknown): string {
  if (e instanceof BaseError) {
    const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
    if (r instanceof ContractFunctionRevertedError) {
      if (r.data?.errorName) {
        const item = r.data.abiItem as { inputs?: readonly { name?: string }[] };
        const args = (r.data.args ?? []).map((a, i) => `${item.inputs?.[i]?.name || `arg${i}`}=${fmt(a)}`);
        return `${r.data.errorName}(${args.join(", ")})`;
      }
      if (r.raw) {
        try {
          const d = decodeErrorResult({ abi: allErrors() as Abi, data: r.raw });
          return `${d.errorName}(${(d.args ?? []).map(fmt).join(", ")})`;
        } catch {
          /* unknown selector */
        }
      }
      return r.reason ? `reverted: ${r.reason}` : `reverted without reason${r.raw ? ` (data ${r.raw})` : ""}`;
    }
    return e.shortMessage;
  }
  return (e as Error).message;
}

const fmt = (a: unknown): string => (typeof a === "bigint" ? a.toString() : typeof a === "string" ? a : JSON.stringify(a, (_, v) => (typeof v === "bigint" ? v.toString() : v)));

/** Asks `question` on a terminal; true when stdin is not a terminal (scripts pass `--yes` anyway). */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return true;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const a = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(a.trim());
}

/** One contract call to send. */
export interface Call {
  contract: ContractName;
  address: Address;
  functionName: string;
  args: readonly unknown[];
  /** human description, e.g. "post 0.5 BTC of collateral for 0x…" */
  what: string;
}

/**
 * Prints `call`, simulates it (a revert is decoded and thrown before anything is sent), asks for confirmation on a
 * terminal unless `--yes`, sends, waits for the receipt and prints it with the decoded events. Returns the receipt.
 */
export async function send(ctx: Ctx, call: Call): Promise<{ receipt: TransactionReceipt; events: { eventName: string; args: Record<string, unknown> }[] }> {
  const w = await ctx.wallet();
  const abi = abiOf(call.contract);
  const args = call.args.map(fmt).join(", ");
  process.stdout.write(`will send: ${call.contract}.${call.functionName}(${args}) to ${call.address}\n  ${call.what}\n  from ${w.account.address} on chain ${ctx.chainId}\n`);
  let request: unknown;
  try {
    ({ request } = await ctx.publicClient.simulateContract({ account: w.account, address: call.address, abi, functionName: call.functionName, args: call.args } as never));
  } catch (e) {
    throw new CliError(`would revert: ${describeRevert(e)}`);
  }
  if (!ctx.opts.yes && !(await confirm("send this transaction?"))) throw new CliError("not sent (declined)");
  let hash: Hex;
  try {
    hash = await w.writeContract(request as never);
  } catch (e) {
    throw new CliError(`not sent: ${describeRevert(e)}`);
  }
  process.stdout.write(`sent ${hash}\n`);
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    // replay the call at its block to get the revert data
    try {
      await ctx.publicClient.simulateContract({ account: w.account, address: call.address, abi, functionName: call.functionName, args: call.args, blockNumber: receipt.blockNumber } as never);
    } catch (e) {
      throw new CliError(`reverted in block ${receipt.blockNumber}: ${describeRevert(e)}`);
    }
    throw new CliError(`reverted in block ${receipt.blockNumber}`);
  }
  const events = decodeEvents(receipt);
  process.stdout.write(`mined in block ${receipt.blockNumber}, gas ${receipt.gasUsed}, fee ${formatEther(receipt.gasUsed * receipt.effectiveGasPrice)} ETH\n`);
  for (const ev of events) process.stdout.write(`  event ${ev.eventName}(${Object.entries(ev.args).map(([k, v]) => `${k}=${fmt(v)}`).join(", ")})\n`);
  return { receipt, events };
}

/** Decodes the receipt's logs against every protocol ABI (unknown logs are skipped). */
export function decodeEvents(receipt: TransactionReceipt): { eventName: string; args: Record<string, unknown> }[] {
  const abis = (["HashpowerToken", "Settlement", "HashpriceOracle", "TestWBTC"] as const).map(abiOf);
  const out: { eventName: string; args: Record<string, unknown> }[] = [];
  for (const log of receipt.logs) {
    for (const abi of abis) {
      try {
        const d = decodeEventLog({ abi, data: log.data, topics: log.topics });
        out.push({ eventName: String(d.eventName), args: (d.args ?? {}) as Record<string, unknown> });
        break;
      } catch {
        /* try the next ABI */
      }
    }
  }
  return out;
}
