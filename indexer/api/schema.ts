/**
 * The GraphQL schema: `schema.graphql` beside this file is the source (SDL with a description on every type, field,
 * argument and enum value; the API documentation shown in GraphiQL and the input of the typed client in `client/`).
 * `npm run schema` rewrites it in `printSchema` form and regenerates the client's types; a test fails when the
 * served schema differs from the file or a description is missing.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Path of the committed SDL. */
export const SCHEMA_PATH = fileURLToPath(new URL("./schema.graphql", import.meta.url));

/** The SDL. */
export const typeDefs = readFileSync(SCHEMA_PATH, "utf8");
