/**
 * The daemons as separate processes against a Hardhat node while the chain moves day by day: `reporter run
 * --follow` (REPORTER_KEYS) and `keeper run` (batches of 3, /metrics), each killed with SIGKILL three times right
 * after it sent a transaction and restarted. Every day must be reported once and every (series, day) settled
 * once: no transaction of either daemon reverts, no SettleSkipped in the keeper's transactions.
 */
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { type Address, createPublicClient, createWalletClient, decodeEventLog, decodeFunctionData, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { dateOfDay, dayOfDate } from "../../domain/units.js";
import { abiOf } from "../../cli/lib/abi.js";
import { freePort } from "../../scripts/replay/chain.js";
import { ADDR, cliEnv, daemon, type Daemon, kill, KEYS, type Net, startNet } from "./helpers.js";

const D = dayOfDate("2024-04-10");
const DAYS = 12;
const KILLS = 3;

describe("cli: reporter --follow and keeper survive kill -9 without double work", function () {
  let net: Net;
  const live = new Set<Daemon>();
  before(async () => {
    net = await startNet(D);
  });
  after(async () => {
    for (const d of live) kill(d.child, "SIGKILL");
    await net?.stop();
  });

  it(`${DAYS} days, each daemon killed ${KILLS} times right after a send and restarted`, async () => {
    const client = createPublicClient({ transport: http(net.node.url), pollingInterval: 50 });
    const w = (k: `0x${string}`) => createWalletClient({ account: privateKeyToAccount(k), transport: http(net.node.url), chain: { id: 31337, name: "h", nativeCurrency: { name: "E", symbol: "E", decimals: 18 }, rpcUrls: { default: { http: [net.node.url] } } } });
    const d = net.d as unknown as Record<string, Address>;
    const send = async (k: `0x${string}`, address: Address, contract: "HashpowerToken" | "Settlement" | "TestWBTC", functionName: string, args: unknown[]) => {
      const hash = await w(k).writeContract({ address, abi: abiOf(contract), functionName, args } as never);
      expect((await client.waitForTransactionReceipt({ hash })).status).to.equal("success");
    };
    const [admin, farm] = [KEYS[0], KEYS[3]];
    await send(admin, d.token, "HashpowerToken", "registerFarm", [ADDR[3], 5000n, "Kill Farm"]);
    await send(farm, d.asset, "TestWBTC", "mint", [ADDR[3], 10n ** 9n]);
    await send(farm, d.asset, "TestWBTC", "approve", [d.settlement, 10n ** 9n]);
    await send(farm, d.settlement, "Settlement", "postCollateral", [ADDR[3], d.asset, 4n * 10n ** 8n]);
    for (const ths of [1000n, 500n]) {
      const t = { farm: ADDR[3], payoutAsset: d.asset, hashrateThs: ths, startDay: D, termDays: 30, efficiencyJPerThE3: 17_500, poolFeeBps: 200, slaBps: 9500, powerCostUsdPerKWhE6: 50_000, serviceFeeUsdPerThDayE6: 0 };
      await send(farm, d.token, "HashpowerToken", "createSeries", [t]);
    }
    await send(farm, d.token, "HashpowerToken", "mint", [ADDR[4], 1n, 30_000n, "0x"]);
    await send(farm, d.token, "HashpowerToken", "mint", [ADDR[4], 2n, 15_000n, "0x"]);
    await send(farm, d.settlement, "Settlement", "deposit", [ADDR[3], d.asset, 5n * 10n ** 8n]);

    const kills: { daemon: string; at: string; restartedAt: string }[] = [];
    const metricsPort = await freePort();
    const repArgs = ["reporter", "run", "--follow", "--from", dateOfDay(D), "--uptime-all", "10000", "--poll-ms", "100", "--progress-every", "1"];
    const repEnv = cliEnv(net, undefined, { REPORTER_KEYS: KEYS.slice(5, 8).join(","), REPORTER_SUBMITTER_KEY: KEYS[10] });
    const keepArgs = ["keeper", "run", "--interval-ms", "100", "--batch", "3", "--metrics-port", String(metricsPort)];
    const keepEnv = cliEnv(net, KEYS[2]);

    let repKills = 0;
    let keepKills = 0;
    const start = (name: "reporter" | "keeper"): Daemon => {
      let sends = 0;
      const dm = daemon(name === "reporter" ? repArgs : keepArgs, name === "reporter" ? repEnv : keepEnv, (l, child: ChildProcess) => {
        const sent = name === "reporter" ? l.msg === "sent" : l.msg === "settle sent";
        if (!sent) return;
        const killsSoFar = name === "reporter" ? repKills : keepKills;
        // the reporter at its 3rd send (a daily or an uptime report), the keeper at its 2nd (first instance) or 1st
        // send (while catching up after a restart)
        if (killsSoFar < KILLS && ++sends === (name === "reporter" ? 3 : killsSoFar === 0 ? 2 : 1)) {
          kill(child, "SIGKILL");
          if (name === "reporter") repKills++;
          else keepKills++;
          kills.push({ daemon: name, at: name === "reporter" ? `${l.kind} ${l.date} sent` : `settle sent (${l.first}..${l.last})`, restartedAt: "" });
          live.delete(dm);
          setTimeout(() => live.add(start(name)), 200);
        }
      });
      live.add(dm);
      return dm;
    };
    start("reporter");
    start("keeper");
    for (let day = D + 1; day <= D + DAYS; day++) {
      await net.setDay(day);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // wait until every series-day of the replayed days is settled
    const tokenAbi = abiOf("HashpowerToken");
    const pairs = [1n, 2n].flatMap((id) => Array.from({ length: DAYS }, (_, i) => ({ id, day: D + i })));
    const t0 = Date.now();
    for (;;) {
      const done = await Promise.all(pairs.map((p) => client.readContract({ address: d.token, abi: tokenAbi, functionName: "isDistributed", args: [p.id, p.day] })));
      if (done.every(Boolean)) break;
      if (Date.now() - t0 > 120_000) throw new Error(`not settled: ${pairs.filter((_, i) => !done[i]).map((p) => `${p.id}@${dateOfDay(p.day)}`).join(" ")}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).to.match(/keeper_settled_pairs_total \d+/);
    for (const dm of live) kill(dm.child, "SIGKILL");
    live.clear();
    expect(repKills).to.equal(KILLS);
    expect(keepKills).to.equal(KILLS);

    // every transaction of both daemons, from the chain
    const oracleAbi = abiOf("HashpriceOracle");
    const settlementAbi = abiOf("Settlement");
    const latest = await client.getBlockNumber();
    const byFrom = { reporter: [] as { fn: string; args: readonly unknown[]; status: string; settled: number; skipped: number }[], keeper: [] as { fn: string; args: readonly unknown[]; status: string; settled: number; skipped: number }[] };
    for (let b = 0n; b <= latest; b++) {
      const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        const who = tx.from.toLowerCase() === ADDR[10].toLowerCase() ? "reporter" : tx.from.toLowerCase() === ADDR[2].toLowerCase() ? "keeper" : undefined;
        if (!who) continue;
        const r = await client.getTransactionReceipt({ hash: tx.hash });
        const f = decodeFunctionData({ abi: who === "reporter" ? oracleAbi : settlementAbi, data: tx.input });
        let settled = 0;
        let skipped = 0;
        for (const log of r.logs) {
          try {
            const ev = decodeEventLog({ abi: settlementAbi, data: log.data, topics: log.topics });
            if (ev.eventName === "Settled") settled++;
            if (ev.eventName === "SettleSkipped") skipped++;
          } catch {
            /* not a settlement event */
          }
        }
        byFrom[who].push({ fn: f.functionName, args: f.args ?? [], status: r.status, settled, skipped });
      }
    }
    const daily = byFrom.reporter.filter((t) => t.fn === "submitDailyReport").map((t) => Number((t.args[0] as { day: number }).day));
    const uptime = byFrom.reporter.filter((t) => t.fn === "submitUptimeReports").flatMap((t) => (t.args[0] as { day: number }[]).map((u) => Number(u.day)));
    const reported = Array.from({ length: DAYS }, (_, i) => D + i);
    expect(byFrom.reporter.every((t) => t.status === "success")).to.equal(true);
    expect(daily.slice(0, DAYS)).to.deep.equal(reported); // each day once, in order
    expect(new Set(daily).size).to.equal(daily.length);
    expect(new Set(uptime).size).to.equal(uptime.length);
    expect(byFrom.keeper.every((t) => t.status === "success")).to.equal(true);
    const settledTotal = byFrom.keeper.reduce((s, t) => s + t.settled, 0);
    const skippedTotal = byFrom.keeper.reduce((s, t) => s + t.skipped, 0);
    expect(skippedTotal).to.equal(0);
    expect(settledTotal).to.be.at.least(pairs.length);
    console.log(`    kill -9 results (${DAYS} days, 2 series):`);
    console.table(kills.map((k) => ({ daemon: k.daemon, "killed right after": k.at })));
    console.table({
      reporter: { txs: byFrom.reporter.length, reverted: byFrom.reporter.filter((t) => t.status !== "success").length, "daily reports": daily.length, "distinct days": new Set(daily).size, "uptime reports": uptime.length, kills: repKills },
      keeper: { txs: byFrom.keeper.length, reverted: byFrom.keeper.filter((t) => t.status !== "success").length, "pairs settled": settledTotal, SettleSkipped: skippedTotal, kills: keepKills },
    });
  });
});
