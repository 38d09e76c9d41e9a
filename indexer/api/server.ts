/**
 * HTTP server: GraphQL (graphql-yoga, GraphiQL at `/graphql`) with graphql-armor depth/cost/alias/token limits,
 * and the ops endpoints `/health` (process and sync alive), `/ready` (within N blocks of head) and `/metrics`
 * (Prometheus). Binds `config.host` (127.0.0.1 by default).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { GraphQLError } from "graphql";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import type { IndexerContext } from "../context.js";
import { createResolvers, isReady } from "./resolvers.js";
import { typeDefs } from "./schema.js";

/** Limits of a GraphQL operation (graphql-armor). */
export const QUERY_LIMITS = { maxDepth: 8, maxCost: 5_000, maxAliases: 15, maxTokens: 2_000, maxDirectives: 10 } as const;

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
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ...o },
    maxAliases: { n: QUERY_LIMITS.maxAliases, ...o },
    maxTokens: { n: QUERY_LIMITS.maxTokens, ...o },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives, ...o },
  });
}

/** Creates the yoga instance (also usable without HTTP: `yoga.fetch`). */
export function createGraphql(ctx: IndexerContext) {
  return createYoga({
    schema: createSchema({ typeDefs, resolvers: createResolvers(ctx) as any }),
    graphqlEndpoint: "/graphql",
    graphiql: { title: "hashpower indexer" },
    landingPage: false,
    plugins: [armor()],
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
        const ok = isReady(ctx);
        const cp = ctx.state.checkpoint?.number ?? null;
        return json(res, ok ? 200 : 503, {
          ready: ok, block: cp, head: ctx.state.head, lagBlocks: ctx.state.head !== null && cp !== null ? ctx.state.head - cp : null,
          maxLagBlocks: ctx.config.readyLagBlocks, lastError: ctx.state.lastError,
        });
      }
      if (path === "/metrics") {
        res.writeHead(200, { "content-type": ctx.metrics.registry.contentType });
        return res.end(await ctx.metrics.registry.metrics());
      }
      return yoga(req, res);
    } catch (e) {
      ctx.log.error({ err: e instanceof Error ? e.message : String(e), path }, "http handler failed");
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
