/**
 * The data loader (domain/data.ts): reads ../shared/data by default (or HASHPOWER_DATA_DIR), and a
 * missing or malformed file is an error naming the file and line.
 */
import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DATA_DIR_ENV, defaultDataDir, loadDays } from "../../domain/data.js";
import { dayOfDate } from "../../domain/units.js";

const FILES = ["btc_difficulty_daily.csv", "btc_epochs.csv", "btc_fees_daily.csv", "btc_price_usd_daily.csv"];

describe("data loader (../shared/data)", () => {
  const real = defaultDataDir();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hashpower-data-"));
    for (const f of FILES) copyFileSync(join(real, f), join(dir, f));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("defaults to ../shared/data beside the repo; HASHPOWER_DATA_DIR overrides it", () => {
    const before = process.env[DATA_DIR_ENV];
    try {
      delete process.env[DATA_DIR_ENV];
      expect(defaultDataDir()).to.equal(resolve(import.meta.dirname, "../../../shared/data"));
      process.env[DATA_DIR_ENV] = dir;
      expect(defaultDataDir()).to.equal(dir);
      expect(loadDays().size).to.equal(loadDays(real).size);
    } finally {
      if (before === undefined) delete process.env[DATA_DIR_ENV];
      else process.env[DATA_DIR_ENV] = before;
    }
  });

  it("derives heights from the running block count and fees per block = fees ÷ blocks", () => {
    const days = loadDays(dir);
    const a = days.get(dayOfDate("2024-04-19"))!;
    const b = days.get(dayOfDate("2024-04-20"))!;
    expect(a.firstHeight + a.blocks).to.equal(b.firstHeight);
    expect(a.firstHeight <= 840_000 && 840_000 < b.firstHeight).to.equal(true);
    expect(a.feesPerBlockSats).to.equal(a.feesSats / BigInt(a.blocks));
    expect(days.get(dayOfDate("2009-01-03"))!.feesPerBlockSats).to.equal(0n); // no blocks counted
  });

  it("a missing file names the file and the way to point elsewhere", () => {
    rmSync(join(dir, "btc_fees_daily.csv"));
    expect(() => loadDays(dir)).to.throw(/btc_fees_daily\.csv not found .*--data-dir or HASHPOWER_DATA_DIR/);
  });

  it("a malformed value names the file, line and column", () => {
    const p = join(dir, "btc_fees_daily.csv");
    const lines = readFileSync(p, "utf8").split("\n");
    lines[9] = lines[9].replace(/,(\d+)$/, ",x$1"); // line 10 (2009-01-11): blocks "x93"
    writeFileSync(p, lines.join("\n"));
    expect(() => loadDays(dir)).to.throw(/btc_fees_daily\.csv:10: column blocks: invalid integer "x93"/);
  });

  it("a gap in the dates, a ragged row and a missing column are refused with file and line", () => {
    const p = join(dir, "btc_fees_daily.csv");
    const lines = readFileSync(p, "utf8").split("\n");
    writeFileSync(p, [...lines.slice(0, 5), ...lines.slice(6)].join("\n"));
    expect(() => loadDays(dir)).to.throw(/btc_fees_daily\.csv:6: date 2009-01-08 does not follow/);
    writeFileSync(p, [...lines.slice(0, 5), lines[5] + ",1", ...lines.slice(6)].join("\n"));
    expect(() => loadDays(dir)).to.throw(/btc_fees_daily\.csv:6: malformed CSV/);
    writeFileSync(join(dir, "btc_price_usd_daily.csv"), "date,usd\n2010-07-18,0.1\n");
    writeFileSync(p, lines.join("\n"));
    expect(() => loadDays(dir)).to.throw(/btc_price_usd_daily\.csv:1: missing column "price_usd"/);
  });
});
