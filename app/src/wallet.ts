/// <reference lib="dom" />
/**
 * The injected EIP-1193 wallet (window.ethereum): connect, check the network, send `claim`. The call data is encoded
 * with viem (`encodeFunctionData`); requests go straight to the provider (viem's client factories would triple the
 * bundle for the four RPC methods used here).
 */
import { encodeFunctionData, type EIP1193Provider } from "viem";
import { hashpowerTokenAbi } from "../../client/generated/abis.js";

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

export interface Wallet {
  account: `0x${string}`;
  chainId: number;
}

/** The injected provider, or null when there is none. */
export const injected = (): EIP1193Provider | null => window.ethereum ?? null;

/** Asks the wallet for its account and reads its chain. */
export async function connect(): Promise<Wallet> {
  const eth = injected();
  if (!eth) throw new Error("No browser wallet found (an EIP-1193 provider such as MetaMask or Rabby). You can still paste an address.");
  const [account] = (await eth.request({ method: "eth_requestAccounts" })) as `0x${string}`[];
  if (!account) throw new Error("The wallet gave no account.");
  return { account, chainId: Number(await eth.request({ method: "eth_chainId" })) };
}

/** Asks the wallet to switch to `chainId`. */
export async function switchChain(chainId: number): Promise<void> {
  await injected()!.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chainId.toString(16)}` }] });
}

/** Sends `claim([id], account)` from the wallet and waits for the receipt (polled every 500 ms, up to 2 minutes). */
export async function claim(token: `0x${string}`, id: bigint, account: `0x${string}`) {
  const eth = injected()!;
  const data = encodeFunctionData({ abi: hashpowerTokenAbi, functionName: "claim", args: [[id], account] });
  const hash = (await eth.request({ method: "eth_sendTransaction", params: [{ from: account, to: token, data }] })) as `0x${string}`;
  for (let i = 0; i < 240; i++) {
    const r = (await eth.request({ method: "eth_getTransactionReceipt", params: [hash] })) as { status: string; blockNumber: string } | null;
    if (r) {
      if (r.status !== "0x1") throw new Error(`the claim transaction ${hash} reverted`);
      return { hash, block: Number(r.blockNumber) };
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`no receipt for ${hash} after 2 minutes`);
}

/** A wallet error in words (user rejection, revert reason). */
export function walletMessage(e: unknown): string {
  const x = e as { shortMessage?: string; message?: string; code?: number };
  if (x?.code === 4001 || /rejected/i.test(x?.message ?? "")) return "You rejected the request in the wallet.";
  return x?.shortMessage ?? x?.message ?? String(e);
}
