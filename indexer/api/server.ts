/**
 * HTTP server: the holder's web app at `/` (app/, bundled on first use), the statement as CSV at `/statement.csv`,
 * GraphQL (graphql-yoga, GraphiQL at `/graphql`, served from npm: works offline) with graphql-armor depth/alias/token/directive limits,
 * our cost limit with variables resolved, list/string argument limits and a body size limit (`limits.ts`), and the
 * ops endpoints `/health` (503 with the reason once the sync stopped for good), `/ready` (503 with every reason an
 * answer could be wrong or stale, `ops/health.ts`) and `/metrics` (Prometheus). Binds `config.host` (127.0.0.1 by
 * default).
 */
import { createServer, type Server } from "node:http";
import v8 from "node:v8";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { GraphQLError } from "graphql";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { IndexerContext } from "../context.js";
import { createResolvers } from "./resolvers.js";
import { typeDefs } from "./schema.js";
import { buildStatement, statementCsv } from "./statement.js";
import { createSnapshots } from "./snapshot.js";
import { parseDay, resolveBlock } from "./read.js";
import { buildApp, type AppBundle } from "../../app/build.js";
import { COST_RULES, clip, requestLimitsPlugin } from "./limits.js";
import { readiness } from "../ops/health.js";
import { createResponseCache, type CacheFlags } from "./cache.js";
import { createFastPath } from "./fast.js";

/**
 * Limits of a GraphQL request: document limits (graphql-armor), the longest list and string in an argument or
 * variable, the largest request body (bytes) and the longest error message (characters). The cost limit is
 * `COST_RULES.pagesPerQuery` × the maximum page size (`maxCostOf`).
 */
export const QUERY_LIMITS = {
  maxDepth: 8, maxAliases: 15, maxTokens: 2_000, maxDirectives: 10,
  maxListLength: 500, maxStringLength: 512, maxBodyBytes: 100_000, maxErrorMessage: 200,
} as const;

/**
 * graphql-armor reports with its own copy of graphql (v16); re-raise its rejections as errors of ours so they
 * reach the client as GraphQL errors (code QUERY_LIMIT) rather than a 500.
 */
function armor() {
  const onReject = [
    (ctx: any, err: Error) => {
      const e = new GraphQLError(err.message.replace(/^Syntax Error: /, ""), { extensions: { code: "QUERY_LIMIT" } });
      if (ctx?.reportError) ctx.reportError(e);
      else throw e;
    },
  ];
  const o = { propagateOnRejection: false, onReject };
  return EnvelopArmorPlugin({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ...o },
    costLimit: { enabled: false }, // replaced by limits.ts (graphql-armor's rule does not see variables)
    maxAliases: { n: QUERY_LIMITS.maxAliases, ...o },
    maxTokens: { n: QUERY_LIMITS.maxTokens, ...o },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives, ...o },
  });
}

/**
 * graphql-armor's token-limited parser throws the syntax errors of its own graphql copy, which yoga does not take for
 * GraphQL errors: it masked them as a 500 "Unexpected error.". Re-raise them as ours, with yoga's code for a parse
 * failure (GRAPHQL_PARSE_FAILED).
 */
function parseErrors() {
  return {
    onParse({ parseFn, setParseFn }: any) {
      setParseFn((source: unknown, options: unknown) => {
        try {
          return parseFn(source, options);
        } catch (e: any) {
          if (e instanceof GraphQLError || e?.name !== "GraphQLError") throw e;
          throw new GraphQLError(e.message, { source: e.source, positions: e.positions, extensions: { ...e.extensions, code: e.extensions?.code ?? "GRAPHQL_PARSE_FAILED" } });
        }
      });
    },
  };
}

/**
 * Request errors of execution (no `data`: a variable missing or of the wrong type, an unknown or ambiguous operation
 * name) come from graphql-js without a code; give them BAD_USER_INPUT, as our resolvers do for a bad argument.
 */
function requestErrorCodes() {
  const coded = (e: GraphQLError) =>
    e.extensions?.code || e.path ? e : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code: "BAD_USER_INPUT" } });
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }: any) {
          if (result && !("data" in result) && Array.isArray(result.errors)) setResult({ ...result, errors: result.errors.map(coded) });
        },
      };
    },
  };
}

/** The executable schema served for `ctx` (the SDL of `schema.graphql` with the resolvers). */
export function createApiSchema(ctx: IndexerContext) {
  const resolvers = createResolvers(ctx);
  const snaps = createSnapshots(ctx);
  const statement = (_: unknown, args: any) => buildStatement({ ctx, snaps, asOf: resolveBlock(ctx, args.block) }, args);
  return createSchema({ typeDefs, resolvers: { ...resolvers, Query: { ...resolvers.Query, statement } } as any });
}

/** The cost limit for a maximum page size of `maxPageSize` (5,000 for the default 1,000). */
export const maxCostOf = (maxPageSize: number) => COST_RULES.pagesPerQuery * maxPageSize;

/** The request limits of `requestLimitsPlugin` (and of the fast path) for `ctx`. */
const limitsOf = (ctx: IndexerContext) => ({ ...QUERY_LIMITS, maxCost: maxCostOf(ctx.config.maxPageSize), defaultPage: Math.min(100, ctx.config.maxPageSize) });
/** Why the API serves no data (the sync stopped for good), or null. */
const unavailableOf = (ctx: IndexerContext) => () => (ctx.state.fatal ? ctx.state.fatal.message : null);

/**
 * GraphiQL's page (`@graphql-yoga/render-graphiql`, ~9 MB of JavaScript, ~45 MiB in the heap), loaded on the first
 * GraphiQL request rather than at every start (by require, not import(): see `openPglite` in store/db.ts).
 */
let graphiqlModule: typeof import("@graphql-yoga/render-graphiql") | undefined;
const graphiql = () => (graphiqlModule ??= createRequire(import.meta.url)("@graphql-yoga/render-graphiql") as typeof import("@graphql-yoga/render-graphiql"));

/** Creates the yoga instance (also usable without HTTP: `yoga.fetch`). */
export function createGraphql(ctx: IndexerContext, schema = createApiSchema(ctx)) {
  return createYoga({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: { title: "hashpower indexer", defaultQuery: GRAPHIQL_QUERY },
    renderGraphiQL: (opts) => graphiql().renderGraphiQL(opts),
    landingPage: false,
    plugins: [
      armor(),
      parseErrors(),
      requestErrorCodes(),
      requestLimitsPlugin(limitsOf(ctx), unavailableOf(ctx)),
    ],
    logging: {
      debug: (...a: unknown[]) => ctx.log.isLevelEnabled("debug") && ctx.log.debug({ yoga: a.map(String).join(" ") }),
      info: (...a: unknown[]) => ctx.log.isLevelEnabled("info") && ctx.log.info({ yoga: a.map(String).join(" ") }),
      warn: (...a: unknown[]) => ctx.log.warn({ yoga: a.map(String).join(" ") }),
      error: (...a: unknown[]) => ctx.log.error({ yoga: a.map((x) => (x instanceof Error ? x.stack : String(x))).join(" ") }),
    },
  });
}

/**
 * The README's example queries, prefilled in GraphiQL: holder 0 of the main job (`npm start`; the replay's accounts
 * are deterministic, so the address is the same on every run).
 */
const GRAPHIQL_QUERY = `# hashpower indexer: amounts are decimal strings with their unit in the field name (Sats, E18 = ×1e18, UsdE8 = USD ×1e8).
# The address is holder 0 of the main job (npm start); days are UTC day numbers (19831 = 2024-04-18).
{
  _meta { block lagBlocks phase }
  account(address: "0xf414138488898023ff221828209cd910345ed1f0") {
    positions {
      seriesId balance claimableSats claimedSats accruedSats remainingThsDays
      valuation { valueSats valueUsdE8 netPerThsDaySatsE18 btcUsdE8 source }
      collateral { marketId collateral debtSats ltvBps lltvBps healthFactor liquidationPriceSats }
    }
  }
  statement(account: "0xf414138488898023ff221828209cd910345ed1f0", from: 19831, to: 19833) {
    days { date seriesId units grossSats downtimeSats compensationSats electricitySats serviceSats netSats claimedSats }
    totals { creditedSats claimedSats } claimedSats claimableSats complete
  }
  yieldHistory(seriesId: "1", from: 19831, to: 19833) {
    days { date hashpriceE18 uptimeBps grossPerUnitSatsE18 netPerUnitSatsE18 trailing7NetPerUnitSatsE18 trailing30NetPerUnitSatsE18 }
  }
}
`;

const userInputError = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });

/**
 * Turns off V8's allocation-site pretenuring for this process, unless a node flag names it. V8
 * learns during the backfill that objects from many allocation sites survive (rows of a batch), then allocates what
 * the same sites make while serving (request and response objects, strings) directly in the old generation: the old
 * generation grew ~3 MB per scavenge under a warm account-query load (`--trace-gc`, 20,000 cache hits: +60 MB), and
 * mark-compact pauses followed. Without it the growth is ~0.1 MB per scavenge. Called before the sync starts, so no
 * site is pretenured yet.
 */
function noPretenuring(): void {
  if (process.execArgv.some((f) => f.includes("allocation-site-pretenuring"))) return; // Node refuses it in NODE_OPTIONS
  v8.setFlagsFromString("--no-allocation-site-pretenuring");
}

/** Starts the HTTP server; resolves once listening. */
export async function startServer(ctx: IndexerContext): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  noPretenuring();
  const schema = createApiSchema(ctx);
  const yoga = createGraphql(ctx, schema);
  const cache = createResponseCache(ctx, schema);
  const fast = createFastPath(schema, limitsOf(ctx), unavailableOf(ctx), ctx.metrics.registry);
  const snaps = createSnapshots(ctx);
  let app: Promise<AppBundle> | undefined;
  const json = (res: any, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const send = (res: any, type: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(200, { "content-type": type, "cache-control": "no-cache", ...extra });
    res.end(body);
  };
  const server = createServer(async (req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    try {
      if (path === "/health") {
        const ok = !ctx.state.fatal && ctx.state.phase !== "stopped";
        return json(res, ok ? 200 : 503, { ok, phase: ctx.state.phase, error: ctx.state.fatal?.message ?? null });
      }
      if (path === "/ready") {
        const reasons = await readiness(ctx);
        const cp = ctx.state.checkpoint?.number ?? null;
        return json(res, reasons.length === 0 ? 200 : 503, {
          ready: reasons.length === 0, reasons: reasons.map((r) => r.reason), details: reasons.map((r) => r.detail),
          block: cp, head: ctx.state.head, lagBlocks: ctx.state.head !== null && cp !== null ? ctx.state.head - cp : null,
          maxLagBlocks: ctx.config.readyLagBlocks, lastError: ctx.state.lastError,
        });
      }
      if (req.method === "GET" && (path === "/" || path === "/index.html" || path === "/app.js" || path === "/app.css")) {
        const b = await (app ??= buildApp().catch((e) => ((app = undefined), Promise.reject(e))));
        if (path === "/app.js") return send(res, "text/javascript; charset=utf-8", b.js);
        if (path === "/app.css") return send(res, "text/css; charset=utf-8", b.css);
        return send(res, "text/html; charset=utf-8", b.html);
      }
      if (req.method === "GET" && path === "/app/config.json") {
        // what the app needs besides GraphQL: the chain to expect in the wallet and the contracts to call
        const c = ctx.config.contracts;
        return json(res, 200, { chainId: ctx.state.chainId, token: c.token, wrapperFactory: c.wrapperFactory ?? null, morpho: c.morpho ?? null, graphql: "/graphql" });
      }
      if (req.method === "GET" && path === "/statement.csv") {
        const u = new URL(req.url ?? "/", "http://x");
        const q = (k: string) => u.searchParams.get(k);
        const day = (k: string) => {
          const v = q(k);
          if (v === null || !/^\d+$/.test(v)) throw userInputError(`${k}: a UTC day number is required (got ${v === null ? "nothing" : `"${v}"`})`);
          return parseDay(Number(v), k);
        };
        let s;
        try {
          const block = q("block") === null ? null : { number: Number(q("block")) };
          s = await buildStatement({ ctx, snaps, asOf: resolveBlock(ctx, block) }, { account: q("account") ?? "", seriesId: q("seriesId"), from: day("from"), to: day("to") });
        } catch (e) {
          if (e instanceof GraphQLError) {
            const code = String(e.extensions?.code ?? "BAD_USER_INPUT");
            return json(res, code === "NOT_FOUND" ? 404 : 400, { errors: [{ message: e.message, extensions: { code } }] });
          }
          throw e;
        }
        const name = `hashpower-statement-${s.account}${s.series.length === 1 && q("seriesId") ? `-series-${s.series[0].seriesId}` : ""}-${s.from}-${s.to}.csv`;
        return send(res, "text/csv; charset=utf-8", statementCsv(s), { "content-disposition": `attachment; filename="${name}"` });
      }
      if (path === "/metrics") {
        await readiness(ctx); // refreshes indexer_ready, indexer_healthy, indexer_not_ready{reason}
        res.writeHead(200, { "content-type": ctx.metrics.registry.contentType });
        return res.end(await ctx.metrics.registry.metrics());
      }
      // the body is read here, up to maxBodyBytes, before yoga sees it
      const max = QUERY_LIMITS.maxBodyBytes;
      const tooBig = () => {
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ errors: [{ message: `request body larger than ${max} bytes`, extensions: { code: "QUERY_LIMIT" } }] }));
        res.once("finish", () => req.destroy()); // read no more of it: close the connection once answered
      };
      if (Number(req.headers["content-length"] ?? 0) > max) return tooBig();
      let body: Buffer | undefined;
      if (req.method !== "GET" && req.method !== "HEAD") {
        // plain 'data'/'end' events: cheaper per request than an async iterator over the stream
        body = await new Promise<Buffer | undefined>((resolve, reject) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const onData = (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.off("data", onData);
              req.pause();
              resolve(undefined);
            } else chunks.push(c);
          };
          let ended = false;
          req.on("data", onData);
          req.once("end", () => ((ended = true), resolve(size > max ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
          req.once("error", reject);
          // 'close' follows 'end' on every request: build the Error (a stack trace) only when it means something
          req.once("close", () => ended || reject(new Error("the client closed the request before its body ended")));
        });
        if (body === undefined) return tooBig();
      }
      // per-block response cache (cache.ts): the same body at the same checkpoint gets the same bytes
      const cacheable = req.method === "POST" && req.url === "/graphql" && body !== undefined;
      const hit = cacheable ? cache.get(req.headers, body!) : undefined;
      if (hit) {
        res.writeHead(hit.status, hit.headers);
        return res.end(hit.body);
      }
      const tag = cacheable ? cache.begin() : null;
      if (cacheable) {
        // a document yoga already answered: executed directly (fast.ts); errors and anything unusual go to yoga
        const responseCache: CacheFlags = { volatile: false };
        const a = await fast.answer(req.headers, body!, { req, res, responseCache });
        if (a) {
          res.writeHead(a.status, a.headers);
          res.end(a.body);
          return cache.set(tag, req.headers, body!, responseCache, a.status, a.headers, a.body);
        }
      }
      const responseCache: CacheFlags = { volatile: false };
      const response = await yoga.fetch(
        `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
        { method: req.method, headers: req.headers as Record<string, string>, body },
        { req, res, responseCache },
      );
      const out = Buffer.from(await response.arrayBuffer());
      const headers = Object.fromEntries(response.headers);
      res.writeHead(response.status, headers);
      res.end(out);
      if (cacheable) {
        cache.set(tag, req.headers, body!, responseCache, response.status, headers, out);
        fast.learn(req.headers, body!, response.status, headers, out);
      }
    } catch (e) {
      ctx.log.error({ err: clip(e instanceof Error ? e.message : String(e), 200), path }, "http handler failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(ctx.config.port, ctx.config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
