/**
 * Raw JSON-RPC logs → decoded events, routed by contract address. TransferSingle, the hot path of a backfill,
 * is decoded by hand (fixed layout); everything else goes through viem's `decodeEventLog`.
 */
import { decodeEventLog, toEventSelector, type AbiEvent, type Hex } from "viem";
import { abis, type ContractName } from "../abi.js";

/** A log as returned by `eth_getLogs` (hex quantities). */
export interface RawLog {
  address: string;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  logIndex: Hex;
  transactionHash: Hex;
  removed?: boolean;
}

/** A decoded event with its position. */
export interface Ev {
  contract: ContractName;
  name: string;
  args: Record<string, any>;
  block: number;
  logIndex: number;
  tx: string;
}

const TRANSFER_SINGLE = toEventSelector(
  "TransferSingle(address,address,address,uint256,uint256)",
) as string;

/** Builds a decoder for the configured contract addresses. */
export function createDecoder(addresses: Partial<Record<ContractName, string>>) {
  const byAddress = new Map<string, { name: ContractName; events: Map<string, AbiEvent> }>();
  for (const [name, addr] of Object.entries(addresses) as [ContractName, string | undefined][]) {
    if (!addr) continue;
    const events = new Map<string, AbiEvent>();
    for (const item of abis[name]) if (item.type === "event") events.set(toEventSelector(item), item);
    byAddress.set(addr.toLowerCase(), { name, events });
  }
  const addr = (topic: string) => "0x" + topic.slice(26);

  /** Decodes one log; returns null for events outside the ABIs (logged by the caller). */
  return function decode(log: RawLog): Ev | null {
    const c = byAddress.get(log.address.toLowerCase());
    if (!c || log.topics.length === 0) return null;
    const block = Number(log.blockNumber);
    const logIndex = Number(log.logIndex);
    const tx = log.transactionHash;
    const sel = log.topics[0];
    if (sel === TRANSFER_SINGLE && c.name === "token" && log.topics.length === 4 && log.data.length === 130) {
      return {
        contract: "token",
        name: "TransferSingle",
        args: {
          operator: addr(log.topics[1]),
          from: addr(log.topics[2]),
          to: addr(log.topics[3]),
          id: BigInt("0x" + log.data.slice(2, 66)),
          value: BigInt("0x" + log.data.slice(66, 130)),
        },
        block,
        logIndex,
        tx,
      };
    }
    const item = c.events.get(sel);
    if (!item) return null;
    const d = decodeEventLog({ abi: [item], topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
    const args: Record<string, any> = {};
    for (const [k, v] of Object.entries(d.args as Record<string, unknown>)) {
      args[k] = typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v;
    }
    return { contract: c.name, name: d.eventName as string, args, block, logIndex, tx };
  };
}
