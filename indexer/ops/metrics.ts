/**
 * Prometheus metrics (prom-client), in a registry per indexer so several can run in one process (tests).
 * Rates: `rate(indexer_blocks_total[1m])`, `rate(indexer_events_total[1m])`; the gauges `indexer_blocks_per_second`
 * and `indexer_events_per_second` give the same over the last ~10 s without PromQL.
 */
import client from "prom-client";

/** Creates the registry and metrics. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "indexer_" });
  const r = [registry];
  const m = {
    registry,
    blocks: new client.Counter({ name: "indexer_blocks_total", help: "Blocks indexed", registers: r }),
    events: new client.Counter({ name: "indexer_events_total", help: "Contract events indexed", registers: r }),
    blocksPerSecond: new client.Gauge({ name: "indexer_blocks_per_second", help: "Blocks indexed per second (last ~10 s)", registers: r }),
    eventsPerSecond: new client.Gauge({ name: "indexer_events_per_second", help: "Events indexed per second (last ~10 s)", registers: r }),
    checkpoint: new client.Gauge({ name: "indexer_checkpoint_block", help: "Last fully indexed block", registers: r }),
    head: new client.Gauge({ name: "indexer_head_block", help: "Chain head seen by the last poll", registers: r }),
    lag: new client.Gauge({ name: "indexer_lag_blocks", help: "Head minus checkpoint", registers: r }),
    rpcRequests: new client.Counter({ name: "indexer_rpc_requests_total", help: "JSON-RPC requests", labelNames: ["method"], registers: r }),
    rpcErrors: new client.Counter({
      name: "indexer_rpc_errors_total",
      help: "JSON-RPC failures by kind (range, rate_limit, timeout, network, server, rpc)",
      labelNames: ["method", "kind"],
      registers: r,
    }),
    rpcDuration: new client.Histogram({
      name: "indexer_rpc_duration_seconds",
      help: "JSON-RPC request latency",
      labelNames: ["method"],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    batchDuration: new client.Histogram({
      name: "indexer_range_duration_seconds",
      help: "Time to fetch, apply and commit one block range",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    getLogsRange: new client.Gauge({ name: "indexer_getlogs_range_blocks", help: "Current adaptive eth_getLogs range", registers: r }),
    reorgs: new client.Counter({ name: "indexer_reorgs_total", help: "Reorgs handled", registers: r }),
    reorgDepth: new client.Gauge({ name: "indexer_last_reorg_depth_blocks", help: "Blocks rolled back by the last reorg", registers: r }),
    syncErrors: new client.Counter({ name: "indexer_sync_errors_total", help: "Failed sync steps (retried)", registers: r }),
    crossChecks: new client.Counter({
      name: "indexer_cross_check_failures_total",
      help: "Ranges refetched because a cross-check failed: bloom (eth_getLogs vs logsBloom), hash (checkpoint hash not confirmed), model (event vs contract model)",
      labelNames: ["kind"],
      registers: r,
    }),
    falseAlarms: new client.Counter({
      name: "indexer_false_alarms_total",
      help: "Answers that looked like a reorg but were not: stale_head (head below our still-canonical tip), reorg (fork at the checkpoint itself)",
      labelNames: ["kind"],
      registers: r,
    }),
    ready: new client.Gauge({ name: "indexer_ready", help: "1 when /ready answers 200", registers: r }),
    healthy: new client.Gauge({ name: "indexer_healthy", help: "1 when /health answers 200 (0 after a fatal error)", registers: r }),
    notReady: new client.Gauge({
      name: "indexer_not_ready",
      help: "1 for each reason /ready answers 503: database, head_unreadable, head_stalled, lag, inconsistent, stopping, fatal, starting",
      labelNames: ["reason"],
      registers: r,
    }),
    mismatches: new client.Counter({
      name: "indexer_model_mismatch_total",
      help: "Events whose values disagree with the replicated contract model (should stay 0)",
      registers: r,
    }),
  };
  return m;
}

/** The indexer's metrics. */
export type Metrics = ReturnType<typeof createMetrics>;

/** Tracks a rate over a sliding window of samples. */
export class RateWindow {
  private samples: { t: number; n: number }[] = [];
  constructor(private readonly windowMs = 10_000) {}
  add(n: number, t = Date.now()): void {
    this.samples.push({ t, n });
    while (this.samples.length > 0 && this.samples[0].t < t - this.windowMs) this.samples.shift();
  }
  /** Units per second over the window. */
  rate(t = Date.now()): number {
    const live = this.samples.filter((s) => s.t >= t - this.windowMs);
    if (live.length === 0) return 0;
    const span = Math.max(1_000, t - live[0].t);
    return (live.reduce((a, s) => a + s.n, 0) * 1000) / span;
  }
}
