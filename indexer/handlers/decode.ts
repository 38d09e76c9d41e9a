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
  /** emitting contract, lowercase */
  address: string;
  name: string;
  args: Record<string, any>;
  block: number;
  logIndex: number;
  tx: string;
}

const TRANSFER_SINGLE = toEventSelector(
  "TransferSingle(address,address,address,uint256,uint256)",
) as string;

/** Selector of `SeriesWrapperFactory.WrapperCreated` (its wrappers are found from it). */
export const WRAPPER_CREATED = toEventSelector("WrapperCreated(uint256,address)") as Hex;
const oracleEvent = (name: string) => abis.valuationOracle.find((x) => x.type === "event" && x.name === name) as AbiEvent;
/** Selector of `ISeriesValuationOracle.Configured` (valuation oracles are found from it, at any address). */
export const CONFIGURED = toEventSelector(oracleEvent("Configured"));
/** Selector of `ISeriesValuationOracle.DayRecorded` (fetched at any address with `Configured`; the handler keeps
 *  those of the oracles it follows). */
export const DAY_RECORDED = toEventSelector(oracleEvent("DayRecorded"));
/** The valuation oracles' events fetched at any address. */
export const VALUATION_ORACLE_TOPICS = [CONFIGURED, DAY_RECORDED];

/** Event items of an ABI by selector. */
function bySelector(abi: readonly unknown[]): Map<string, AbiEvent> {
  const events = new Map<string, AbiEvent>();
  for (const item of abi as AbiEvent[]) if (item.type === "event") events.set(toEventSelector(item), item);
  return events;
}

/**
 * Builds a decoder for the configured contract addresses. `isWrapper(address)` tells a wrapper of the factory
 * (found by the sync from `WrapperCreated`); with `valuationOracles`, a `Configured` or `DayRecorded` log from any
 * other address is decoded as a valuation oracle's (the handlers keep those of the factory's wrappers).
 */
export function createDecoder(
  addresses: Partial<Record<ContractName, string>>,
  opts: { isWrapper?: (address: string) => boolean; valuationOracles?: boolean } = {},
) {
  const byAddress = new Map<string, { name: ContractName; events: Map<string, AbiEvent> }>();
  for (const [name, addr] of Object.entries(addresses) as [ContractName, string | undefined][]) {
    if (addr) byAddress.set(addr.toLowerCase(), { name, events: bySelector(abis[name]) });
  }
  const wrapper = { name: "wrapper" as const, events: bySelector(abis.wrapper) };
  const oracle = { name: "valuationOracle" as const, events: bySelector(abis.valuationOracle) };
  // Strings repeated across logs (addresses, the emitting contract, a transaction's hash) are kept once: a write batch
  // holds tens of thousands of events, and each parsed log brings its own copies (bounded caches, cleared when full).
  const addressOf = new Map<string, string>();
  const addr = (topic: string) => {
    let a = addressOf.get(topic);
    if (a === undefined) {
      if (addressOf.size >= 100_000) addressOf.clear();
      addressOf.set(topic, (a = "0x" + topic.slice(26)));
    }
    return a;
  };
  const lower = new Map<string, string>();
  let lastTx = "";

  /** Decodes one log; returns null for events outside the ABIs (logged by the caller). */
  return function decode(log: RawLog): Ev | null {
    let address = lower.get(log.address);
    if (address === undefined) {
      if (lower.size >= 10_000) lower.clear();
      lower.set(log.address, (address = log.address.toLowerCase()));
    }
    if (log.topics.length === 0) return null;
    const c =
      byAddress.get(address) ??
      (opts.isWrapper?.(address) ? wrapper : opts.valuationOracles && VALUATION_ORACLE_TOPICS.includes(log.topics[0] as Hex) ? oracle : undefined);
    if (!c) return null;
    const block = Number(log.blockNumber);
    const logIndex = Number(log.logIndex);
    const tx = log.transactionHash === lastTx ? lastTx : (lastTx = log.transactionHash);
    const sel = log.topics[0];
    if (sel === TRANSFER_SINGLE && c.name === "token" && log.topics.length === 4 && log.data.length === 130) {
      return {
        contract: "token",
        address,
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
    return { contract: c.name, address, name: d.eventName as string, args, block, logIndex, tx };
  };
}
