/**
 * Independent reporters as separate processes: five `reporter sign` processes, one key each (three publish over
 * HTTP and keep following, two write folders), one of them reading a corrupted copy of the data (fees of one day
 * ×3); one `reporter submit` collects, verifies, submits what a quorum agrees on and reports the dissenter; a
 * document signed by a key outside the oracle's set is reported as invalid.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { loadDays } from "../../domain/data.js";
import { dateOfDay, dayOfDate } from "../../domain/units.js";
import { hashpriceOracleAbi, Status } from "../../cli/reporter/abi.js";
import { Publication, signDay } from "../../cli/reporter/publish.js";
import { oracleDomain } from "../../cli/reporter/sign.js";
import { defaultDataDir } from "../../domain/data.js";
import { freePort } from "../../scripts/replay/chain.js";
import { ADDR, cli, cliEnv, daemon, type Daemon, kill, KEYS, type Net, startNet } from "./helpers.js";

const D = dayOfDate("2024-04-10");
const LAST = D + 2;

describe("cli: five independent reporters, one with a corrupted source", function () {
  let net: Net;
  const daemons: Daemon[] = [];
  before(async () => {
    net = await startNet(D);
    await net.setDay(LAST + 1);
  });
  after(async () => {
    for (const d of daemons) kill(d.child, "SIGKILL");
    await net?.stop();
  });

  it("signs with one key per process, submits each day once a quorum agrees, reports the dissenting reporter", async () => {
    // the corrupted source: a copy of the data whose 2024-04-11 fees are tripled
    const bad = join(net.tmp, "bad-data");
    mkdirSync(bad);
    for (const f of ["btc_difficulty_daily.csv", "btc_epochs.csv", "btc_price_usd_daily.csv", "btc_fees_daily.csv"]) copyFileSync(join(defaultDataDir(), f), join(bad, f));
    const fees = readFileSync(join(bad, "btc_fees_daily.csv"), "utf8").replace(/^2024-04-11,([\d.]+),/m, (_, v: string) => `2024-04-11,${(Number(v) * 3).toFixed(8)},`);
    writeFileSync(join(bad, "btc_fees_daily.csv"), fees);

    const range = ["--from", dateOfDay(D), "--to", dateOfDay(LAST), "--poll-ms", "100"];
    const locations: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = join(net.tmp, `reporter-${i}`);
      const env = cliEnv(net, undefined, { REPORTER_KEY: KEYS[5 + i], ...(i === 4 ? { HASHPOWER_DATA_DIR: bad } : {}) });
      if (i < 3) {
        const port = await freePort();
        daemons.push(daemon(["reporter", "sign", "--from", dateOfDay(D), "--follow", "--poll-ms", "100", "--out", out, "--serve", String(port)], env));
        locations.push(`http://127.0.0.1:${port}`);
      } else {
        daemons.push(daemon(["reporter", "sign", ...range, "--out", out], env));
        locations.push(out);
      }
    }
    // a document signed by a key outside the oracle's reporter set
    const forged = new Publication(join(net.tmp, "forged"));
    const csv = loadDays();
    const { dailyReportOf } = await import("../../domain/data.js");
    forged.write(await signDay(privateKeyToAccount(KEYS[11]), oracleDomain(31337, net.d.oracle as `0x${string}`), dailyReportOf(csv.get(D)!), []));
    locations.push(forged.dir);

    for (const d of daemons) await d.waitFor((l) => l.msg === "signed" && l.date === dateOfDay(LAST), 90_000);
    const dissentLog = join(net.tmp, "dissent.jsonl");
    const r = await cli(["reporter", "submit", "--locations", locations.join(","), ...range, "--dissent-log", dissentLog], cliEnv(net, KEYS[10]));
    expect(r.code, r.stderr + r.stdout).to.equal(0);

    const client = createPublicClient({ transport: http(net.node.url) });
    for (let day = D; day <= LAST; day++) {
      const v = await client.readContract({ address: net.d.oracle as `0x${string}`, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [day] });
      const want = csv.get(day)!;
      expect(v.status, dateOfDay(day)).to.equal(Status.Final);
      expect(v.feesPerBlockSats).to.equal(want.feesPerBlockSats);
      expect(v.bits).to.equal(want.bits);
    }
    const findings = readFileSync(dissentLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { date: string; kind: string; signer: string; location: string; detail: string });
    const dissents = findings.filter((f) => f.kind === "dissent");
    expect(dissents.map((f) => [f.date, f.signer, f.location])).to.deep.equal([["2024-04-11", ADDR[9], locations[4]]]);
    expect(dissents[0].detail).to.match(/^feesPerBlockSats \d+ vs \d+ \(the other 4 signed the latter\)$/);
    const invalid = findings.filter((f) => f.kind === "invalid");
    expect(invalid.map((f) => f.date)).to.deep.equal(["2024-04-10"]);
    expect(invalid[0].detail).to.equal(`signer ${ADDR[11]} is not in the oracle's reporter set`);
    expect(r.stdout).to.include('"msg":"dissent"');
  });
});
