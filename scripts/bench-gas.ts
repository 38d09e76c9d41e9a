/**
 * Gas benchmark of HashpowerToken against a plain OpenZeppelin v5 ERC-1155 (PlainERC1155), measured in the same
 * run on Hardhat's simulator. Prints one table: gas used per operation (receipt `gasUsed`, refunds included),
 * the plain equivalent where there is one, and the ratio.
 *
 *   npm run bench:gas        (= hardhat run scripts/bench-gas.ts)
 *
 * Scenarios: "existing holder" means both parties already hold the id; "both settled": no distribution since their
 * last balance change or claim; the "distribution since" rows have one (twice), so both parties have yield accrued
 * that the transfer must leave with them (the steady state of a token that pays daily). Distribution rows use
 * series in identical states (first distribution of the term) that differ only in the number of holders. The claim
 * rows claim series with one payout asset (one ERC-20 transfer); "repeat" claims again after a new distribution.
 *
 * Targets (issue #16): the steady-state transfer ("distribution since, accruals in use") ≤ 1.15× plain; a repeat
 * claim of 10 series ≤ 150,000 gas; distribute identical for 1, 100 and 1,000 holders (O(1)).
 */
import { network } from "hardhat";
import type { ContractTransactionResponse, Signer } from "ethers";

const { ethers } = await network.create();

const signers = await ethers.getSigners();
const [admin, farm, distributor, alice, bob, carol] = signers;
const START_DAY = 20_000;

/** Gas used by a sent transaction. */
async function gas(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

/** Gas of a contract deployment. */
async function deployGas(name: string, args: unknown[] = []): Promise<bigint> {
  const c = await ethers.deployContract(name, args);
  const receipt = await c.deploymentTransaction()!.wait();
  return receipt!.gasUsed;
}

const rows: { op: string; ours: bigint; plain?: bigint }[] = [];

// ---------------------------------------------------------------- deployments
const wbtc = await ethers.deployContract("TestWBTC");
const token = await ethers.deployContract("HashpowerToken", [admin.address, admin.address, 0]);
const plain = await ethers.deployContract("PlainERC1155");
rows.push({ op: "deploy", ours: await deployGas("HashpowerToken", [admin.address, admin.address, 0]), plain: await deployGas("PlainERC1155") });

await (await token.grantRole(await token.FARM_ADMIN_ROLE(), admin.address)).wait();
await (await token.setDistributor(distributor.address)).wait();
await (await token.registerFarm(farm.address, 10n ** 12n, "Bench farm")).wait();
await (await wbtc.mint(distributor.address, 10n ** 18n)).wait();
await (await wbtc.connect(distributor).approve(await token.getAddress(), ethers.MaxUint256)).wait();

const asFarm = token.connect(farm);
const terms = {
  farm: farm.address,
  payoutAsset: await wbtc.getAddress(),
  hashrateThs: 1_000_000n,
  startDay: START_DAY,
  termDays: 365,
  efficiencyJPerThE3: 17_500,
  poolFeeBps: 200,
  slaBps: 9_500,
  powerCostUsdPerKWhE6: 50_000,
  serviceFeeUsdPerThDayE6: 1_000,
};
const nextDay = new Map<bigint, number>();

/** Creates a series and returns its id and the gas used. */
async function newSeries(): Promise<{ id: bigint; gas: bigint }> {
  const id = (await token.seriesCount()) + 1n;
  const g = await gas(asFarm.createSeries(terms));
  nextDay.set(id, START_DAY);
  return { id, gas: g };
}
/** Distributes `amount` sats to series `id` on its next day; returns the gas. */
async function distribute(id: bigint, amount = 1_234_567n): Promise<bigint> {
  const day = nextDay.get(id)!;
  nextDay.set(id, day + 1);
  return gas(token.connect(distributor).distribute(id, day, amount));
}

// ---------------------------------------------------------------- create series, mint
const first = await newSeries();
rows.push({ op: "createSeries (farm's 1st series, new payout asset)", ours: first.gas });
const second = await newSeries();
rows.push({ op: "createSeries (2nd series, same payout asset)", ours: second.gas });
const id = first.id;
rows.push({
  op: "mint → new holder (series' first mint)",
  ours: await gas(asFarm.mint(alice.address, id, 1_000n, "0x")),
  plain: await gas(plain.mint(alice.address, id, 1_000n)),
});
rows.push({
  op: "mint → existing holder",
  ours: await gas(asFarm.mint(alice.address, id, 1_000n, "0x")),
  plain: await gas(plain.mint(alice.address, id, 1_000n)),
});
await distribute(id);

// ---------------------------------------------------------------- transfers
/** safeTransferFrom on both contracts from `from` to `to`. */
async function transferPair(op: string, from: Signer, to: Signer, withDistribution = false) {
  if (withDistribution) await distribute(id);
  const fromA = await from.getAddress();
  const toA = await to.getAddress();
  rows.push({
    op,
    ours: await gas(token.connect(from).safeTransferFrom(fromA, toA, id, 10n, "0x")),
    plain: await gas(plain.connect(from).safeTransferFrom(fromA, toA, id, 10n, "0x")),
  });
}
// alice is unsettled after the distribution: settle her with a claim so the "new holder" row isolates the receiver.
await (await token.connect(alice).claim([id], alice.address)).wait();
await transferPair("safeTransferFrom → new holder (sender settled)", alice, bob);
await transferPair("safeTransferFrom → existing holder (both settled)", alice, bob);
await transferPair("safeTransferFrom → existing holder (distribution since, 1st accrual of both)", alice, bob, true);
await transferPair("safeTransferFrom → existing holder (distribution since, accruals in use)", alice, bob, true);

// batch of 5 ids, both parties holding all five and settled
const batchIds: bigint[] = [];
for (let i = 0; i < 5; i++) {
  const s = await newSeries();
  batchIds.push(s.id);
  for (const who of [alice, bob]) {
    await (await asFarm.mint(who.address, s.id, 100n, "0x")).wait();
    await (await plain.mint(who.address, s.id, 100n)).wait();
  }
  await distribute(s.id);
  await (await token.connect(alice).claim([s.id], alice.address)).wait();
  await (await token.connect(bob).claim([s.id], bob.address)).wait();
}
const fives = batchIds.map(() => 5n);
rows.push({
  op: "safeBatchTransferFrom 5 ids → existing holder (both settled)",
  ours: await gas(token.connect(alice).safeBatchTransferFrom(alice.address, bob.address, batchIds, fives, "0x")),
  plain: await gas(plain.connect(alice).safeBatchTransferFrom(alice.address, bob.address, batchIds, fives, "0x")),
});
rows.push({
  op: "burn (holder, settled)",
  ours: await gas(token.connect(alice).burn(alice.address, id, 1n)),
});

// ---------------------------------------------------------------- distribute vs holder count
const holderCounts = [1, 100, 1000];
const distSeries = new Map<number, bigint>();
const wallets = Array.from({ length: 1000 }, (_, i) =>
  ethers.getAddress(ethers.keccak256(ethers.toUtf8Bytes(`holder ${i}`)).slice(0, 42)),
);
for (const n of holderCounts) {
  const s = await newSeries();
  distSeries.set(n, s.id);
  for (let i = 0; i < n; i++) await asFarm.mint(wallets[i], s.id, 3n, "0x");
}
await ethers.provider.send("evm_mine", []);
for (const n of holderCounts) {
  const s = distSeries.get(n)!;
  if ((await token.seriesState(s)).supply !== BigInt(3 * n)) throw new Error("setup");
  rows.push({ op: `distribute, ${n} holder${n > 1 ? "s" : ""} (1st day)`, ours: await distribute(s) });
}
for (const n of holderCounts) {
  rows.push({ op: `distribute, ${n} holder${n > 1 ? "s" : ""} (next day)`, ours: await distribute(distSeries.get(n)!) });
}

// ---------------------------------------------------------------- claims
const claimIds: bigint[] = [];
for (let i = 0; i < 10; i++) {
  const s = await newSeries();
  claimIds.push(s.id);
  await (await asFarm.mint(carol.address, s.id, 7n, "0x")).wait();
  await (await asFarm.mint(bob.address, s.id, 5n, "0x")).wait();
  await distribute(s.id);
}
// first claims write new slots (the holder's sub-sat remainder, the series' `claimed`, the receiver's balance)
rows.push({ op: "claim 1 series (first claim)", ours: await gas(token.connect(carol).claim(claimIds.slice(0, 1), carol.address)) });
rows.push({ op: "claim 10 series (first claim, same asset)", ours: await gas(token.connect(bob).claim(claimIds, bob.address)) });
for (const s of claimIds) await distribute(s);
rows.push({ op: "claim 1 series (repeat)", ours: await gas(token.connect(carol).claim(claimIds.slice(0, 1), carol.address)) });
rows.push({ op: "claim 10 series (repeat, same asset)", ours: await gas(token.connect(bob).claim(claimIds, bob.address)) });

// ---------------------------------------------------------------- table
const fmt = (v: bigint) => v.toLocaleString("en-US");
const header = ["operation", "HashpowerToken", "plain OZ ERC1155", "ratio"];
const body = rows.map((r) => [
  r.op,
  fmt(r.ours),
  r.plain === undefined ? "—" : fmt(r.plain),
  r.plain === undefined ? "—" : (Number(r.ours) / Number(r.plain)).toFixed(3) + "×",
]);
const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
const line = (cells: string[]) =>
  "| " + cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(" | ") + " |";
console.log(line(header));
console.log("|" + widths.map((w, c) => (c === 0 ? ":" : "") + "-".repeat(w + 1) + (c === 0 ? "" : ":")).join("|") + "|");
for (const r of body) console.log(line(r));

const steady = rows.find((r) => r.op.includes("(distribution since, accruals in use)"))!;
const ratio = Number(steady.ours) / Number(steady.plain!);
const claim10 = rows.find((r) => r.op.startsWith("claim 10 series (repeat"))!.ours;
const d = holderCounts.map((n) => rows.find((r) => r.op.startsWith(`distribute, ${n} holder`) && r.op.endsWith("(1st day)"))!.ours);
console.log();
console.log(
  `target steady-state transfer (existing holder, distribution since) ≤ 1.15× plain: ${ratio.toFixed(3)}× → ${ratio <= 1.15 ? "met" : "NOT met"}`,
);
console.log(`target repeat claim of 10 series ≤ 150,000 gas: ${fmt(claim10)} → ${claim10 <= 150_000n ? "met" : "NOT met"}`);
console.log(
  `target distribute identical for 1, 100 and 1,000 holders: ${d.map(fmt).join(" / ")} → ${d.every((g) => g === d[0]) ? "met" : "NOT met"}`,
);
