/**
 * Options of the replay (`npm start` and the end-to-end test), validated with zod. Every error names the
 * command-line option at fault, e.g. `--holders: must be at least 2`.
 */
import { z } from "zod";
import { dayRange, defaultDataDir, loadDays, type DayInputs } from "../../domain/data.js";
import { dateOfDay, dayOfDate } from "../../domain/units.js";

/** Fewest days a replay may cover (the series plan needs room for a late series). */
export const MIN_DAYS = 10;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dateOfDay(dayOfDate(s)) === s, "not a calendar date");
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ invalid_type_error: "expected a number" })
    .int("expected an integer")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Defaults of `npm start`. */
export const DEFAULTS = {
  from: "2023-10-01",
  to: "2024-09-30",
  holders: 24,
  seed: 1,
  speed: 0,
  progressEvery: 30,
  port: 8545,
  apiPort: 42069,
} as const;

/** The option schema. */
export const optionsSchema = z
  .object({
    /** first replayed UTC day (ISO date) */
    from: isoDate.default(DEFAULTS.from),
    /** last replayed UTC day, inclusive */
    to: isoDate.default(DEFAULTS.to),
    /** token holders (funded accounts that buy, trade and claim) */
    holders: int(2, 500).default(DEFAULTS.holders),
    /** seed of every pseudo-random choice (uptime outages, trades, claims) */
    seed: int(0, 2 ** 32 - 1).default(DEFAULTS.seed),
    /** throttle: at most this many days per second (0 = as fast as possible) */
    speed: z.coerce.number({ invalid_type_error: "expected a number" }).min(0, "must be ≥ 0").default(DEFAULTS.speed),
    /** a progress line every this many days */
    progressEvery: int(1).default(DEFAULTS.progressEvery),
    /** JSON-RPC port of the local Hardhat node (0 = any free port) */
    port: int(0, 65_535).default(DEFAULTS.port),
    /** HTTP port of the indexer's GraphQL API (0 = any free port) */
    apiPort: int(0, 65_535).default(DEFAULTS.apiPort),
    /** PostgreSQL URL for the indexer; default: PGlite in a temporary folder */
    databaseUrl: z
      .string()
      .refine((s) => /^postgres(ql)?:\/\//.test(s), "expected postgres://user:password@host:port/database")
      .optional(),
    /** folder with the real data CSV files (default: $HASHPOWER_DATA_DIR, else ../shared/data beside the repo) */
    dataDir: z.string().min(1, "must not be empty").optional(),
    /** leave the chain and the API running after the summary, until Ctrl-C */
    keepRunning: z.boolean().default(false),
    /** print progress and summary (false in tests) */
    quiet: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.port !== 0 && o.port === o.apiPort) ctx.addIssue({ code: "custom", path: ["apiPort"], message: `same as --port ${o.port}` });
  });

/** Raw options as a caller gives them (all optional). */
export type ReplayOptionsInput = z.input<typeof optionsSchema>;
/** Validated options. */
export type ReplayOptions = z.output<typeof optionsSchema>;

/** `camelCase` field → `--kebab-case` option name. */
export function optionName(field: string): string {
  return "--" + field.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/** Bad options: `message` lists every problem as `--option: reason`. */
export class OptionsError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid options:\n  ${issues.join("\n  ")}`);
    this.name = "OptionsError";
  }
}

/** Options plus the real data of the replayed range and of the warm-up day before it. */
export interface ResolvedOptions extends ReplayOptions {
  fromDay: number;
  toDay: number;
  /** the replayed days, in order (real inputs from the data folder) */
  days: DayInputs[];
  /** the day before `from`: reported first so the oracle has a trailing hashprice when series are issued */
  warmup: DayInputs;
}

/**
 * Validates `input` (applying defaults) and loads the range from the data files.
 * Throws `OptionsError` naming each bad option, including a range outside the data.
 */
export function resolveOptions(input: ReplayOptionsInput): ResolvedOptions {
  const r = optionsSchema.safeParse(input);
  if (!r.success) {
    throw new OptionsError(r.error.issues.map((i) => `${i.path.length ? optionName(String(i.path[0])) : "options"}: ${i.message}`));
  }
  const o = r.data;
  const fromDay = dayOfDate(o.from);
  const toDay = dayOfDate(o.to);
  if (toDay < fromDay) throw new OptionsError([`--to: ${o.to} is before --from ${o.from}`]);
  if (toDay - fromDay + 1 < MIN_DAYS) throw new OptionsError([`--to: the range must cover at least ${MIN_DAYS} days (${o.from}..${o.to} has ${toDay - fromDay + 1})`]);
  let all: Map<number, DayInputs>;
  try {
    all = loadDays(o.dataDir ?? defaultDataDir());
  } catch (e) {
    throw new OptionsError([`--data-dir: ${(e as Error).message}`]);
  }
  let days: DayInputs[];
  let warmup: DayInputs[];
  try {
    warmup = dayRange(all, dateOfDay(fromDay - 1), dateOfDay(fromDay - 1));
  } catch (e) {
    throw new OptionsError([`--from: ${(e as Error).message} (the replay also reports the day before --from)`]);
  }
  try {
    days = dayRange(all, o.from, o.to);
  } catch (e) {
    throw new OptionsError([`--from/--to: ${(e as Error).message}`]);
  }
  return { ...o, fromDay, toDay, days, warmup: warmup[0] };
}
