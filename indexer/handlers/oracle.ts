/** Oracle (`IHashpriceOracle`) handlers: daily reports with their inputs, farm uptimes, governance. */
import type { DailyReportRow } from "../store/entities.js";
import { accessControlHandlers, adminHandler, ref, type Handler } from "./context.js";
import type { Ev } from "./decode.js";

function report(status: "final" | "pending"): Handler {
  return {
    prefetch: (ev, b) => b.dailyReports.want(Number(ev.args.day)),
    apply(ev, b) {
      const a = ev.args;
      const values: DailyReportRow = {
        day: Number(a.day), status, first_height: Number(a.firstHeight), blocks: Number(a.blocks), bits: Number(a.bits),
        subsidy_sats: a.subsidySats, fees_per_block_sats: a.feesPerBlockSats, hashprice_e18: a.hashpriceE18, btc_usd_e8: a.btcUsdE8,
        price_from_feed: a.priceFromFeed, violations: a.violations === undefined ? null : Number(a.violations),
      };
      Object.assign(b.dailyReports.touch(ev.block, [values.day], () => values), values);
    },
  };
}

const reporterSet = (ev: Ev): [string, string][] => [
  ["reporters", (ev.args.reporters as string[]).map((r) => r.toLowerCase()).join(",")],
  ["quorum", String(ev.args.quorum)],
];

/** Oracle event handlers by event name. */
export const oracleHandlers: Record<string, Handler> = {
  ...accessControlHandlers,
  DailyReportFinalized: report("final"),
  DailyReportPending: report("pending"),
  DailyReportRejected: {
    prefetch: (ev, b) => b.dailyReports.want(Number(ev.args.day)),
    apply(ev, b) {
      const r = b.dailyReports.get(Number(ev.args.day));
      if (r) b.dailyReports.touch(ev.block, [r.day]).status = "rejected";
    },
  },
  UptimeReported: {
    prefetch: () => {},
    apply(ev, b) {
      b.uptimes.add({ ...ref(ev), farm: ev.args.farm, day: Number(ev.args.day), uptime_bps: Number(ev.args.uptimeBps) });
    },
  },
  ReporterSetProposed: adminHandler((ev) => [
    ["proposedReporters", (ev.args.reporters as string[]).map((r) => r.toLowerCase()).join(",")],
    ["proposedQuorum", String(ev.args.quorum)],
    ["proposalEta", String(ev.args.eta)],
  ]),
  ReporterSetChanged: adminHandler(reporterSet),
  ReporterSetCancelled: adminHandler(),
  EIP712DomainChanged: adminHandler(),
  PriceFeedSet: adminHandler((ev) => [["priceFeed", ev.args.feed], ["priceFeedHeartbeat", String(ev.args.heartbeat)]]),
};
