/**
 * The browser of the app tests: Chromium from Debian's packages (`/usr/bin/chromium`), installed with apt-get when
 * missing (as root; Playwright's own browser download needs the internet), driven by playwright-core.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Finds or installs Chromium; throws with what to do when neither works. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const run = (args: string[]) => spawnSync(asRoot[0] ?? args[0], asRoot.length ? [...asRoot.slice(1), ...args] : args.slice(1), { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  console.log(`    ${CHROMIUM} missing: installing Debian's chromium (apt-get install -y chromium) ...`);
  if (run(["apt-get", "install", "-y", "chromium"]).status !== 0) {
    run(["apt-get", "update"]);
    run(["apt-get", "install", "-y", "chromium"]);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` as root, or set CHROMIUM_PATH`);
  return CHROMIUM;
}

/** Launches headless Chromium. */
export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}
