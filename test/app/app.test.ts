/**
 * The holder's web app in a real browser (Debian's Chromium, playwright-core), against a chain with real activity:
 * the main job's replay (`runReplay`, real ../shared/data days with reports, settlements, trades, claims and a
 * Morpho loan) with its indexer serving the app at `/`. Checks that the numbers shown equal the contracts' views,
 * downloads the statement CSV and compares it with the chain, connects a test wallet (an injected EIP-1193 provider
 * backed by the Hardhat node, the holder impersonated), claims, and sees the claimable go to 0. Errors in words: an
 * unknown address, a malformed one, the API down, a wallet on the wrong network. Screenshots: test-artifacts/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "csv-parse/sync";
import type { Browser, Page } from "playwright-core";
import { rpc, ROOT } from "../../scripts/replay/chain.js";
import { appLines, runReplay, type Replay } from "../../scripts/replay/index.js";
import { isHodler } from "../../scripts/replay/actors.js";
import { STATEMENT_CSV_HEADER } from "../../indexer/api/statement.js";
import { launch } from "./browser.js";

const ARTIFACTS = join(ROOT, "test-artifacts");
const digits = (s: string | null) => BigInt((s ?? "").split(" ")[0].replace(/[^0-9]/g, "") || "0");

/** An EIP-1193 provider in the page: accounts = [account], every other request forwarded to the node. */
async function injectWallet(page: Page, nodeUrl: string, account: string, chainIdHex?: string) {
  await page.exposeFunction("__nodeRpc", async (method: string, params: unknown[]) => {
    if (chainIdHex && method === "eth_chainId") return chainIdHex;
    return rpc(nodeUrl, method, params ?? []);
  });
  await page.addInitScript((acct: string) => {
    (window as any).ethereum = {
      isTest: true,
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === "eth_requestAccounts" || method === "eth_accounts") return [acct];
        return (window as any).__nodeRpc(method, params ?? []);
      },
      on() {},
      removeListener() {},
    };
  }, account);
}

describe("app: the holder's web app in Chromium, on the replay of real days", function () {
  this.timeout(600_000);
  let r: Replay;
  let browser: Browser;
  let base: string;
  let holder: string; // a holder that never claims during the replay: claimable > 0
  let ids: bigint[];

  before(async function () {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launch();
    r = await runReplay({ from: "2024-04-12", to: "2024-04-25", holders: 6, seed: 7, port: 0, apiPort: 0, quiet: true });
    base = r.url.replace(/\/graphql$/, "");
    const h = r.world.holders.findIndex((_, i) => isHodler(i));
    holder = r.world.holders[h].address.toLowerCase();
    ids = r.world.ids.filter((x): x is bigint => x !== undefined);
  });
  after(async function () {
    await browser?.close();
    await r?.close();
  });

  /** Opens the app for `account` and waits until it shows the indexer's current block. */
  async function open(page: Page, path: string) {
    // the page's own errors and failed API answers go to the test output (a blank panel then says why)
    page.on("pageerror", (e) => console.log(`      [page error] ${e.message}`));
    page.on("response", async (res) => {
      if (res.url().endsWith("/graphql") && res.request().method() === "POST") {
        const body = await res.json().catch(() => null);
        if (body?.errors) console.log(`      [graphql error] ${JSON.stringify(body.errors).slice(0, 300)}`);
      }
    });
    const t0 = performance.now();
    await page.goto(base + path);
    const block = (await r.indexer.query<{ _meta: { block: number } }>("{ _meta { block } }"))._meta.block;
    await page.waitForFunction((b) => Number(document.body.dataset.block) >= b, block, { timeout: 30_000 });
    return performance.now() - t0;
  }

  it("serves the page and a bundle without any CDN; first load measured", async function () {
    const html = await (await fetch(base + "/")).text();
    expect(html).to.contain('src="/app.js"');
    expect(html).to.not.match(/https?:\/\//);
    const js = await (await fetch(base + "/app.js")).text();
    const page = await browser.newPage();
    const external: string[] = [];
    page.on("request", (q) => !q.url().startsWith(base) && !q.url().startsWith("data:") && !q.url().startsWith("blob:") && external.push(q.url()));
    const ms = await open(page, `/?account=${holder}`);
    await page.waitForSelector("#positions table");
    expect(external, "requests outside the indexer").to.deep.equal([]);
    // the main job prints the app's URL and holders to paste, with links that open them
    const lines = appLines(r);
    expect(lines[0]).to.contain(`web app: ${base}/`);
    expect(lines.join("\n")).to.contain(`${base}/?account=${holder}`);
    expect(lines.filter((l) => /^ {2}holder \d+ {2}0x[0-9a-fA-F]{40}/.test(l))).to.have.length(3);
    console.log(`      app.js ${(js.length / 1024).toFixed(1)} KiB; first load to data ${ms.toFixed(0)} ms (page served by the indexer, cold bundle cache)`);
    await page.close();
  });

  it("shows each position as the contracts' views say (balance, claimable), the borrower's loan, and charts", async function () {
    const { token } = r.world.sys;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, `/?account=${holder}`);
    let shown = 0;
    for (const id of ids) {
      const bal = await token.balanceOf(holder, id);
      const claimable = await token.claimable(holder, id);
      const cell = page.locator(`[data-testid="pos-${id}-direct"]`);
      if (bal === 0n && claimable === 0n) continue;
      expect(digits(await cell.textContent()), `series ${id} direct units`).to.equal(bal);
      expect(digits(await page.locator(`[data-testid="pos-${id}-claimable"]`).textContent()), `series ${id} claimable`).to.equal(claimable);
      expect(await cell.textContent()).to.contain("TH/s·days");
      expect(await page.locator(`[data-testid="pos-${id}-claimable"]`).textContent()).to.contain("sats");
      shown++;
    }
    expect(shown).to.be.greaterThan(0);
    await page.waitForSelector(".chart canvas");
    expect(await page.locator(".chart .u-title").allTextContents()).to.have.length(2);
    await page.screenshot({ path: join(ARTIFACTS, "app-positions.png"), fullPage: true });

    // the borrower: units as Morpho collateral and the lender's view, from Morpho's own position
    const l = r.world.lending!;
    const borrower = l.borrower.address.toLowerCase();
    await open(page, `/?account=${borrower}`);
    const pos = await l.morpho.position(l.marketId, borrower);
    const sid = r.world.ids[l.series]!;
    expect(digits(await page.locator(`[data-testid="pos-${sid}-collateral"]`).textContent())).to.equal(pos.collateral);
    if (pos.borrowShares > 0n) {
      await page.waitForSelector(`[data-testid="loan-${sid}-ltv"]`);
      expect(await page.locator(`[data-testid="loan-${sid}-ltv"]`).textContent()).to.match(/^\d+\.\d\d %$/);
      await page.screenshot({ path: join(ARTIFACTS, "app-loan.png"), fullPage: true });
      // the README's picture (docs/app.png is a copy): the positions and the lender's view
      await page.screenshot({ path: join(ARTIFACTS, "app-readme.png"), clip: { x: 0, y: 0, width: 1280, height: 900 } });
    }
    await page.close();
  });

  it("the statement covers every credit: its totals and the downloaded CSV equal claimed + claimable on the chain", async function () {
    const { token } = r.world.sys;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await open(page, `/?account=${holder}`);
    const from = r.options.fromDay - 1;
    await page.fill("#from", new Date(from * 86_400_000).toISOString().slice(0, 10));
    await page.dispatchEvent("#from", "change");
    await page.waitForFunction(() => /All your credits/.test(document.querySelector('[data-testid="st-check"]')?.textContent ?? ""), null, { timeout: 20_000 });
    // the chain: Σ claimed (Claimed events) + claimable() over the series
    let chain = 0n;
    for (const id of ids) chain += await token.claimable(holder, id);
    for (const e of await token.queryFilter(token.filters.Claimed(holder), r.world.sys.fromBlock)) chain += e.args.amount;
    const net = digits(await page.locator('[data-testid="st-total-netSats"]').textContent());
    const repaid = digits(await page.locator('[data-testid="st-total-repaidSats"]').textContent());
    expect(net + repaid, "statement total credited = claimed + claimable (chain)").to.equal(chain);
    expect(chain).to.be.greaterThan(0n);
    await page.screenshot({ path: join(ARTIFACTS, "app-statement.png"), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="csv"]')]);
    const csv = readFileSync((await download.path())!, "utf8");
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).to.deep.equal(STATEMENT_CSV_HEADER);
    expect(rows.reduce((a, x) => a + BigInt(x.credited_sats), 0n), "CSV Σ credited").to.equal(chain);
    expect(rows.reduce((a, x) => a + BigInt(x.net_sats) + BigInt(x.repaid_sats), 0n)).to.equal(chain);
    // same rows as the table
    expect(rows.length).to.equal(await page.locator("table.statement tbody tr").count());
    // the units at the record point are the holder's balance at that settlement (the chain, as of the settling block)
    const d = await r.indexer.query(`query($a: String!, $from: Int!, $to: Int!) { statement(account: $a, from: $from, to: $to) { days { seriesId day units } } }`, { a: holder, from, to: r.options.toDay + 1 });
    const settled = await r.indexer.query(`{ settlements(first: 100, where: { dayGte: ${from} }) { items { seriesId day blockNumber } } }`);
    const blockOf = new Map(settled.settlements.items.map((s: any) => [`${s.seriesId}:${s.day}`, s.blockNumber]));
    let checked = 0;
    for (const x of d.statement.days.filter((x: any) => x.units !== null).slice(0, 8)) {
      const b = blockOf.get(`${x.seriesId}:${x.day}`) as number;
      expect(String(await token.balanceOf(holder, BigInt(x.seriesId), { blockTag: b })), `units of ${x.seriesId} on ${x.day}`).to.equal(x.units);
      checked++;
    }
    expect(checked).to.be.greaterThan(0);
    await page.close();
  });

  it("connects a test wallet, claims through it, and the claimable goes to 0 without a reload; new blocks appear live", async function () {
    const { token } = r.world.sys;
    await rpc(r.node.url, "hardhat_impersonateAccount", [holder]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await injectWallet(page, r.node.url, holder);
    await open(page, "/");
    await page.click("#connect");
    let target: bigint | undefined;
    for (const x of ids) if ((await token.claimable(holder, x)) > 0n) { target = x; break; }
    expect(target !== undefined, "a series with something to claim").to.equal(true);
    const button = page.locator(`[data-testid="pos-${target}-claim"]`);
    await button.waitFor();
    await page.waitForFunction((sel) => !(document.querySelector(sel) as HTMLButtonElement)?.disabled, `[data-testid="pos-${target}-claim"]`);
    const before = await token.claimable(holder, target!);
    const claimedCell = page.locator(`[data-testid="pos-${target}-claimed"]`);
    const claimedBefore = digits(await claimedCell.textContent());
    await button.click();
    await page.waitForFunction(() => /Claimed series .* sent to/.test(document.querySelector('[data-testid="claim-ok"]')?.textContent ?? ""), null, { timeout: 60_000 });
    expect(await token.claimable(holder, target!)).to.equal(0n);
    expect(digits(await page.locator(`[data-testid="pos-${target}-claimable"]`).textContent())).to.equal(0n);
    // shown claimed grew by what was claimable (at least: a block may have been settled in between)
    expect(digits(await claimedCell.textContent()) - claimedBefore).to.be.greaterThanOrEqual(before);
    await page.screenshot({ path: join(ARTIFACTS, "app-claimed.png"), fullPage: true });

    // live: a new block shows up without a reload
    const shownBefore = Number(await page.evaluate(() => document.body.dataset.block));
    await rpc(r.node.url, "evm_mine", []);
    await rpc(r.node.url, "evm_mine", []);
    await page.waitForFunction((b) => Number(document.body.dataset.block) > b, shownBefore, { timeout: 20_000 });
    await rpc(r.node.url, "hardhat_stopImpersonatingAccount", [holder]);
    await page.close();
  });

  it("says what is wrong in words: unknown address, malformed address, wrong network, API down", async function () {
    const page = await browser.newPage();
    await open(page, "/?account=0x00000000000000000000000000000000000000a1");
    expect(await page.locator('[data-testid="empty"]').textContent()).to.match(/No positions for 0x0+a1 on chain 31337/);
    await page.fill("#address", "0x1234");
    await page.click('#lookup button[type="submit"]');
    expect(await page.locator("#message").textContent()).to.match(/is not an address/);
    await page.close();

    const wrong = await browser.newPage();
    await injectWallet(wrong, r.node.url, holder, "0x1");
    await open(wrong, "/");
    await wrong.click("#connect");
    await wrong.waitForFunction(() => /Wrong network: your wallet is on chain 1, this indexer follows chain 31337/.test(document.querySelector("#message")?.textContent ?? ""));
    await wrong.close();

    const down = await browser.newPage();
    await open(down, `/?account=${holder}`);
    await down.route("**/graphql", (q) => q.abort("connectionrefused"));
    await rpc(r.node.url, "evm_mine", []);
    await down.waitForFunction(() => /is not answering/.test(document.querySelector("#message")?.textContent ?? ""), null, { timeout: 20_000 });
    await down.screenshot({ path: join(ARTIFACTS, "app-api-down.png") });
    await down.unroute("**/graphql");
    await down.waitForFunction(() => !/is not answering/.test(document.querySelector("#message")?.textContent ?? ""), null, { timeout: 20_000 });
    await down.close();
  });

  it("GraphiQL works offline (served from npm) with the example queries prefilled", async function () {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on("request", (q) => !q.url().startsWith(base) && !/^(data|blob):/.test(q.url()) && external.push(q.url()));
    await page.goto(base + "/graphql", { waitUntil: "load" });
    await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
    expect(await page.content()).to.contain("statement(account:");
    expect(external).to.deep.equal([]);
    await page.close();
  });
});
