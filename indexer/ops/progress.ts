/**
 * Backfill progress: a log line every few seconds (and a live line on stderr when it is a terminal) with the
 * share done, blocks/s, events/s and an ETA.
 */
import type { IndexerContext } from "../context.js";

/** Starts the progress display; returns a stop function. */
export function startProgress(ctx: IndexerContext, opts: { tty: boolean; everyMs?: number }): () => void {
  const { state, log } = ctx;
  let lastLog = 0;
  let drew = false;
  const timer = setInterval(() => {
    const b = state.backfillFrom;
    const cp = state.checkpoint?.number;
    if (state.phase !== "backfill" || !b || cp === undefined) {
      if (drew) {
        process.stderr.write("\n");
        drew = false;
      }
      return;
    }
    const target = Math.max(state.finalized, cp);
    const total = Math.max(1, target - b.block + 1);
    const done = Math.max(0, cp - b.block + 1);
    const secs = Math.max(0.001, (Date.now() - b.at) / 1000);
    const bps = done / secs;
    const eps = (state.eventsIndexed - b.events) / secs;
    const eta = bps > 0 ? Math.round((target - cp) / bps) : null;
    const pct = Math.min(100, (100 * done) / total);
    if (opts.tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(
        `\r[${"#".repeat(fill)}${"-".repeat(width - fill)}] ${pct.toFixed(1)}% block ${cp}/${target} ` +
          `${Math.round(bps)} blocks/s ${Math.round(eps)} events/s eta ${eta ?? "?"}s   `,
      );
      drew = true;
    }
    if (Date.now() - lastLog >= (opts.everyMs ?? 5_000)) {
      lastLog = Date.now();
      log.info({ block: cp, target, pct: Number(pct.toFixed(1)), blocksPerSec: Math.round(bps), eventsPerSec: Math.round(eps), etaSec: eta }, "backfill");
    }
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}
