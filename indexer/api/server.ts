/**
 * HTTP server: GraphQL (graphql-yoga, GraphiQL at `/graphql`) with graphql-armor depth/alias/token/directive limits,
 * our cost limit with variables resolved, list/string argument limits and a body size limit (`limits.ts`), and the
 * ops endpoints `/health` (503 with the reason once the sync stopped for good), `/ready` (503 with every reason an
 * answer could be wrong or stale, `ops/health.ts`) and `/metrics` (Prometheus). Binds `config.host` (127.0.0.1 by
 * default).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { GraphQLError } from "graphql";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { IndexerContext } from "../context.js";
import { createResolvers } from "./resolvers.js";
import { typeDefs } from "./schema.js";
import { COST_RULES, clip, requestLimitsPlugin } from "./limits.js";
import { readiness } from "../ops/health.js";

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

/** The executable schema served for `ctx` (the SDL of `schema.graphql` with the resolvers). */
export function createApiSchema(ctx: IndexerContext) {
  return createSchema({ typeDefs, resolvers: createResolvers(ctx) as any });
}

/** The cost limit for a maximum page size of `maxPageSize` (5,000 for the default 1,000). */
export const maxCostOf = (maxPageSize: number) => COST_RULES.pagesPerQuery * maxPageSize;

/** Creates the yoga instance (also usable without HTTP: `yoga.fetch`). */
export function createGraphql(ctx: IndexerContext) {
  return createYoga({
    schema: createApiSchema(ctx),
    graphqlEndpoint: "/graphql",
    graphiql: { title: "hashpower indexer" },
    landingPage: false,
    plugins: [
      armor(),
      requestLimitsPlugin(
        { ...QUERY_LIMITS, maxCost: maxCostOf(ctx.config.maxPageSize), defaultPage: Math.min(100, ctx.config.maxPageSize) },
        () => (ctx.state.fatal ? ctx.state.fatal.message : null),
      ),
    ],
    logging: {
      debug: (...a: unknown[]) => ctx.log.isLevelEnabled("debug") && ctx.log.debug({ yoga: a.map(String).join(" ") }),
      info: (...a: unknown[]) => ctx.log.isLevelEnabled("info") && ctx.log.info({ yoga: a.map(String).join(" ") }),
      warn: (...a: unknown[]) => ctx.log.warn({ yoga: a.map(String).join(" ") }),
      error: (...a: unknown[]) => ctx.log.error({ yoga: a.map((x) => (x instanceof Error ? x.stack : String(x))).join(" ") }),
    },
  });
}

/** Starts the HTTP server; resolves once listening. */
export async function startServer(ctx: IndexerContext): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const yoga = createGraphql(ctx);
  const json = (res: any, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
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
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req) {
          size += (c as Buffer).length;
          if (size > max) return tooBig();
          chunks.push(c as Buffer);
        }
        body = Buffer.concat(chunks);
      }
      const response = await yoga.fetch(
        `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`,
        { method: req.method, headers: req.headers as Record<string, string>, body },
        { req, res },
      );
      const out = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(out);
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
