/**
 * Fast path of `POST /graphql` for documents graphql-yoga already answered: a JSON request whose query text (with
 * the same operation name and the same response-shaping headers: Accept, Content-Type, Origin) once got a 200
 * answer without errors from yoga is executed directly against the schema, skipping yoga's request pipeline
 * (Request/Response objects, parsing and validation lookups, plugin hooks). Parsing, validation and graphql-armor's
 * document limits depend on the text alone, so they held when yoga answered it; what depends on the request is
 * checked again here exactly as `requestLimitsPlugin` does (the sync stopped, argument and variable limits, cost
 * with variables resolved). The answer is `{"data":…}` with the headers yoga sent for that document.
 *
 * Anything else goes to yoga, which answers it as before: an unknown document, a request with extensions, a limit
 * exceeded, and every execution that produced an error (a bad address, a missing variable, a database error) is
 * run again by yoga, so error answers (codes, masking, clipping) are yoga's own.
 */
import { execute, parse, type DocumentNode, type GraphQLSchema } from "graphql";
import client from "prom-client";
import { checkArguments, queryCost, type RequestLimits } from "./limits.js";
import { isCleanAnswer, plainCounter, shapeKeyOf } from "./cache.js";

const DATA = Buffer.from('{"data":');

/** At most this many documents are remembered (oldest out first). */
export const FAST_PATH_DOCUMENTS = 1_000;

type Headers = Record<string, string | string[] | undefined>;

interface Known {
  doc: DocumentNode;
  /** yoga's response headers for it, without content-length */
  headers: Record<string, string>;
}

/** A parsed request body, or null when it is not a plain `{ query, variables?, operationName? }` JSON object. */
function paramsOf(body: Buffer): { query: string; variables: Record<string, unknown> | null; operationName: string | null } | null {
  let p: any;
  try {
    p = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (!p || typeof p !== "object" || Array.isArray(p) || typeof p.query !== "string") return null;
  for (const k of Object.keys(p)) if (k !== "query" && k !== "variables" && k !== "operationName") return null;
  const variables = p.variables ?? null;
  const operationName = p.operationName ?? null;
  if ((variables !== null && (typeof variables !== "object" || Array.isArray(variables))) || (operationName !== null && typeof operationName !== "string")) return null;
  return { query: p.query, variables, operationName };
}

const keyOf = (h: Headers, query: string, operationName: string | null) => `${shapeKeyOf(h)}${operationName ?? ""}\n${query}`;

/**
 * Creates the fast path of one server: `limits` and `unavailable` as given to `requestLimitsPlugin`; counts its
 * answers in `registry` (`indexer_graphql_fast_path_total{result}`: `answered`, or `yoga` for a known document it
 * handed to yoga).
 */
export function createFastPath(schema: GraphQLSchema, l: RequestLimits & { maxCost: number }, unavailable: () => string | null, registry: client.Registry) {
  const known = new Map<string, Known>();
  const counter = plainCounter(registry, "indexer_graphql_fast_path_total", "POST /graphql requests of known documents: answered by the fast path, or handed to yoga (limits, errors)", "result");
  const toYoga = () => void (counter.yoga = (counter.yoga ?? 0) + 1);
  return {
    /**
     * The answer to this request without yoga, or undefined: ask yoga. `contextValue` is the GraphQL context
     * (the response cache's flags).
     */
    async answer(h: Headers, body: Buffer, contextValue: object): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined> {
      if (known.size === 0 || unavailable()) return undefined;
      const p = paramsOf(body);
      if (!p) return undefined;
      const k = known.get(keyOf(h, p.query, p.operationName));
      if (!k) return undefined;
      try {
        checkArguments(k.doc, p.variables, l);
        if (queryCost(schema, k.doc, p.operationName, p.variables, l.defaultPage) > l.maxCost) return toYoga();
      } catch {
        return toYoga();
      }
      const result = await execute({ schema, document: k.doc, variableValues: p.variables, operationName: p.operationName, contextValue });
      if (result.errors?.length || !result.data) return toYoga();
      counter.answered = (counter.answered ?? 0) + 1;
      const out = Buffer.from(JSON.stringify({ data: result.data }));
      return { status: 200, headers: { ...k.headers, "content-length": String(out.length) }, body: out };
    },
    /** Remembers the document of a request yoga answered with `status`, `headers` and `out`, if it was a success without errors. */
    learn(h: Headers, body: Buffer, status: number, headers: Record<string, string>, out: Buffer): void {
      if (!isCleanAnswer(status, headers, out) || !out.subarray(0, 8).equals(DATA)) return;
      const p = paramsOf(body);
      if (!p) return;
      const key = keyOf(h, p.query, p.operationName);
      if (known.has(key)) return;
      let doc: DocumentNode;
      try {
        doc = parse(p.query);
      } catch {
        return;
      }
      const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== "content-length"));
      if (known.size >= FAST_PATH_DOCUMENTS) known.delete(known.keys().next().value!);
      known.set(key, { doc, headers: kept });
    },
  };
}
