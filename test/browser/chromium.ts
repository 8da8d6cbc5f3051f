// The Chromium the browser test drives: the headless build inside the npm package
// @sparticuz/chromium (a dev dependency), so `npm ci && npm test` needs no system browser.
// The package unpacks its brotli'd binary, fonts and SwiftShader into os.tmpdir() on first use and
// reuses whatever it finds there. Several test runs on one machine would then race on one
// half-written /tmp/chromium, so each version unpacks once into a staging folder of its own,
// which is renamed into place only when complete. CHROMIUM_PATH still selects another browser.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Chromium from "@sparticuz/chromium";

/** Flags for a headless run as root in a container (CI runs as root; no user namespaces there). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function cacheDir(): string {
  // The package exports no package.json: read it beside its entry point (build/cjs/index.cjs).
  const manifest = path.join(path.dirname(require.resolve("@sparticuz/chromium")), "..", "..", "package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  const user = process.getuid?.() ?? "user";
  return path.join(tmpdir(), `defender-o365-chromium-${version}-${user}`);
}

/** Environment for the browser: the fonts unpacked beside it (a bare machine may have none). */
export function chromiumEnv(): Record<string, string> {
  return process.env.CHROMIUM_PATH ? {} : { FONTCONFIG_PATH: path.join(cacheDir(), "fonts") };
}

/** The browser executable: CHROMIUM_PATH, else the npm package's Chromium, unpacked on first use. */
export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const home = cacheDir();
  const executable = path.join(home, "chromium");
  if (existsSync(executable)) return executable;
  const staging = mkdtempSync(`${home}-staging-`);
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = staging; // the package unpacks into os.tmpdir(), read at each call
  try {
    const unpacked = await Chromium.executablePath();
    if (path.dirname(unpacked) !== staging) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${staging}`);
    // Its fonts.conf names /tmp/fonts (a Lambda path); without fonts text has no size and
    // Playwright sees every element as hidden. Point fontconfig at the copy here and the system's.
    writeFileSync(
      path.join(staging, "fonts", "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${path.join(home, "fonts", "fonts")}</dir>\n  <dir>/usr/share/fonts</dir>\n` +
        `  <cachedir>${path.join(home, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  try {
    renameSync(staging, home);
  } catch (error) {
    // Another run finished first: its copy is complete (it was renamed whole), use it.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(executable)) throw error;
  }
  return executable;
}
