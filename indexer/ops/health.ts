/**
 * Health and readiness, truthful: `/health` is 503 once the sync stopped for good (with the reason) and `/ready`
 * is 503 whenever an answer could be wrong or stale, naming each reason:
 *
 * | reason            | when                                                                              |
 * |-------------------|-----------------------------------------------------------------------------------|
 * | `fatal`           | the sync stopped (deep reorg, persistent model mismatch); also `/health` 503      |
 * | `stopping`        | `stop()` was called (SIGINT/SIGTERM)                                              |
 * | `starting`        | nothing indexed or no head read yet                                               |
 * | `database`        | `SELECT 1` failed or took longer than 5 s                                         |
 * | `head_unreadable` | the head could not be read for `stallTimeoutMs`                                   |
 * | `head_stalled`    | the head has not advanced for `stallTimeoutMs` (a stalled node or a stale answer) |
 * | `inconsistent`    | a cross-check failed (model, bloom, hash) and the range is being refetched        |
 * | `lag`             | more than `readyLagBlocks` behind the head                                        |
 * | `writer`          | (API replicas) the writer stopped or has not published its status for `stallTimeoutMs` |
 *
 * The gauges `indexer_ready`, `indexer_healthy` and `indexer_not_ready{reason}` expose the same.
 */
import type { IndexerContext } from "../context.js";

/** Why `/ready` answers 503. */
export type NotReadyReason = "fatal" | "stopping" | "starting" | "database" | "head_unreadable" | "head_stalled" | "inconsistent" | "lag" | "writer";

const REASONS: NotReadyReason[] = ["fatal", "stopping", "starting", "database", "head_unreadable", "head_stalled", "inconsistent", "lag", "writer"];

/** One reason with a human-readable detail. */
export interface Reason {
  reason: NotReadyReason;
  detail: string;
}

/** The reasons known without asking the database (used by `_meta.ready` too). */
export function syncReasons(ctx: IndexerContext, now = Date.now()): Reason[] {
  const { state, config } = ctx;
  const out: Reason[] = [];
  if (state.fatal) out.push({ reason: "fatal", detail: state.fatal.message });
  if (state.stopping) out.push({ reason: "stopping", detail: "the indexer is stopping" });
  if (!state.checkpoint || state.head === null) out.push({ reason: "starting", detail: "nothing indexed or no head read yet" });
  if (state.head !== null) {
    const t = config.stallTimeoutMs;
    if (now - state.headAt > t) {
      out.push({ reason: "head_unreadable", detail: `the head could not be read for ${Math.round((now - state.headAt) / 1000)} s (${state.lastError ?? "no error recorded"})` });
    } else if (now - state.headAdvancedAt > t) {
      out.push({ reason: "head_stalled", detail: `the head has not advanced past ${state.head} for ${Math.round((now - state.headAdvancedAt) / 1000)} s` });
    }
  }
  if (state.inconsistent) out.push({ reason: "inconsistent", detail: state.inconsistent });
  if (state.writer) {
    const age = now - state.writer.statusAt;
    if (state.writer.phase === "stopped") out.push({ reason: "writer", detail: "the writer (sync) stopped" });
    else if (state.writer.statusAt > 0 && age > config.stallTimeoutMs) out.push({ reason: "writer", detail: `the writer (sync) has not published its status for ${Math.round(age / 1000)} s` });
  }
  if (state.head !== null && state.checkpoint && state.head - state.checkpoint.number > config.readyLagBlocks) {
    out.push({ reason: "lag", detail: `${state.head - state.checkpoint.number} blocks behind the head (at most ${config.readyLagBlocks})` });
  }
  return out;
}

/** All reasons, the database probe included (`SELECT 1` within `timeoutMs`). */
export async function readiness(ctx: IndexerContext, timeoutMs = 5_000): Promise<Reason[]> {
  const out = syncReasons(ctx);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ctx.db.query("SELECT 1"),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } catch (e) {
    out.push({ reason: "database", detail: `the database cannot be queried: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}` });
  } finally {
    clearTimeout(timer);
  }
  const { metrics } = ctx;
  metrics.ready.set(out.length === 0 ? 1 : 0);
  metrics.healthy.set(ctx.state.fatal ? 0 : 1);
  for (const r of REASONS) metrics.notReady.set({ reason: r }, out.some((x) => x.reason === r) ? 1 : 0);
  return out;
}
