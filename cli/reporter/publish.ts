/**
 * Independent reporters: each `reporter sign` process holds ONE key and publishes, per final UTC day, a signed
 * document (`SignedDay`) in a folder and/or over HTTP (`GET /reports/<YYYY-MM-DD>.json`). `reporter submit`
 * (anyone) collects the documents from every location, verifies each signature (EIP-712 recovery, signer in the
 * oracle's set), groups identical reports, submits once a quorum agrees, and reports every signer whose values
 * differ (a dissent), naming the fields.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { type Address, getAddress, type Hex, type LocalAccount, recoverTypedDataAddress } from "viem";
import type { DailyReport } from "../../domain/data.js";
import { dateOfDay } from "../../domain/units.js";
import { type OracleDomain, reportTypes, type UptimeReport } from "./sign.js";

/** What one reporter publishes for one day. Integers are decimal strings. */
export interface SignedDay {
  version: 1;
  chainId: number;
  oracle: Address;
  signer: Address;
  date: string;
  report: Record<keyof DailyReport, string | number>;
  signature: Hex;
  uptime: { farm: Address; day: number; uptimeBps: number; signature: Hex }[];
}

const toJson = (r: DailyReport): SignedDay["report"] => ({
  day: r.day,
  firstHeight: r.firstHeight,
  blocks: r.blocks,
  bits: r.bits,
  subsidySats: r.subsidySats.toString(),
  feesPerBlockSats: r.feesPerBlockSats.toString(),
  btcUsdE8: r.btcUsdE8.toString(),
});

/** The report of a published document, with bigint fields. */
export const reportOf = (d: SignedDay): DailyReport => ({
  day: Number(d.report.day),
  firstHeight: Number(d.report.firstHeight),
  blocks: Number(d.report.blocks),
  bits: Number(d.report.bits),
  subsidySats: BigInt(d.report.subsidySats),
  feesPerBlockSats: BigInt(d.report.feesPerBlockSats),
  btcUsdE8: BigInt(d.report.btcUsdE8),
});

/** Signs `report` and the day's uptime with one key. */
export async function signDay(account: LocalAccount, domain: OracleDomain, report: DailyReport, uptime: UptimeReport[]): Promise<SignedDay> {
  const signature = await account.signTypedData({ domain, types: reportTypes, primaryType: "DailyReport", message: { ...report } });
  const up = await Promise.all(
    uptime.map(async (u) => ({
      farm: getAddress(u.farm),
      day: u.day,
      uptimeBps: u.uptimeBps,
      signature: await account.signTypedData({ domain, types: reportTypes, primaryType: "UptimeReport", message: { ...u, farm: getAddress(u.farm) } }),
    })),
  );
  return { version: 1, chainId: domain.chainId, oracle: domain.verifyingContract, signer: account.address, date: dateOfDay(report.day), report: toJson(report), signature, uptime: up };
}

/** A folder of published days (`<dir>/<YYYY-MM-DD>.json`), written atomically. */
export class Publication {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  has(date: string): boolean {
    return existsSync(join(this.dir, `${date}.json`));
  }
  write(doc: SignedDay): void {
    const file = join(this.dir, `${doc.date}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(doc, null, 1) + "\n");
    renameSync(`${file}.tmp`, file);
  }
  read(date: string): string | undefined {
    const file = join(this.dir, `${date}.json`);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }
  /** Serves `GET /reports/<YYYY-MM-DD>.json` (404 when not signed yet) and `GET /health` on `host`:`port` (0 = any). */
  async serve(port: number, host = "127.0.0.1"): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      if (req.url === "/health") return void res.writeHead(200).end("ok\n");
      const m = /^\/reports\/(\d{4}-\d{2}-\d{2})\.json$/.exec(req.url ?? "");
      const body = m ? this.read(m[1]) : undefined;
      if (!body) return void res.writeHead(404, { "content-type": "text/plain" }).end("not signed\n");
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((r, j) => server.once("error", j).listen(port, host, () => r()));
    const { port: p } = server.address() as { port: number };
    return { server, url: `http://${host}:${p}` };
  }
}

/** Fetches one location's document for `date`: an http(s) base URL or a folder. Undefined when absent. */
export async function fetchSigned(location: string, date: string): Promise<unknown> {
  if (/^https?:\/\//.test(location)) {
    const res = await fetch(`${location.replace(/\/$/, "")}/reports/${date}.json`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }
  const file = join(location, `${date}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** A verified document. */
export interface Verified {
  location: string;
  signer: Address;
  doc: SignedDay;
  report: DailyReport;
}

/** A problem with one location's document: unreachable, invalid, or a dissent. */
export interface Finding {
  location: string;
  signer?: Address;
  kind: "unreachable" | "invalid" | "dissent";
  detail: string;
}

/** Verifies `raw` for `domain` and `day`: fields, EIP-712 signature (recovered = claimed signer), signer in `set`. */
export async function verify(raw: unknown, location: string, domain: OracleDomain, day: number, set: Set<string>): Promise<Verified | Finding> {
  const bad = (detail: string, signer?: Address): Finding => ({ location, signer, kind: "invalid", detail });
  const d = raw as SignedDay;
  if (!d || d.version !== 1 || typeof d.signature !== "string" || !d.report) return bad("not a signed-day document");
  if (d.chainId !== domain.chainId || getAddress(d.oracle) !== domain.verifyingContract) return bad(`signed for chain ${d.chainId} oracle ${d.oracle}`);
  let report: DailyReport;
  try {
    report = reportOf(d);
  } catch {
    return bad("malformed report fields");
  }
  if (report.day !== day) return bad(`report is for day ${report.day}, not ${day}`);
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({ domain, types: reportTypes, primaryType: "DailyReport", message: { ...report }, signature: d.signature });
  } catch {
    return bad("malformed signature");
  }
  if (signer !== getAddress(d.signer)) return bad(`signature recovers ${signer}, document claims ${d.signer}`, signer);
  if (!set.has(signer.toLowerCase())) return bad(`signer ${signer} is not in the oracle's reporter set`, signer);
  for (const u of d.uptime ?? []) {
    const s = await recoverTypedDataAddress({ domain, types: reportTypes, primaryType: "UptimeReport", message: { farm: getAddress(u.farm), day: u.day, uptimeBps: u.uptimeBps }, signature: u.signature });
    if (s !== signer || u.day !== day) return bad(`uptime signature for ${u.farm} does not match the signer or day`, signer);
  }
  return { location, signer, doc: d, report };
}

const FIELDS = ["firstHeight", "blocks", "bits", "subsidySats", "feesPerBlockSats", "btcUsdE8"] as const;
const key = (r: DailyReport) => FIELDS.map((f) => String(r[f])).join("|");

/** The outcome of comparing the verified documents of one day. */
export interface Agreement {
  /** the report a quorum signed, with its signatures in ascending signer order */
  agreed?: { report: DailyReport; signers: Address[]; signatures: Hex[] };
  /** signers whose report differs from the largest group's, naming the fields */
  dissents: Finding[];
}

/** Groups `docs` by report content; the largest group wins when it reaches `quorum`; every other signer is a dissent. */
export function agree(docs: Verified[], quorum: number): Agreement {
  const groups = new Map<string, Verified[]>();
  for (const v of docs) groups.set(key(v.report), [...(groups.get(key(v.report)) ?? []), v]);
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const top = ranked[0];
  const dissents: Finding[] = [];
  if (!top) return { dissents };
  for (const g of ranked.slice(1)) {
    for (const v of g) {
      const diff = FIELDS.filter((f) => v.report[f] !== top[0].report[f]).map((f) => `${f} ${v.report[f]} vs ${top[0].report[f]}`);
      dissents.push({ location: v.location, signer: v.signer, kind: "dissent", detail: `${diff.join(", ")} (the other ${top.length} signed the latter)` });
    }
  }
  if (top.length < quorum || (ranked[1] && ranked[1].length === top.length)) return { dissents };
  const sorted = [...top].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  return { agreed: { report: top[0].report, signers: sorted.map((v) => v.signer), signatures: sorted.map((v) => v.doc.signature) }, dissents };
}

/** Uptime reports that a quorum of `docs` signed with identical values, with signatures in ascending signer order. */
export function agreeUptime(docs: Verified[], quorum: number): { reports: UptimeReport[]; signatures: Hex[][] } {
  const byFarm = new Map<Address, Map<number, { signer: Address; sig: Hex }[]>>();
  for (const v of docs) {
    for (const u of v.doc.uptime ?? []) {
      const f = getAddress(u.farm);
      const m = byFarm.get(f) ?? new Map<number, { signer: Address; sig: Hex }[]>();
      m.set(u.uptimeBps, [...(m.get(u.uptimeBps) ?? []), { signer: v.signer, sig: u.signature }]);
      byFarm.set(f, m);
    }
  }
  const reports: UptimeReport[] = [];
  const signatures: Hex[][] = [];
  for (const [farm, m] of byFarm) {
    const [bps, sigs] = [...m.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    if (sigs.length < quorum) continue;
    const sorted = [...sigs].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    reports.push({ farm, day: docs[0].report.day, uptimeBps: bps });
    signatures.push(sorted.map((s) => s.sig));
  }
  return { reports, signatures };
}
