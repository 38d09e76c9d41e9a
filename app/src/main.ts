/// <reference lib="dom" />
/**
 * The holder's web app, served by the indexer at `/`: positions per series (direct, wrapped, as Morpho collateral;
 * claimable, claimed, remaining TH/s·days, value in sats and USD), a lender's view of borrowing positions, per-series
 * charts, the daily statement with CSV download, and Claim through an injected wallet. Live: polls the indexer's
 * block every 2 s and refreshes on a new one. `/?account=0x…` opens an address directly.
 */
import "./style.css";
import { ApiError, HISTORY, META, POSITIONS, STATEMENT, gql, loadConfig, type AppConfig } from "./api.js";
import { renderCharts, type HistoryDay } from "./chart.js";
import { btc, dateOfDay, dayOfDate, decSats, pct, sats, scaled, short, units, usd } from "./format.js";
import { claim, connect, injected, switchChain, walletMessage, type Wallet } from "./wallet.js";
import { valuePosition } from "../../domain/yield.js";
import type { CollateralHolding, Position, Statement, StatementDay, StatementTotals } from "../../client/index.js";

const state = {
  config: null as AppConfig | null,
  account: null as string | null,
  wallet: null as Wallet | null,
  block: null as number | null,
  today: 0,
  positions: [] as Position[],
  series: null as string | null,
  from: null as number | null,
  to: null as number | null,
  busy: false,
  historyAt: 0,
};

/** Creates an element: h("td", { class: "num", "data-testid": "x" }, "text", child). */
function h(tag: string, attrs: Record<string, string | boolean | ((e: Event) => void) | undefined> = {}, ...kids: (Node | string | null | undefined)[]) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of kids) if (c !== null && c !== undefined) el.append(c);
  return el;
}
const $ = (id: string) => document.getElementById(id)!;

function shell() {
  const params = new URLSearchParams(location.search);
  $("app").replaceChildren(
    h("header", {},
      h("h1", {}, "hashpower ", h("span", { class: "muted" }, "your hash power, day by day")),
      h("form", { id: "lookup", onsubmit: (e) => { e.preventDefault(); show((($("address") as HTMLInputElement).value).trim()); } },
        h("input", { id: "address", placeholder: "Paste an address (0x…) or connect a wallet", value: params.get("account") ?? "", spellcheck: "false", size: "46" }),
        h("button", { type: "submit" }, "Show"),
        h("button", { type: "button", id: "connect", onclick: onConnect }, "Connect wallet"),
      ),
      h("div", { id: "status", class: "muted" }, "connecting to the indexer…"),
    ),
    h("div", { id: "message", role: "alert" }),
    h("section", { id: "positions" }),
    h("section", { id: "loans" }),
    h("section", { id: "charts" }),
    h("section", { id: "statement" }),
  );
}

/** Shows a message in words (kind: error | info | ok); empty text clears it. */
function say(text: string, kind: "error" | "info" | "ok" = "error", id = "message") {
  const el = $(id);
  el.className = text ? `msg ${kind}` : "";
  el.textContent = text;
}

function status() {
  const c = state.config;
  const parts = [
    c ? `chain ${c.chainId}` : "",
    state.block !== null ? `indexed block ${state.block}` : "",
    state.today ? `today ${dateOfDay(state.today)} (UTC)` : "",
    state.wallet ? `wallet ${short(state.wallet.account)} on chain ${state.wallet.chainId}` : injected() ? "wallet not connected" : "no browser wallet",
  ].filter(Boolean);
  $("status").replaceChildren(h("span", { "data-testid": "block", "data-block": String(state.block ?? "") }, parts.join(" · ")));
  document.body.dataset.block = String(state.block ?? "");
}

async function onConnect() {
  try {
    state.wallet = await connect();
    checkNetwork();
    (document.getElementById("address") as HTMLInputElement).value = state.wallet.account;
    await show(state.wallet.account);
  } catch (e) {
    say(walletMessage(e));
  }
  status();
}

/** Wrong network: the wallet's chain is not the indexer's. Returns true when it matches. */
function checkNetwork(): boolean {
  const want = state.config?.chainId;
  if (!state.wallet || want === undefined || state.wallet.chainId === want) return true;
  const el = $("message");
  el.className = "msg error";
  el.replaceChildren(
    `Wrong network: your wallet is on chain ${state.wallet.chainId}, this indexer follows chain ${want}. Claims are disabled until you switch. `,
    h("button", { onclick: async () => {
      try {
        await switchChain(want);
        state.wallet = await connect();
        say("");
        render();
      } catch (e) {
        say(walletMessage(e));
      }
    } }, `Switch to chain ${want}`),
  );
  return false;
}

async function show(address: string) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    say(address ? `"${address}" is not an address: expected 0x followed by 40 hexadecimal characters.` : "Paste an address or connect a wallet.");
    return;
  }
  state.account = address.toLowerCase();
  state.series = null;
  history.replaceState(null, "", `?account=${state.account}`);
  say("");
  await refresh(true);
}

/** Loads positions and the statement (and the charts when `charts`), then renders. */
async function refresh(charts = false) {
  if (!state.account || state.busy) return;
  state.busy = true;
  try {
    const d = await gql(POSITIONS, { a: state.account });
    state.block = d._meta.block;
    // the day of the indexed block (the chain's clock, not the browser's: a replayed chain lives in the past)
    state.today = Math.floor((d._meta.timestamp ? Date.parse(d._meta.timestamp) : Date.now()) / 86_400_000);
    state.positions = d.account.positions;
    if (state.to === null) {
      state.to = state.today;
      state.from = state.today - 29;
    }
    if (!state.series || !state.positions.some((p) => p.seriesId === state.series)) state.series = state.positions[0]?.seriesId ?? null;
    render();
    await loadStatement();
    if (charts || Date.now() - state.historyAt > 15_000) await loadCharts();
    if ($("message").classList.contains("down")) say("");
  } catch (e) {
    report(e);
  } finally {
    state.busy = false;
    status();
  }
}

function report(e: unknown) {
  if (e instanceof ApiError && e.kind === "down") {
    say(`${e.message} Retrying every 2 s; the numbers below are from block ${state.block ?? "–"}.`);
    $("message").classList.add("down");
  } else say(e instanceof Error ? e.message : String(e));
}

function render() {
  const ps = state.positions;
  const sec = $("positions");
  if (ps.length === 0) {
    sec.replaceChildren(h("h2", {}, "Positions"), h("p", { class: "msg info", "data-testid": "empty" },
      `No positions for ${state.account} on chain ${state.config?.chainId}: this address holds no series here, directly, wrapped or as collateral. Check the address and the network.`));
    $("loans").replaceChildren();
    $("charts").replaceChildren();
    return;
  }
  const canClaim = !!state.wallet && state.wallet.account.toLowerCase() === state.account && checkNetwork();
  const rows = ps.map((p) => {
    const s = p.series;
    const wrapped = BigInt(p.wrapped?.balance ?? 0);
    const coll = p.collateral.reduce((a: bigint, c: CollateralHolding) => a + BigInt(c.collateral ?? 0), 0n);
    const total = BigInt(p.totalUnits);
    // the holder's view of every unit (direct + wrapped + collateral): remaining production at the trailing net yield
    const v = valuePosition({
      balance: total, startDay: s.startDay, termDays: s.termDays, today: state.today,
      netPerThsDayE18: BigInt(p.valuation.netPerThsDaySatsE18), btcUsdE8: p.valuation.btcUsdE8 === null ? null : BigInt(p.valuation.btcUsdE8),
    });
    const t = (k: string) => `pos-${p.seriesId}-${k}`;
    return h("tr", {},
      h("td", {}, `#${p.seriesId}`, h("div", { class: "muted" }, `${s.farm.name} · ${scaled(s.hashrateThs, 0, 0)} TH/s · ${dateOfDay(s.startDay)}..${dateOfDay(s.lastDay)} · ${s.status}`)),
      h("td", { class: "num", "data-testid": t("direct") }, units(p.balance)),
      h("td", { class: "num", "data-testid": t("wrapped") }, units(wrapped)),
      h("td", { class: "num", "data-testid": t("collateral") }, units(coll)),
      h("td", { class: "num", "data-testid": t("claimable") }, sats(p.claimableSats),
        BigInt(p.totalClaimableSats) > BigInt(p.claimableSats) ? h("div", { class: "muted" }, `+ ${sats(BigInt(p.totalClaimableSats) - BigInt(p.claimableSats))} in shares`) : null),
      h("td", { class: "num", "data-testid": t("claimed") }, sats(p.claimedSats)),
      h("td", { class: "num", "data-testid": t("remaining") }, `${scaled(v.remainingThsDaysE6, 6, 2)} TH/s·days`, h("div", { class: "muted" }, `${v.remainingDays} days left`)),
      h("td", { class: "num", "data-testid": t("value") }, sats(v.valueSats), h("div", { class: "muted" }, `${btc(v.valueSats)} · ${usd(v.valueUsdE8)}`)),
      h("td", {}, h("button", {
        "data-testid": t("claim"),
        disabled: !canClaim || p.claimableSats === "0",
        title: !state.wallet ? "Connect the wallet of this address to claim" : !canClaim ? "The connected wallet is another address or network" : p.claimableSats === "0" ? "Nothing to claim" : "Send claim through your wallet",
        onclick: () => onClaim(p.seriesId, p.claimableSats),
      }, "Claim")),
    );
  });
  const tot = (k: "claimableSats" | "claimedSats") => ps.reduce((a, p) => a + BigInt(p[k]), 0n);
  sec.replaceChildren(
    h("h2", {}, "Positions"),
    h("table", {},
      h("thead", {}, h("tr", {}, ...["Series", "Direct", "Wrapped", "As collateral", "Claimable", "Claimed", "Remaining", "Value (holder's view)", ""].map((x) => h("th", {}, x)))),
      h("tbody", {}, ...rows),
      h("tfoot", {}, h("tr", {}, h("td", {}, "Total"), h("td", {}), h("td", {}), h("td", {}),
        h("td", { class: "num", "data-testid": "total-claimable" }, sats(tot("claimableSats"))), h("td", { class: "num" }, sats(tot("claimedSats"))), h("td", {}), h("td", {}), h("td", {}))),
    ),
    h("p", { class: "muted" }, "One unit = one TH/s·day of the series' production, credited over its term. Value: remaining TH/s·days × the series' trailing 30-day net yield (no haircut); USD at the oracle's latest BTC/USD. Wrapped and collateral units carry their yield in the wrapper's shares (unwrap to receive it)."),
    h("div", { id: "claim-result" }),
  );
  renderLoans();
}

function renderLoans() {
  const loans = state.positions.flatMap((p) => p.collateral.filter((c) => BigInt(c.borrowedAssets ?? 0) > 0n).map((c) => ({ p, c })));
  if (loans.length === 0) return $("loans").replaceChildren();
  $("loans").replaceChildren(
    h("h2", {}, "Borrowing against your units (Morpho Blue)"),
    h("table", {},
      h("thead", {}, h("tr", {}, ...["Series / market", "Collateral", "Debt", "LTV", "LLTV", "Health factor", "Liquidation price", "State"].map((x) => h("th", {}, x)))),
      h("tbody", {}, ...loans.map(({ p, c }) => h("tr", {},
        h("td", {}, `#${p.seriesId}`, h("div", { class: "muted" }, short(c.marketId))),
        h("td", { class: "num" }, units(c.collateral ?? "0"), h("div", { class: "muted" }, `${decSats(c.collateralSats)} at the market's valuation · ${usd(c.collateralUsdE8)}`)),
        h("td", { class: "num", "data-testid": `loan-${p.seriesId}-debt` }, decSats(c.debtSats), h("div", { class: "muted" }, usd(c.debtUsdE8))),
        h("td", { class: "num", "data-testid": `loan-${p.seriesId}-ltv` }, pct(c.ltvBps)),
        h("td", { class: "num" }, pct(c.lltvBps)),
        h("td", { class: "num", "data-testid": `loan-${p.seriesId}-health` }, c.healthFactor ?? "–"),
        h("td", { class: "num" }, `${decSats(c.liquidationPriceSats, 2)}/share`, h("div", { class: "muted" }, c.liquidationPriceUsdE8 ? `${usd(c.liquidationPriceUsdE8)}/share` : "")),
        h("td", {}, c.healthy === null ? "no price yet" : c.healthy ? h("span", { class: "good" }, "healthy") : h("span", { class: "bad" }, "liquidatable")),
      ))),
    ),
    h("p", { class: "muted" }, "LTV = debt ÷ collateral at the market's oracle price; the position can be liquidated when LTV exceeds the LLTV (health factor below 1). Liquidation price: the share price at which that happens."),
  );
}

async function loadCharts() {
  const p = state.positions.find((x) => x.seriesId === state.series);
  const sec = $("charts");
  if (!p) return sec.replaceChildren();
  const s = p.series;
  const to = Math.min(s.lastDay, state.today);
  const tabs = state.positions.map((x) => h("button", { class: x.seriesId === state.series ? "tab on" : "tab", onclick: () => { state.series = x.seriesId; loadCharts().catch(report); } }, `Series #${x.seriesId}`));
  const pool = s.farm.pools[0];
  const box = h("div", { class: "chart" });
  sec.replaceChildren(
    h("h2", {}, "Series"), h("div", { class: "tabs" }, ...tabs),
    h("p", {}, `${s.farm.name}: collateral posted ${pool ? sats(pool.collateralSats) : "–"}, payout balance ${pool ? sats(pool.payoutBalanceSats) : "–"}, debt to its series ${sats(s.farm.debtSats)}.`),
    box,
  );
  if (to < s.startDay) return (box.textContent = `The term starts on ${dateOfDay(s.startDay)}.`);
  const d = await gql(HISTORY, { id: s.id, from: s.startDay, to });
  state.historyAt = Date.now();
  renderCharts(box, d.yieldHistory.days as HistoryDay[], d.yieldHistory.termDays);
}

const STATEMENT_COLS: [Exclude<keyof StatementTotals & keyof StatementDay, "__typename">, string][] = [
  ["grossSats", "Gross"], ["poolFeeSats", "Pool fee"], ["downtimeSats", "Downtime"], ["compensationSats", "Compensation"],
  ["electricitySats", "Electricity"], ["serviceSats", "Service"], ["unpaidSats", "Unpaid"], ["netSats", "Net"],
  ["repaidSats", "Repaid"], ["claimedSats", "Claimed"],
];

async function loadStatement() {
  const from = state.from!;
  const to = state.to!;
  const d = (await gql<{ statement: Statement }>(STATEMENT, { a: state.account, from, to })).statement;
  const csv = `/statement.csv?account=${state.account}&from=${from}&to=${to}`;
  const dateInput = (id: string, day: number) => h("input", { type: "date", id, value: dateOfDay(day), onchange: (e) => {
    const v = dayOfDate((e.target as HTMLInputElement).value);
    if (Number.isNaN(v)) return;
    if (id === "from") state.from = v;
    else state.to = v;
    loadStatement().catch(report);
  } });
  $("statement").replaceChildren(
    h("h2", {}, "Daily statement"),
    h("div", { class: "controls" }, "From ", dateInput("from", from), " to ", dateInput("to", to), " ",
      h("a", { href: csv, download: "", "data-testid": "csv", class: "button" }, "Download CSV")),
    h("table", { class: "statement" },
      h("thead", {}, h("tr", {}, h("th", {}, "Date"), h("th", {}, "Series"), h("th", {}, "Units (TH/s·days)"), ...STATEMENT_COLS.map(([, l]) => h("th", {}, `${l} (sats)`)))),
      h("tbody", {}, ...d.days.map((r) => h("tr", { "data-testid": `st-${r.seriesId}-${r.day}` },
        h("td", { class: "date" }, r.date), h("td", {}, `#${r.seriesId}`), h("td", { class: "num" }, r.units === null ? "–" : scaled(r.units, 0, 0)),
        ...STATEMENT_COLS.map(([k]) => h("td", { class: "num" }, scaled(r[k], 0, 0)))))),
      h("tfoot", {}, h("tr", {}, h("td", {}, "Total"), h("td", {}), h("td", {}), ...STATEMENT_COLS.map(([k]) => h("td", { class: "num", "data-testid": `st-total-${k}` }, scaled(d.totals[k], 0, 0))))),
    ),
    d.days.length === 0 ? h("p", { class: "muted" }, `Nothing in ${dateOfDay(from)}..${dateOfDay(to)}.`) : "",
    h("p", { class: "muted", "data-testid": "st-check" }, d.complete
      ? `All your credits are in this window: net + repaid = ${sats(BigInt(d.totals.netSats) + BigInt(d.totals.repaidSats))} = claimed ${sats(d.claimedSats)} + claimable ${sats(d.claimableSats)}.`
      : `Earned so far in these series: ${sats(d.accruedSats)} (claimed ${sats(d.claimedSats)} + claimable ${sats(d.claimableSats)}); widen the window to see every day.`),
    h("p", { class: "muted" }, "Per day, on the units you held directly when the day was settled: gross = hashprice × (1 − pool fee); net = gross − downtime + compensation − electricity − service − unpaid, as the token credited it (whole sats, rounding carried). Unpaid: your part of what the farm could not pay that day, repaid later (Repaid)."),
  );
}

async function onClaim(id: string, claimable: string) {
  const out = $("claim-result");
  if (!state.wallet || !state.config) return;
  out.className = "msg info";
  out.textContent = `Claiming ${sats(claimable)} of series #${id}: confirm in your wallet…`;
  try {
    const r = await claim(state.config.token, BigInt(id), state.wallet.account);
    out.className = "msg ok";
    out.setAttribute("data-testid", "claim-ok");
    out.textContent = `Claimed series #${id} in transaction ${r.hash} (block ${r.block}). Waiting for the indexer…`;
    for (let i = 0; i < 60 && (state.block ?? 0) < r.block; i++) {
      await new Promise((res) => setTimeout(res, 500));
      await poll();
    }
    await refresh();
    $("claim-result").className = "msg ok";
    $("claim-result").setAttribute("data-testid", "claim-ok");
    $("claim-result").textContent = `Claimed series #${id} in transaction ${r.hash} (block ${r.block}); sent to ${short(state.wallet.account)}.`;
  } catch (e) {
    out.className = "msg error";
    out.textContent = `Claim failed: ${walletMessage(e)}`;
  }
}

/** Live: reads the indexed block; refreshes on a new one. */
async function poll() {
  try {
    const m = (await gql(META))._meta;
    const changed = m.block !== state.block;
    if ($("message").classList.contains("down")) say("");
    if (changed && state.account) await refresh();
    else {
      state.block = m.block;
      status();
    }
  } catch (e) {
    report(e);
  }
}

async function main() {
  shell();
  try {
    state.config = await loadConfig();
  } catch (e) {
    report(e);
  }
  const eth = injected();
  eth?.on?.("accountsChanged", (a: string[]) => a[0] && state.wallet && (state.wallet.account = a[0] as `0x${string}`, show(a[0])));
  eth?.on?.("chainChanged", (c: string) => state.wallet && ((state.wallet.chainId = Number(c)), render(), status()));
  const a = new URLSearchParams(location.search).get("account");
  if (a) await show(a);
  else await poll();
  status();
  setInterval(() => void (state.config ? poll() : loadConfig().then((c) => ((state.config = c), say(""), poll()), report)), 2_000);
}

main();
