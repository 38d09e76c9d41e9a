/// <reference lib="dom" />
/** Per-series charts (uPlot): daily hashprice and net yield per unit with 7/30-day averages; uptime and compensation. */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { e18ToNumber } from "./format.js";

export interface HistoryDay {
  day: number;
  hashpriceE18: string;
  uptimeBps: number;
  netPerUnitSatsE18: string;
  trailing7NetPerUnitSatsE18: string;
  trailing30NetPerUnitSatsE18: string;
  compensationPerUnitSatsE18: string;
}

/** x axis: UTC dates, at least 70 px apart, at whole days */
const axisDate: uPlot.Axis = {
  space: 70,
  incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 91 * 86_400, 182 * 86_400, 365 * 86_400],
  values: (_: uPlot, ticks: number[]) => ticks.map((t) => new Date(t * 1000).toISOString().slice(0, 10)),
};

/** Renders the two charts of one series into `el` (replacing what was there). */
export function renderCharts(el: HTMLElement, days: HistoryDay[], termDays: number): void {
  el.replaceChildren();
  if (days.length === 0) {
    el.textContent = "No settled day yet: the chart starts with the first settlement.";
    return;
  }
  const width = Math.max(320, Math.min(900, el.clientWidth || 900));
  const x = days.map((d) => d.day * 86_400);
  // the hashprice is per TH/s·day; one unit earns net ÷ termDays per day, so the unit yields are × termDays to share the axis
  const perThs = (v: string) => e18ToNumber(v) * termDays;
  new uPlot(
    {
      title: "Daily hashprice and net yield (sats per TH/s·day)",
      width, height: 260,
      scales: { x: { time: true } },
      axes: [axisDate, { label: "sats / TH/s·day" }],
      series: [
        {},
        { label: "hashprice (sats/TH/s·day)", stroke: "#f7931a", width: 1.5 },
        { label: "net yield (sats/TH/s·day)", stroke: "#2a7ab0", width: 1 },
        { label: "net 7-day avg", stroke: "#1b9e77", width: 2 },
        { label: "net 30-day avg", stroke: "#7570b3", width: 2, dash: [6, 4] },
      ],
    },
    [x, days.map((d) => e18ToNumber(d.hashpriceE18)), days.map((d) => perThs(d.netPerUnitSatsE18)),
      days.map((d) => perThs(d.trailing7NetPerUnitSatsE18)), days.map((d) => perThs(d.trailing30NetPerUnitSatsE18))] as uPlot.AlignedData,
    el,
  );
  new uPlot(
    {
      title: "Farm uptime (%) and compensation (sats per TH/s·day)",
      width, height: 200,
      scales: { x: { time: true }, pct: { range: [0, 100] } },
      axes: [axisDate, { scale: "pct", label: "uptime %" }, { scale: "sats", side: 1, label: "sats / TH/s·day", grid: { show: false } }],
      series: [
        {},
        { label: "uptime (%)", scale: "pct", stroke: "#444", width: 1.5 },
        { label: "compensation (sats/TH/s·day)", scale: "sats", stroke: "#d95f02", width: 1.5, fill: "rgba(217,95,2,0.15)" },
      ],
    },
    [x, days.map((d) => d.uptimeBps / 100), days.map((d) => perThs(d.compensationPerUnitSatsE18))] as uPlot.AlignedData,
    el,
  );
}
