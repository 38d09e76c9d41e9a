import { expect } from "chai";
import { readFileSync } from "node:fs";
import hre from "hardhat";
import { type AbiParameter, encodeAbiParameters, getAddress, hashStruct, keccak256, toHex } from "viem";
import { recoverTypedDataAddress } from "viem";
import { hashpriceOracleAbi, Status } from "../../cli/reporter/abi.js";
import { revertName } from "../../cli/reporter/reporter.js";
import { type DailyReport, oracleDomain, reportTypes, signDailyReport, signUptimeReport, sortSigners } from "../../cli/reporter/sign.js";
import { CsvSource } from "../../cli/reporter/sources.js";
import { dayOfDate } from "../../domain/units.js";
import { hashpriceE18 } from "../../domain/hashprice.js";
import { reporterKeys, startChain } from "./chain.js";

type Item = { type: string; name?: string; stateMutability?: string; inputs?: readonly AbiParameter[]; outputs?: readonly AbiParameter[] };
/** Canonical text of an ABI parameter list: types (tuples expanded), `indexed` flags. */
const params = (ps: readonly AbiParameter[] = []): string =>
  ps.map((p) => ("components" in p ? `(${params(p.components)})${p.type.slice(5)}` : p.type) + ("indexed" in p && p.indexed ? " indexed" : "")).join(",");
/** Canonical text of an ABI item. */
const canonical = (i: Item) => `${i.type} ${i.name ?? ""}(${params(i.inputs)}) ${i.stateMutability ?? ""} (${params(i.outputs)})`;

describe("reporter signing", () => {
  it("the reporter's ABI (client/, generated from the artifacts) holds every item of the compiled IHashpriceOracle interface", async () => {
    const artifact = await hre.artifacts.readArtifact("IHashpriceOracle");
    const ours = new Set(hashpriceOracleAbi.map((i) => canonical(i as Item)));
    const missing = (artifact.abi as readonly Item[]).map(canonical).filter((c) => !ours.has(c));
    expect(missing).to.deep.equal([]);
  });

  it("EIP-712 struct hashes use the type strings of IHashpriceOracle.sol", () => {
    const sol = readFileSync("contracts/interfaces/IHashpriceOracle.sol", "utf8");
    const daily = /`(DailyReport\([^`]*\))`/.exec(sol)![1];
    const uptime = /`(UptimeReport\([^`]*\))`/.exec(sol)![1];
    const report = { day: 19_000, firstHeight: 840_004, blocks: 130, bits: 0x17034219, subsidySats: 312_500_000n, feesPerBlockSats: 12_345n, btcUsdE8: 6_400_000_000_000n };
    expect(hashStruct({ primaryType: "DailyReport", types: reportTypes, data: report })).to.equal(
      keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "uint32" }, { type: "uint32" }, { type: "uint16" }, { type: "uint32" }, { type: "uint64" }, { type: "uint64" }, { type: "uint64" }],
          [keccak256(toHex(daily)), report.day, report.firstHeight, report.blocks, report.bits, report.subsidySats, report.feesPerBlockSats, report.btcUsdE8],
        ),
      ),
    );
    const u = { farm: getAddress("0x00000000000000000000000000000000000000aa"), day: 19_000, uptimeBps: 9_950 };
    expect(hashStruct({ primaryType: "UptimeReport", types: reportTypes, data: u })).to.equal(
      keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "address" }, { type: "uint32" }, { type: "uint16" }], [keccak256(toHex(uptime)), u.farm, u.day, u.uptimeBps])),
    );
  });

  it("signatures come back in strictly ascending signer order; a duplicate key is refused", async () => {
    const { accounts } = reporterKeys(5);
    const domain = oracleDomain(31337, "0x00000000000000000000000000000000000000cc");
    const report: DailyReport = { day: 1, firstHeight: 1, blocks: 144, bits: 0x1d00ffff, subsidySats: 5_000_000_000n, feesPerBlockSats: 0n, btcUsdE8: 0n };
    const sigs = await signDailyReport(accounts, domain, report);
    const signers = await Promise.all(sigs.map((signature) => recoverTypedDataAddress({ domain, types: reportTypes, primaryType: "DailyReport", message: report, signature })));
    expect(signers).to.deep.equal(sortSigners(accounts).map((a) => a.address));
    for (let i = 1; i < signers.length; i++) expect(BigInt(signers[i]) > BigInt(signers[i - 1])).to.equal(true);
    expect(() => sortSigners([accounts[0], accounts[1], accounts[0]])).to.throw(/duplicate reporter/);
  });

  describe("accepted by the real HashpriceOracle (Hardhat simulator)", () => {
    const day = dayOfDate("2024-03-01");
    let c: Awaited<ReturnType<typeof startChain>>;
    let oracle: `0x${string}`;
    const { accounts } = reporterKeys(3);
    let report: DailyReport;
    const submit = (sigs: `0x${string}`[], r: DailyReport = report) =>
      c.publicClient.simulateContract({ account: c.submitter.account, address: oracle, abi: hashpriceOracleAbi, functionName: "submitDailyReport", args: [r, sigs] });
    const rejects = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return revertName(e);
      }
      expect.fail("expected a revert");
    };

    before(async () => {
      c = await startChain();
      oracle = await c.deployOracle(accounts, 2);
      report = await new CsvSource().daily(day);
    });

    it("a daily report signed by 3 of 3 (quorum 2) becomes final with the signed inputs and the TS hashprice", async () => {
      const domain = oracleDomain(c.chain.id, oracle);
      const { request } = await submit(await signDailyReport(accounts, domain, report));
      const hash = await c.submitter.writeContract(request);
      expect((await c.publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
      const v = await c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "dailyValues", args: [day] });
      expect(v).to.deep.include({ status: Status.Final, bits: report.bits, subsidySats: report.subsidySats, btcUsdE8: report.btcUsdE8, priceFromFeed: false });
      expect(v.hashpriceE18).to.equal(hashpriceE18(report.bits, report.subsidySats, report.feesPerBlockSats));
    });

    it("exactly the quorum (2 of 3) is enough; 1 is not; order, membership, chain and contract are enforced", async () => {
      const domain = oracleDomain(c.chain.id, oracle);
      const next = { ...report, day: day + 1 };
      const sigs = await signDailyReport(accounts, domain, next);
      expect(await rejects(submit([sigs[0]], next))).to.equal("QuorumNotReached");
      expect(await rejects(submit([sigs[1], sigs[0]], next))).to.equal("SignersNotAscending");
      expect(await rejects(submit(await signDailyReport([...accounts, ...reporterKeys(1).accounts], domain, next), next))).to.equal("UnknownReporter");
      expect(await rejects(submit(await signDailyReport(accounts, oracleDomain(c.chain.id + 1, oracle), next), next))).to.equal("UnknownReporter");
      expect(await rejects(submit(await signDailyReport(accounts, oracleDomain(c.chain.id, c.deployer), next), next))).to.equal("UnknownReporter");
      expect(await rejects(submit(sigs, { ...next, btcUsdE8: next.btcUsdE8 + 1n }))).to.equal("UnknownReporter"); // altered value
      await submit(sigs.slice(1), next); // any 2, ascending: accepted
      expect(await rejects(submit(sigs, { ...next, day: day + 2 }))).to.equal("UnknownReporter"); // another day's signatures
    });

    it("uptime reports signed by the reporters are accepted in one batch", async () => {
      const domain = oracleDomain(c.chain.id, oracle);
      const farms = [getAddress("0x00000000000000000000000000000000000000aa"), getAddress("0x00000000000000000000000000000000000000bb")];
      const reports = farms.map((farm, i) => ({ farm, day, uptimeBps: 9_000 + i }));
      const sigs = await Promise.all(reports.map((r) => signUptimeReport(accounts, domain, r)));
      const { request } = await c.publicClient.simulateContract({ account: c.submitter.account, address: oracle, abi: hashpriceOracleAbi, functionName: "submitUptimeReports", args: [reports, sigs] });
      await c.publicClient.waitForTransactionReceipt({ hash: await c.submitter.writeContract(request) });
      for (const r of reports) {
        expect(await c.publicClient.readContract({ address: oracle, abi: hashpriceOracleAbi, functionName: "uptimeBps", args: [r.farm, day] })).to.equal(r.uptimeBps);
      }
    });
  });
});
