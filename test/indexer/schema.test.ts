/**
 * The API contract: `indexer/api/schema.graphql` is what the server serves (printSchema of the executable schema
 * equals the file byte for byte), every type, field, argument, input field and enum value carries a description, and
 * the client's generated types are those of the file (`npm run schema` rewrites both).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import {
  getNamedType, getNullableType, isListType, isNonNullType, isScalarType, parse,
  isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, printSchema, type GraphQLSchema,
} from "graphql";
import { createApiSchema, maxCostOf } from "../../indexer/api/server.js";
import { queryCost } from "../../indexer/api/limits.js";
import { SCHEMA_PATH } from "../../indexer/api/schema.js";
import { generateAbis, staleFiles } from "../../client/codegen.js";
import type { IndexerContext } from "../../indexer/context.js";

/** Every schema element as `[path, description]`. */
export function describedElements(schema: GraphQLSchema): [string, string | null | undefined][] {
  const out: [string, string | null | undefined][] = [["schema", schema.description]];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith("__") || isSpecifiedScalarType(t)) continue;
    out.push([t.name, t.description]);
    if (isObjectType(t) || isInterfaceType(t)) {
      for (const f of Object.values(t.getFields())) {
        out.push([`${t.name}.${f.name}`, f.description]);
        for (const a of f.args) out.push([`${t.name}.${f.name}(${a.name})`, a.description]);
      }
    } else if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) out.push([`${t.name}.${f.name}`, f.description]);
    } else if (isEnumType(t)) {
      for (const v of t.getValues()) out.push([`${t.name}.${v.name}`, v.description]);
    }
  }
  return out;
}

describe("indexer: the API schema as a committed contract", function () {
  this.timeout(60_000);
  // createResolvers only keeps the context; building the schema touches neither the database nor the node
  const ctx = { config: { maxPageSize: 1000, contracts: {} }, state: {} } as unknown as IndexerContext;
  const served = createApiSchema(ctx);

  it("the served schema (printSchema) equals schema.graphql", function () {
    expect(printSchema(served) + "\n").to.equal(readFileSync(SCHEMA_PATH, "utf8"));
  });

  it("every type, field, argument, input field and enum value has a description", function () {
    const all = describedElements(served);
    const missing = all.filter(([, d]) => !d || !d.trim()).map(([p]) => p);
    expect(missing, `${missing.length} of ${all.length} without a description`).to.deep.equal([]);
    expect(all.length).to.be.greaterThan(400);
  });

  it("bps are Int, statuses and kinds are enums, every event row has timestamp and blockNumber", function () {
    for (const t of Object.values(served.getTypeMap())) {
      if (!isObjectType(t) && !isInputObjectType(t)) continue;
      for (const f of Object.values(t.getFields())) {
        if (/Bps(PerDay)?$/.test(f.name)) expect(String(f.type).replace("!", ""), `${t.name}.${f.name}`).to.equal("Int");
        if (/^(status|kind|phase|source|freshness)$/.test(f.name)) expect(isEnumType(served.getType(String(f.type).replace("!", ""))), `${t.name}.${f.name}`).to.equal(true);
      }
    }
    for (const name of ["Distribution", "Settlement", "Claim", "Transfer", "Uptime"]) {
      const f = (served.getType(name) as any).getFields();
      expect(String(f.timestamp?.type), `${name}.timestamp`).to.equal("String!");
      expect(String(f.blockNumber?.type), `${name}.blockNumber`).to.equal("Int!");
      if (f.day) expect(f.date, `${name}.date`).to.not.equal(undefined);
    }
  });

  it("cost: a page of the maximum size of every list with a few scalar fields (and one nested object) passes; 6 pages do not", function () {
    const max = 1000;
    const limit = maxCostOf(max);
    const lists = Object.values(served.getQueryType()!.getFields()).filter((f) => f.args.some((a) => a.name === "first"));
    expect(lists.length).to.be.greaterThan(8);
    for (const f of lists) {
      const item = getNamedType((getNamedType(f.type) as any).getFields().items.type) as any;
      const fields = Object.values(item.getFields()) as any[];
      const scalars = fields.filter((x) => isScalarType(getNamedType(x.type)) || isEnumType(getNamedType(x.type))).slice(0, 4).map((x) => x.name);
      const nested = fields.find((x) => !isListType(getNullableType(x.type)) && !isScalarType(getNamedType(x.type)) && !isEnumType(getNamedType(x.type)) && x.args.length === 0);
      const nestedSel = nested ? `${nested.name} { ${Object.values((getNamedType(nested.type) as any).getFields()).filter((x: any) => isScalarType(getNamedType(x.type))).slice(0, 2).map((x: any) => x.name).join(" ")} }` : "";
      const required = f.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: "1"`);
      const page = (sel: string) => `${f.name}(${[...required, `first: ${max}`].join(", ")}) { items { ${sel} } pageInfo { hasNextPage endCursor } }`;
      for (const sel of [scalars.join(" "), `${scalars.join(" ")} ${nestedSel}`]) {
        const cost = queryCost(served, parse(`{ ${page(sel)} }`), null, {}, 100);
        expect(cost, `${f.name} { ${sel} }`).to.be.at.most(limit);
      }
      const six = `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: ${page(scalars.join(" "))}`).join(" ")} }`;
      expect(queryCost(served, parse(six), null, {}, 100), `6 pages of ${f.name}`).to.be.greaterThan(limit);
    }
    // variables count with their value; yieldHistory by the days asked
    const q = parse(`query($f: Int) { transfers(first: $f) { items { amount } } }`);
    expect(queryCost(served, q, null, { f: 1000 }, 100)).to.equal(1 + 1000 * 1);
    expect(queryCost(served, q, null, {}, 100)).to.equal(1 + 100);
    const y = parse(`{ yieldHistory(seriesId: "1", from: 1, to: 3660) { days { day netPerUnitSatsE18 } } }`);
    expect(queryCost(served, y, null, {}, 100)).to.equal(1 + 3660);
  });

  it("the client's generated types and ABIs are up to date (npm run schema)", async function () {
    expect(generateAbis(), "Hardhat artifacts (compiled by the test run)").to.not.equal(null);
    expect((await staleFiles()).map((f) => f.path)).to.deep.equal([]);
  });
});
