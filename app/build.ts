/**
 * Bundles the web app (app/src, TypeScript, with uPlot and viem) with esbuild into one minified script and one
 * stylesheet, in memory: the indexer serves them at `/` (indexer/api/server.ts) and builds them on first use, so
 * a fresh clone needs no build step and no network. `npm run build:app` writes them to app/dist and prints sizes.
 */
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { mkdirSync, writeFileSync } from "node:fs";

const SRC = fileURLToPath(new URL("./src/", import.meta.url));

/** The bundled app: the page, its script and its stylesheet. */
export interface AppBundle {
  html: string;
  js: string;
  css: string;
}

/** Builds the app (≈ 0.3-1 s). */
export async function buildApp(): Promise<AppBundle> {
  const r = await build({
    entryPoints: [SRC + "main.ts"],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    write: false,
    outdir: "out",
    legalComments: "none",
    logLevel: "silent",
  });
  const file = (ext: string) => new TextDecoder().decode(r.outputFiles.find((f) => f.path.endsWith(ext))?.contents ?? new Uint8Array());
  return { html: INDEX_HTML, js: file(".js"), css: file(".css") };
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hashpower: your hash power</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"><p class="muted">Loading…</p></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const b = await buildApp();
  const dist = fileURLToPath(new URL("./dist/", import.meta.url));
  mkdirSync(dist, { recursive: true });
  writeFileSync(dist + "index.html", b.html);
  writeFileSync(dist + "app.js", b.js);
  writeFileSync(dist + "app.css", b.css);
  const kb = (s: string) => (Buffer.byteLength(s) / 1024).toFixed(1);
  const gz = (s: string) => (gzipSync(s).length / 1024).toFixed(1);
  console.log(`app built in ${(performance.now() - t0).toFixed(0)} ms → app/dist`);
  console.log(`| file | bytes (KiB) | gzip (KiB) |\n|---|---:|---:|`);
  for (const [n, s] of [["index.html", b.html], ["app.js", b.js], ["app.css", b.css]]) console.log(`| ${n} | ${kb(s)} | ${gz(s)} |`);
}
