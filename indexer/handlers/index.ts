/**
 * Applies one block range of decoded events to the store: prefetch the rows the events touch (two rounds, as a
 * settlement's pool key depends on its series), apply the handlers in (block, log index) order in memory, then
 * write everything with set-based statements. Runs inside the range's transaction.
 */
import type { Tx } from "../store/db.js";
import { createBatch, flushBatch, loadBatch } from "../store/entities.js";
import type { ContractName } from "../abi.js";
import type { Handler, HandlerContext, PrefetchScope } from "./context.js";
import type { Ev } from "./decode.js";
import { oracleHandlers } from "./oracle.js";
import { settlementHandlers } from "./settlement.js";
import { tokenHandlers } from "./token.js";
import { morphoHandlers, valuationOracleHandlers, wrapperFactoryHandlers, wrapperHandlers } from "./defi.js";

/** All handlers, by contract and event name. */
export const handlers: Record<ContractName, Record<string, Handler>> = {
  token: tokenHandlers,
  oracle: oracleHandlers,
  settlement: settlementHandlers,
  wrapperFactory: wrapperFactoryHandlers,
  wrapper: wrapperHandlers,
  morpho: morphoHandlers,
  valuationOracle: valuationOracleHandlers,
};

/** Applies `events` (already in chain order) and writes the result with `sql`. Returns rows written. */
export async function applyEvents(sql: Tx, events: Ev[], ctx: HandlerContext): Promise<number> {
  if (events.length === 0) return 0;
  const b = createBatch();
  const scope: PrefetchScope = { seriesAssets: new Map(), wrapperSeries: new Map(), contracts: ctx.contracts, later: [] };
  const hs = events.map((ev) => handlers[ev.contract][ev.name]);
  events.forEach((ev, i) => hs[i]?.prefetch(ev, b, scope));
  await loadBatch(sql, b);
  if (scope.later.length > 0) {
    for (const f of scope.later) f();
    await loadBatch(sql, b);
  }
  events.forEach((ev, i) => hs[i]?.apply(ev, b, ctx));
  return flushBatch(sql, b);
}
