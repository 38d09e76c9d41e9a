/**
 * Reporter configuration: validated with zod; every error names the CLI option (or environment variable) at fault.
 */
import type { Address, Hex } from "viem";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { dateOfDay, dayOfDate } from "../../domain/units.js";

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex private key");
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dateOfDay(dayOfDate(s)) === s, "not a calendar date");
const url = z.string().url("expected a URL such as http://127.0.0.1:8545");

/** The validated configuration. */
export const configSchema = z
  .object({
    rpc: url,
    /** absent: the deployment's oracle */
    oracle: z
      .string()
      .refine((s) => isAddress(s, { strict: false }), "expected a 20-byte 0x address")
      .transform((s) => getAddress(s) as Address)
      .optional(),
    keys: z
      .string()
      .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(hexKey.transform((k) => k as Hex)).min(1, "at least one key")),
    submitterKey: hexKey.transform((k) => k as Hex).optional(),
    /** absent only with `follow` (then: the last day ended on the chain) */
    from: date.optional(),
    to: date.optional(),
    follow: z.boolean().optional(),
    source: z.enum(["csv", "bitcoind"]),
    dataDir: z.string().optional(),
    bitcoindUrl: url.optional(),
    bitcoindUser: z.string().optional(),
    bitcoindPassword: z.string().optional(),
    bitcoindCookie: z.string().optional(),
    minConfirmations: z.coerce.number().int().min(1, "at least 1"),
    btcUsd: z.string().regex(/^\d+(\.\d+)?$/, "expected a decimal USD price such as 65000.25").optional(),
    uptime: z.string().optional(),
    state: z.string().optional(),
    progressEvery: z.coerce.number().int().min(1),
    pollMs: z.coerce.number().int().min(10),
    txTimeout: z.coerce.number().int().min(1),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  })
  .superRefine((c, ctx) => {
    if (c.source === "bitcoind" && !c.bitcoindUrl) ctx.addIssue({ code: "custom", path: ["bitcoindUrl"], message: "required with --source bitcoind" });
    if (!c.from && !c.follow) ctx.addIssue({ code: "custom", path: ["from"], message: "required (or --follow)" });
    if (c.to && c.from && dayOfDate(c.to) < dayOfDate(c.from)) ctx.addIssue({ code: "custom", path: ["to"], message: `before --from ${c.from}` });
  });

export type ReporterConfig = z.infer<typeof configSchema>;

const envOf: Record<string, string> = { bitcoindPassword: "BITCOIND_PASSWORD", rpc: "RPC_URL" };
/** Keys come from the environment only, never from the command line. */
const envOnly: Record<string, string> = { keys: "REPORTER_KEYS", submitterKey: "REPORTER_SUBMITTER_KEY" };

/** `camelCase` field → `--kebab-case` option (and its environment variable, if any). */
function optionName(field: string): string {
  if (envOnly[field]) return envOnly[field];
  const flag = "--" + field.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
  return envOf[field] ? `${flag} (or ${envOf[field]})` : flag;
}

/** Validates raw options; throws one error listing every bad field as `--option: message`. */
export function parseConfig(raw: Record<string, unknown>): ReporterConfig {
  const r = configSchema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const field = String(i.path[0] ?? "config");
    const msg = i.code === "invalid_type" && i.received === "undefined" ? "required" : i.message;
    // never echo a key back into logs
    return `${optionName(field)}: ${msg}`;
  });
  throw new Error(`invalid configuration:\n  ${lines.join("\n  ")}`);
}

