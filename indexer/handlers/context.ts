/** What handlers get besides the working set. */
import type { Batch } from "../store/entities.js";
import type { Ev } from "./decode.js";

/** Addresses handlers compare against (lowercase). */
export interface HandlerContracts {
  token: string;
  oracle?: string;
  morpho?: string;
}

/** Services available to handlers. */
export interface HandlerContext {
  /** Called when an event disagrees with the replicated contract model (e.g. accumulator value). */
  mismatch(ev: Ev, what: string, expected: unknown, got: unknown): void;
  contracts: HandlerContracts;
}

/** Batch-local facts gathered while prefetching (before any row is loaded). */
export interface PrefetchScope {
  /** payout asset of series created earlier in this range */
  seriesAssets: Map<bigint, string>;
  /** series of wrappers created earlier in this range */
  wrapperSeries: Map<string, bigint>;
  /** wrapper of adapter markets registered earlier in this range */
  adapterMarkets: Map<string, string>;
  contracts: HandlerContracts;
  /** work to do once the first round of rows is loaded (e.g. keys that depend on a series' asset) */
  later: (() => void)[];
}

/** One event type's handler: declare keys to load, then apply the event to the working set. */
export interface Handler {
  prefetch(ev: Ev, b: Batch, scope: PrefetchScope): void;
  apply(ev: Ev, b: Batch, ctx: HandlerContext): void;
}

/** Event-row fields of `ev`. */
export function ref(ev: Ev) {
  return { block_number: ev.block, log_index: ev.logIndex, tx_hash: ev.tx };
}

/** JSON-safe copy of decoded arguments (bigints → strings). */
export function jsonArgs(args: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/** A handler that records an admin event and sets `kv[contract, key(ev)] = value(ev)`. */
export function adminHandler(kv?: (ev: Ev) => [key: string, value: string][]): Handler {
  return {
    prefetch(ev, b) {
      for (const [k] of kv?.(ev) ?? []) b.kv.want(ev.contract, k);
    },
    apply(ev, b) {
      b.adminEvents.add({ ...ref(ev), contract: ev.contract, event: ev.name, args: jsonArgs(ev.args) });
      for (const [key, value] of kv?.(ev) ?? []) {
        b.kv.touch(ev.block, [ev.contract, key], () => ({ contract: ev.contract, key, value })).value = value;
      }
    },
  };
}

/** Handlers of the OpenZeppelin AccessControl and Pausable events. */
export const accessControlHandlers: Record<string, Handler> = {
  RoleGranted: adminHandler((ev) => [[`role:${ev.args.role}:${ev.args.account}`, "true"]]),
  RoleRevoked: adminHandler((ev) => [[`role:${ev.args.role}:${ev.args.account}`, "false"]]),
  RoleAdminChanged: adminHandler((ev) => [[`roleAdmin:${ev.args.role}`, ev.args.newAdminRole]]),
  Paused: adminHandler(() => [["paused", "true"]]),
  Unpaused: adminHandler(() => [["paused", "false"]]),
  // ParameterTimelock: `change:<id>` is the eta (unix seconds) while pending, then "executed" or "cancelled"
  ChangeProposed: adminHandler((ev) => [[`change:${ev.args.id}`, String(ev.args.eta)]]),
  ChangeExecuted: adminHandler((ev) => [[`change:${ev.args.id}`, "executed"]]),
  ChangeCancelled: adminHandler((ev) => [[`change:${ev.args.id}`, "cancelled"]]),
};
