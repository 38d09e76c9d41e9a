/**
 * `npm run devnet` as a separate process: the oracle's days become final through the independent reporters reading
 * the Bitcoin Core stand-in, the indexer answers, and SIGTERM stops the node and every child process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createPublicClient, http } from "viem";
import { abiOf } from "../../cli/lib/abi.js";
import { loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";
import { freePort, ROOT } from "../../scripts/replay/chain.js";

describe("cli: npm run devnet", function () {
  it("reports real days through three independent reporters, indexes them, and stops every process on SIGTERM", async () => {
    const [port, apiPort] = [await freePort(), await freePort()];
    const state = mkdtempSync(join(tmpdir(), "hashpower-devnet-"));
    const child = spawn(process.execPath, ["--import", "tsx", "cli/devnet/main.ts", "--port", String(port), "--api-port", String(apiPort), "--day-seconds", "3", "--reporters", "3", "--state-dir", state, "--deployment-id", `test-${port}`], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    try {
      const t0 = Date.now();
      while (!/oracle final through 2024-04-1[1-9]/.test(out)) {
        if (Date.now() - t0 > 150_000) throw new Error(`no final day within 150 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const token = /token (0x[0-9a-fA-F]{40})/.exec(out)![1];
      const oracle = /oracle (0x[0-9a-fA-F]{40})/.exec(out)![1] as `0x${string}`;
      expect(token).to.match(/^0x/);
      const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`) });
      const days = loadDays();
      const day = dayOfDate("2024-04-10");
      const v = (await client.readContract({ address: oracle, abi: abiOf("HashpriceOracle"), functionName: "dailyValues", args: [day] } as never)) as { status: number; feesPerBlockSats: bigint; blocks: number };
      expect(v.status).to.equal(2);
      expect(v.blocks).to.equal(days.get(day)!.blocks);
      expect(v.feesPerBlockSats).to.equal(days.get(day)!.feesPerBlockSats);
      let block: number | null = null;
      for (let i = 0; i < 60 && !block; i++) {
        const gql = await fetch(`http://127.0.0.1:${apiPort}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { block } }" }) }).catch(() => undefined);
        if (gql?.ok) block = ((await gql.json()) as { data: { _meta: { block: number | null } } }).data._meta.block;
        if (!block) await new Promise((r) => setTimeout(r, 500));
      }
      expect(block).to.be.greaterThan(0);
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    // every process of the devnet is gone: nothing answers on the node's, reporters', keeper's or indexer's ports
    await new Promise((r) => setTimeout(r, 2_000));
    const urls = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${apiPort}/graphql`, ...[...out.matchAll(/(http:\/\/127\.0\.0\.1:\d+)\/reports\/<date>\.json/g)].map((m) => `${m[1]}/health`), /keeper +(http\S+)/.exec(out)![1]];
    expect(urls).to.have.length(6);
    const alive = await Promise.all(urls.map((u) => fetch(u).then(() => u, () => undefined)));
    expect(alive.filter(Boolean)).to.deep.equal([]);
    rmSync(state, { recursive: true, force: true });
    rmSync(join(ROOT, "ignition/deployments", `test-${port}`), { recursive: true, force: true });
  });
});
