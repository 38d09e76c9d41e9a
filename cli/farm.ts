/**
 * Farm and holder commands: register (admin), series quote/create, mint, collateral post/withdraw, fund, status,
 * claim, statement. Amounts of the payout asset are given and shown in BTC (8 decimals = sats); hashrate in TH/s;
 * days as YYYY-MM-DD (UTC).
 */
import { type Address, getAddress } from "viem";
import { perThDay, owedForDay, type FormulaTerms } from "../domain/settlement.js";
import { dateOfDay, dayOfDate, dayOfTimestamp, formatScaled, parseDecimal } from "../domain/units.js";
import { abiOf } from "./lib/abi.js";
import { addressArg, btc, CliError, ConfigError, type Ctx, send } from "./lib/context.js";

/** `IHashpowerToken.SeriesTerms` as the contracts take it. */
export interface SeriesTerms extends FormulaTerms {
  farm: Address;
  payoutAsset: Address;
  hashrateThs: bigint;
  startDay: number;
}

/** Raw options of `series quote|create`. */
export interface TermsOptions {
  farm?: string;
  asset?: string;
  hashrate: string;
  start: string;
  term: string;
  efficiency: string;
  poolFeeBps: string;
  slaBps: string;
  powerCost: string;
  serviceFee: string;
}

const intArg = (flag: string, v: string, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ConfigError(`${flag} ${v}: expected an integer in ${min}..${max}`);
  return Number(v);
};
const decArg = (flag: string, v: string, decimals: number): bigint => {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new ConfigError(`${flag} ${v}: expected a non-negative decimal number`);
  const [, frac = ""] = v.split(".");
  if (frac.length > decimals) throw new ConfigError(`${flag} ${v}: at most ${decimals} decimals`);
  return parseDecimal(v, decimals);
};
const dateArg = (flag: string, v: string): number => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || dateOfDay(dayOfDate(v)) !== v) throw new ConfigError(`${flag} ${v}: expected a calendar date YYYY-MM-DD`);
  return dayOfDate(v);
};
/** BTC amount → sats, naming `flag` on bad input. */
export const btcArg = (flag: string, v: string): bigint => {
  v = v.replace(/^(\d+\.\d*?)0+$/, "$1").replace(/\.$/, "");
  const s = decArg(flag, v, 8);
  if (s === 0n) throw new ConfigError(`${flag} ${v}: must be > 0`);
  return s;
};

async function signer(ctx: Ctx): Promise<Address> {
  return (await ctx.wallet()).account.address;
}

function asset(ctx: Ctx, flag?: string): Address {
  if (flag) return addressArg("--asset", flag);
  const a = ctx.deployment().asset;
  if (!a) throw new ConfigError("--asset: required (the deployment has no dev payout asset)");
  return a;
}

/** Reads a view function. */
export async function read<T>(ctx: Ctx, contract: "HashpowerToken" | "Settlement" | "HashpriceOracle" | "TestWBTC", address: Address, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return (await ctx.publicClient.readContract({ address, abi: abiOf(contract), functionName, args } as never)) as T;
}

/** Series terms from the options (farm defaults to the signer, asset to the deployment's payout asset). */
export async function termsOf(ctx: Ctx, o: TermsOptions): Promise<SeriesTerms> {
  return {
    farm: o.farm ? addressArg("--farm", o.farm) : await signer(ctx),
    payoutAsset: asset(ctx, o.asset),
    hashrateThs: BigInt(intArg("--hashrate", o.hashrate, 1)),
    startDay: dateArg("--start", o.start),
    termDays: intArg("--term", o.term, 1, 100_000),
    efficiencyJPerThE3: Number(decArg("--efficiency", o.efficiency, 3)),
    poolFeeBps: intArg("--pool-fee-bps", o.poolFeeBps, 0, 10_000),
    slaBps: intArg("--sla-bps", o.slaBps, 0, 10_000),
    powerCostUsdPerKWhE6: Number(decArg("--power-cost", o.powerCost, 6)),
    serviceFeeUsdPerThDayE6: Number(decArg("--service-fee", o.serviceFee, 6)),
  };
}

const describeTerms = (t: SeriesTerms) =>
  `${t.hashrateThs} TH/s from ${dateOfDay(t.startDay)} for ${t.termDays} days (${t.hashrateThs * BigInt(t.termDays)} units), ` +
  `${formatScaled(BigInt(t.efficiencyJPerThE3), 3)} J/TH, pool fee ${t.poolFeeBps} bps, SLA ${t.slaBps} bps, ` +
  `power $${formatScaled(BigInt(t.powerCostUsdPerKWhE6), 6)}/kWh, service $${formatScaled(BigInt(t.serviceFeeUsdPerThDayE6), 6)}/TH/s·day`;

/** `farm register`: the admin registers (or re-registers) a farm with its capacity. */
export async function farmRegister(ctx: Ctx, farm: string, o: { capacity: string; name: string }) {
  const f = addressArg("farm", farm);
  const cap = BigInt(intArg("--capacity", o.capacity, 1));
  if (!o.name) throw new ConfigError("--name: required");
  await send(ctx, { contract: "HashpowerToken", address: ctx.deployment().token, functionName: "registerFarm", args: [f, cap, o.name], what: `register farm "${o.name}" ${f} with ${cap} TH/s of capacity` });
}

/** `series quote`: the collateral a new series needs (the settlement's `quoteCollateral`) and what is posted. */
export async function seriesQuote(ctx: Ctx, o: TermsOptions) {
  const t = await termsOf(ctx, o);
  const d = ctx.deployment();
  const [need, posted] = await Promise.all([
    read<bigint>(ctx, "Settlement", d.settlement, "quoteCollateral", [t]),
    read<bigint>(ctx, "Settlement", d.settlement, "collateral", [t.farm, t.payoutAsset]),
  ]);
  process.stdout.write(`series: ${describeTerms(t)}\ncollateral required after creation: ${btc(need)}\ncollateral posted: ${btc(posted)}\n`);
  process.stdout.write(need > posted ? `post ${btc(need - posted)} more first: hashpower collateral post ${formatScaled(need - posted, 8)}\n` : "enough collateral: hashpower series create … will pass\n");
}

/**
 * `series create`: issues a series; prints its id. With `--top-up-collateral`, first posts what the quote lacks plus
 * `--margin-bps` (the requirement follows the trailing hashprice, which moves with every daily report).
 */
export async function seriesCreate(ctx: Ctx, o: TermsOptions & { topUpCollateral?: boolean; marginBps: string }) {
  const t = await termsOf(ctx, o);
  if (o.topUpCollateral) {
    const margin = BigInt(intArg("--margin-bps", o.marginBps, 0, 100_000));
    const d = ctx.deployment();
    const [need, posted] = await Promise.all([
      read<bigint>(ctx, "Settlement", d.settlement, "quoteCollateral", [t]),
      read<bigint>(ctx, "Settlement", d.settlement, "collateral", [t.farm, t.payoutAsset]),
    ]);
    const target = (need * (10_000n + margin) + 9_999n) / 10_000n;
    if (target > posted) await collateral(ctx, "post", formatScaled(target - posted, 8), { asset: t.payoutAsset, farm: t.farm });
  }
  const { events } = await send(ctx, { contract: "HashpowerToken", address: ctx.deployment().token, functionName: "createSeries", args: [t], what: `create a series: ${describeTerms(t)}` });
  const created = events.find((e) => e.eventName === "SeriesCreated");
  if (created) process.stdout.write(`series id ${created.args.id}\n`);
}

/** `mint`: the farm mints units of its series to a buyer. */
export async function mint(ctx: Ctx, o: { series: string; to: string; units: string }) {
  const id = BigInt(intArg("--series", o.series, 1));
  const to = addressArg("--to", o.to);
  const units = BigInt(intArg("--units", o.units, 1));
  await send(ctx, { contract: "HashpowerToken", address: ctx.deployment().token, functionName: "mint", args: [to, id, units, "0x"], what: `mint ${units} units (TH/s·days) of series ${id} to ${to}` });
}

/** Approves the settlement for `amount` of `asset` when the allowance is short (its own printed transaction). */
async function ensureAllowance(ctx: Ctx, assetAddr: Address, amount: bigint) {
  const d = ctx.deployment();
  const owner = await signer(ctx);
  const have = await read<bigint>(ctx, "TestWBTC", assetAddr, "allowance", [owner, d.settlement]);
  if (have >= amount) return;
  await send(ctx, { contract: "TestWBTC", address: assetAddr, functionName: "approve", args: [d.settlement, amount], what: `allow the settlement to pull ${btc(amount)}` });
}

/** `collateral post|withdraw`. */
export async function collateral(ctx: Ctx, action: "post" | "withdraw", amount: string, o: { asset?: string; farm?: string; to?: string }) {
  const sats = btcArg("amount", amount);
  const a = asset(ctx, o.asset);
  const d = ctx.deployment();
  if (action === "post") {
    const farm = o.farm ? addressArg("--farm", o.farm) : await signer(ctx);
    await ensureAllowance(ctx, a, sats);
    await send(ctx, { contract: "Settlement", address: d.settlement, functionName: "postCollateral", args: [farm, a, sats], what: `post ${btc(sats)} of collateral for farm ${farm}` });
  } else {
    const to = o.to ? addressArg("--to", o.to) : await signer(ctx);
    await send(ctx, { contract: "Settlement", address: d.settlement, functionName: "withdrawCollateral", args: [a, sats, to], what: `withdraw ${btc(sats)} of collateral to ${to}` });
  }
}

/** One series of a farm, with what it needs per day at the trailing hashprice. */
interface SeriesView {
  id: bigint;
  terms: SeriesTerms;
  supply: bigint;
  minted: bigint;
  settledDays: number;
  debt: bigint;
  /** sats owed per day at full uptime, trailing hashprice and latest BTC/USD (0 outside the term) */
  dailyNeed: bigint;
}

/** The farm's state: series, balances, requirement and the per-day need at the trailing hashprice. */
export async function farmState(ctx: Ctx, farm: Address, assetAddr: Address) {
  const d = ctx.deployment();
  const [info, ids, balance, coll, required, farmDebt, trailing] = await Promise.all([
    read<[boolean, bigint, string]>(ctx, "HashpowerToken", d.token, "farmInfo", [farm]),
    read<bigint[]>(ctx, "Settlement", d.settlement, "farmSeries", [farm]),
    read<bigint>(ctx, "Settlement", d.settlement, "payoutBalance", [farm, assetAddr]),
    read<bigint>(ctx, "Settlement", d.settlement, "collateral", [farm, assetAddr]),
    read<bigint>(ctx, "Settlement", d.settlement, "requiredCollateral", [farm, assetAddr]),
    read<bigint>(ctx, "Settlement", d.settlement, "farmDebt", [farm, assetAddr]),
    read<readonly [bigint, number]>(ctx, "HashpriceOracle", d.oracle, "trailingHashprice"),
  ]);
  const [hashpriceE18, trailingDay] = trailing;
  const btcUsdE8 = trailingDay > 0 ? await read<bigint>(ctx, "HashpriceOracle", d.oracle, "btcUsdE8", [trailingDay]).catch(() => 0n) : 0n;
  const block = await ctx.publicClient.getBlock();
  const today = dayOfTimestamp(block.timestamp);
  const series: SeriesView[] = await Promise.all(
    ids.map(async (id) => {
      const [t, st, settledDays, debt] = await Promise.all([
        read<SeriesTerms>(ctx, "HashpowerToken", d.token, "seriesTerms", [id]),
        read<{ supply: bigint; minted: bigint }>(ctx, "HashpowerToken", d.token, "seriesState", [id]),
        read<number>(ctx, "Settlement", d.settlement, "settledDays", [id]),
        read<bigint>(ctx, "Settlement", d.settlement, "debt", [id]),
      ]);
      const active = settledDays < t.termDays && today < t.startDay + t.termDays + 2;
      const dailyNeed = active && hashpriceE18 > 0n && btcUsdE8 > 0n && getAddress(t.payoutAsset) === assetAddr ? owedForDay(t, perThDay(t, hashpriceE18, 10_000, btcUsdE8), st.supply).owed : 0n;
      return { id, terms: t, supply: st.supply, minted: st.minted, settledDays, debt, dailyNeed };
    }),
  );
  const dailyNeed = series.reduce((s, x) => s + x.dailyNeed, 0n);
  return { registered: info[0], capacityThs: info[1], name: info[2], series, balance, collateral: coll, required, farmDebt, hashpriceE18, trailingDay, btcUsdE8, today, dailyNeed };
}

/** `fund`: deposits enough for `days` days of payouts at the trailing hashprice (top-up), or `--amount`. */
export async function fund(ctx: Ctx, o: { days: string; amount?: string; asset?: string; farm?: string }) {
  const a = asset(ctx, o.asset);
  const farm = o.farm ? addressArg("--farm", o.farm) : await signer(ctx);
  let sats: bigint;
  let what: string;
  if (o.amount) {
    sats = btcArg("--amount", o.amount);
    what = `deposit ${btc(sats)} into farm ${farm}'s payout balance`;
  } else {
    const days = BigInt(intArg("--days", o.days, 1, 3650));
    const s = await farmState(ctx, farm, a);
    if (s.dailyNeed === 0n) throw new CliError("nothing to fund: no active series with holders, or the oracle has no final day yet (use --amount)");
    const target = s.dailyNeed * days + s.farmDebt;
    if (s.balance >= target) {
      process.stdout.write(`runway already ${formatScaled((s.balance * 100n) / s.dailyNeed, 2)} days ≥ ${days}: nothing to send\n`);
      return;
    }
    sats = target - s.balance;
    what = `deposit ${btc(sats)}: ${days} day(s) × ${btc(s.dailyNeed)} per day at the trailing hashprice${s.farmDebt ? ` + ${btc(s.farmDebt)} of debt` : ""} − balance ${btc(s.balance)}`;
  }
  await ensureAllowance(ctx, a, sats);
  await send(ctx, { contract: "Settlement", address: ctx.deployment().settlement, functionName: "deposit", args: [farm, a, sats], what });
}

/** `status`: capacity, series, runway, collateral, debt and the next required action. */
export async function status(ctx: Ctx, o: { farm?: string; asset?: string; json?: boolean }) {
  const a = asset(ctx, o.asset);
  const farm = o.farm ? addressArg("--farm", o.farm) : await signer(ctx);
  const s = await farmState(ctx, farm, a);
  const runway = s.dailyNeed > 0n ? Number((s.balance * 100n) / s.dailyNeed) / 100 : undefined;
  const actions: string[] = [];
  if (!s.registered) actions.push("ask the farm admin to register this farm (hashpower farm register)");
  if (s.farmDebt > 0n) actions.push(`fund: ${btc(s.farmDebt)} of debt to holders is repaid first from the next deposit`);
  if (s.collateral < s.required) actions.push(`collateral post ${formatScaled(s.required - s.collateral, 8)} (below the requirement)`);
  if (runway !== undefined && runway < 1) actions.push("fund --days 7 (less than one day of payouts left: collateral is slashed next)");
  else if (runway !== undefined && runway < 3) actions.push(`fund --days 7 (runway ${runway} days)`);
  if (s.registered && s.series.length === 0) actions.push("series quote, collateral post, series create");
  for (const x of s.series) if (x.minted === 0n) actions.push(`mint units of series ${x.id}`);
  const next = actions[0] ?? `none (runway ${runway ?? "∞"} days)`;
  if (o.json) {
    process.stdout.write(JSON.stringify({ ...s, runwayDays: runway, next, actions }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
    return;
  }
  const out: string[] = [];
  out.push(`farm ${farm}${s.registered ? ` "${s.name}"` : " (not registered)"}: capacity ${s.capacityThs} TH/s; chain day ${dateOfDay(s.today)}`);
  out.push(`oracle: trailing hashprice ${s.trailingDay ? `${formatScaled(s.hashpriceE18 / 10n ** 16n, 2)} sats/TH/s·day on ${dateOfDay(s.trailingDay)}, BTC $${formatScaled(s.btcUsdE8 / 10n ** 6n, 2)}` : "none final yet"}`);
  out.push(` id  TH/s  term                     supply/cap      settled  debt             per day (full uptime)`);
  for (const x of s.series) {
    const t = x.terms;
    out.push(
      `${String(x.id).padStart(3)}  ${String(t.hashrateThs).padStart(4)}  ${dateOfDay(t.startDay)}..${dateOfDay(t.startDay + t.termDays - 1)}  ${`${x.supply}/${t.hashrateThs * BigInt(t.termDays)}`.padEnd(14)}  ${`${x.settledDays}/${t.termDays}`.padEnd(7)}  ${btc(x.debt).padEnd(15)}  ${btc(x.dailyNeed)}`,
    );
  }
  out.push(`payout balance ${btc(s.balance)}; need ${btc(s.dailyNeed)} per day → runway ${runway === undefined ? "n/a" : `${runway} days`}`);
  out.push(`collateral ${btc(s.collateral)} (required ${btc(s.required)}); debt ${btc(s.farmDebt)}`);
  out.push(`next: ${next}`);
  process.stdout.write(out.join("\n") + "\n");
}

/** `claim`: claims the signer's yield of the given series. */
export async function claim(ctx: Ctx, o: { series: string; to?: string }) {
  const ids = o.series.split(",").map((s) => BigInt(intArg("--series", s.trim(), 1)));
  const me = await signer(ctx);
  const to = o.to ? addressArg("--to", o.to) : me;
  const d = ctx.deployment();
  const amounts = await Promise.all(ids.map((id) => read<bigint>(ctx, "HashpowerToken", d.token, "claimable", [me, id])));
  const total = amounts.reduce((s, x) => s + x, 0n);
  await send(ctx, { contract: "HashpowerToken", address: d.token, functionName: "claim", args: [ids, to], what: `claim ${btc(total)} (${ids.map((id, i) => `series ${id}: ${btc(amounts[i])}`).join(", ")}) to ${to}` });
}

/** `statement --csv`: the indexer's daily statement of an account in a series (GET /statement.csv). */
export async function statement(o: { account: string; series: string; from?: string; to?: string; indexer: string; csv?: boolean }) {
  const account = addressArg("--account", o.account);
  const q = new URLSearchParams({ account, seriesId: String(intArg("--series", o.series, 1)) });
  // the indexer needs both ends: by default the last 3,660 days (its longest window) up to today (UTC)
  const to = o.to ? dateArg("--to", o.to) : Math.floor(Date.now() / 86_400_000);
  const from = o.from ? dateArg("--from", o.from) : Math.max(0, to - 3_659);
  q.set("from", String(from));
  q.set("to", String(to));
  const url = `${o.indexer.replace(/\/$/, "")}/statement.csv?${q}`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CliError(`cannot reach the indexer at ${o.indexer} (--indexer): ${(e as Error).message}`);
  }
  const body = await res.text();
  if (!res.ok) throw new CliError(`indexer ${url}: HTTP ${res.status}: ${body.slice(0, 300)}`);
  process.stdout.write(body.endsWith("\n") ? body : body + "\n");
}

/** `faucet` (local chains only): mints the dev payout asset (TestWBTC, open mint). */
export async function faucet(ctx: Ctx, amount: string, o: { to?: string }) {
  const sats = btcArg("amount", amount);
  const a = ctx.deployment().asset;
  if (!a) throw new ConfigError("--deployment: has no dev payout asset (TestWBTC)");
  const to = o.to ? addressArg("--to", o.to) : await signer(ctx);
  await send(ctx, { contract: "TestWBTC", address: a, functionName: "mint", args: [to, sats], what: `mint ${btc(sats)} of the dev payout asset to ${to}` });
}

