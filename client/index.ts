/**
 * The typed client of the hashpower API: `createClient({ url })` for GraphQL (fetch-based, no dependency), the API's
 * types generated from `indexer/api/schema.graphql` (GraphQL Code Generator), the contracts' ABIs `as const` for viem
 * (generated from the Hardhat artifacts) and the addresses per deployment. Regenerate with `npm run schema`.
 *
 * ```ts
 * import { createClient, hashpowerTokenAbi, type PositionPage } from "./client/index.js";
 * const api = createClient({ url: "http://127.0.0.1:42069/graphql" });
 * const { holders } = await api.request<{ holders: PositionPage }>(
 *   `query($id: ID!) { holders(seriesId: $id, where: { kind: holder }) { items { holder balance } } }`, { id: "1" });
 * ```
 */
export type * from "./generated/graphql.js";
export * from "./generated/abis.js";
export * from "./deployments.js";

/** One GraphQL error as the server sends it (`extensions.code`: BAD_USER_INPUT, NOT_FOUND, QUERY_LIMIT, …). */
export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

/** The full answer of one request. */
export interface GraphQLResponse<T> {
  /** HTTP status */
  status: number;
  data: T | null;
  errors?: GraphQLErrorItem[];
}

/** A request that came back with GraphQL errors (or a non-JSON answer); `code` is the first error's code. */
export class GraphQLRequestError extends Error {
  readonly code: string | undefined;
  constructor(readonly errors: GraphQLErrorItem[], readonly status: number) {
    super(errors.map((e) => `${e.extensions?.code ? `${e.extensions.code}: ` : ""}${e.message}`).join("; "));
    this.name = "GraphQLRequestError";
    this.code = errors[0]?.extensions?.code;
  }
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** GraphQL endpoint, e.g. `http://127.0.0.1:42069/graphql` */
  url: string;
  /** extra request headers */
  headers?: Record<string, string>;
  /** per-request timeout, ms (default 30 000) */
  timeoutMs?: number;
  /** fetch implementation (default: the global one) */
  fetch?: typeof fetch;
}

/** The client. `T` is the shape of the selection (build it from the generated types). */
export interface Client {
  url: string;
  /** Data of `query`; throws `GraphQLRequestError` when the answer carries errors. */
  request<T = any, V extends Record<string, unknown> = Record<string, unknown>>(query: string, variables?: V): Promise<T>;
  /** The full answer (status, data, errors), never throwing on GraphQL errors. */
  raw<T = any, V extends Record<string, unknown> = Record<string, unknown>>(query: string, variables?: V): Promise<GraphQLResponse<T>>;
}

/** Creates a client of the GraphQL API at `url`. */
export function createClient(o: ClientOptions): Client {
  const doFetch = o.fetch ?? fetch;
  async function raw<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const res = await doFetch(o.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...o.headers },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: { data?: T | null; errors?: GraphQLErrorItem[] };
    try {
      body = JSON.parse(text);
    } catch {
      return { status: res.status, data: null, errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 200)}`, extensions: { code: "BAD_RESPONSE" } }] };
    }
    return { status: res.status, data: body.data ?? null, ...(body.errors ? { errors: body.errors } : {}) };
  }
  return {
    url: o.url,
    raw,
    async request<T>(query: string, variables?: Record<string, unknown>) {
      const r = await raw<T>(query, variables);
      if (r.errors?.length) throw new GraphQLRequestError(r.errors, r.status);
      if (r.data === null) throw new GraphQLRequestError([{ message: `HTTP ${r.status}: no data` }], r.status);
      return r.data;
    },
  };
}
