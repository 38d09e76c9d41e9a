#!/usr/bin/env node
/**
 * Command line: `npm run indexer -- [run|sync|serve] [flags]` (`--help` lists every flag; the command itself is
 * `indexer/command.ts`). It runs from the ahead-of-time bundle of `indexer/bundle.ts`, built at the first start after
 * a source change; without one (`HASHPOWER_BUNDLE=0`, or esbuild failing) it runs the TypeScript sources directly.
 */
import { pathToFileURL } from "node:url";
import { buildBundle, cachedBundle } from "./bundle.js";

let file: string | null = null;
if (process.env.HASHPOWER_BUNDLE !== "0") {
  file = cachedBundle();
  if (!file) file = await buildBundle().catch((e) => (console.error(`indexer bundle not built, running the sources: ${e instanceof Error ? e.message : e}`), null));
}
await import(file ? pathToFileURL(file).href : "./command.js");
