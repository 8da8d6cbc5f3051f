// `npm run build`: bundles the modular input with esbuild into one file and lays out the app
// under dist/defender_o365/ exactly as it is packaged (docs/architecture.md):
//   dist/defender_o365/bin/app/defender_o365_activity.js   the whole program, no node_modules: the
//                           modular input, and the standalone collector (first argument `collector`)
//   dist/defender_o365/{default,metadata,README,static,lookups,appserver/static}, bin/*.sh|*.cmd
//   dist/defender_o365/README.md   the app root readme AppInspect reads (scripts/appReadme.ts)
//   dist/defender_o365/appserver/static/configuration.js   the configuration page (scripts/uiBundle.ts)
//   dist/sourcemaps/*.map   the bundle's source map, kept OUT of the app so the package stays small.
//                           The bundle ends with a sourceMappingURL naming it: to read a stack trace,
//                           copy the map beside the bundle and run node --enable-source-maps.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { APP_ID } from "../src/config/constants";
import { appReadme } from "./appReadme";
import { bundleUi, UI_BUNDLE } from "./uiBundle";

export const ROOT = path.resolve(__dirname, "..");
export const DIST = path.join(ROOT, "dist");
export const APP_DIR = path.join(DIST, APP_ID);
export const BUNDLE = path.join(APP_DIR, "bin", "app", "defender_o365_activity.js");
const SOURCEMAPS = path.join(DIST, "sourcemaps");

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** App folders copied as they are (when present). */
const APP_FOLDERS = ["default", "metadata", "README", "static", "lookups", "appserver/static"];
/** Never shipped: hidden files, local settings, node_modules (AppInspect fails each). */
export const EXCLUDED = (name: string): boolean => name.startsWith(".") || name === "local" || name === "local.meta" || name === "node_modules";

export interface BuildResult {
  appDir: string;
  bundle: string;
  /** The configuration page bundle. */
  ui: string;
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (EXCLUDED(entry.name)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else if (entry.isFile()) {
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, 0o644); // execute bits only on the launchers (set below)
    }
  }
}

const ENTRY = `if (process.argv[2] === "collector") require("./src/standalone/main").start(process.argv.slice(3));
else require("./src/main").start();`;

/**
 * splunk-sdk requires its own Node transport (needle, which brings iconv-lite: a fifth of the
 * bundle) only for a Service given no http object; src/splunk/splunkdRest.ts always gives one.
 * Left out, every start parses 0.6 MB less; were it ever reached, it fails saying so.
 */
const withoutSdkTransport: esbuild.Plugin = {
  name: "without-splunk-sdk-transport",
  setup(b) {
    b.onResolve({ filter: /\/platform\/node\/node_http$/ }, (args) =>
      args.importer.includes(`${path.sep}splunk-sdk${path.sep}`) ? { path: "splunk-sdk-node-http", namespace: "left-out" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({
      contents: 'throw new Error("splunk-sdk\'s own HTTP transport is not bundled: give the Service an http object");',
      loader: "js",
    }));
  },
};

/**
 * msal-node signs with jsonwebtoken only for a certificate credential, yet its import loaded
 * jsonwebtoken and semver at every start (about 20 ms, docs/performance.md "Startup"). Its
 * import is given a stand-in that loads the real module on the first signature.
 */
const lazyJsonwebtoken: esbuild.Plugin = {
  name: "lazy-jsonwebtoken",
  setup(b) {
    b.onResolve({ filter: /^jsonwebtoken$/ }, (args) =>
      args.importer.includes(`${path.sep}@azure${path.sep}msal-node${path.sep}`) ? { path: "jsonwebtoken-on-first-use", namespace: "lazy" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'let real;\nmodule.exports = { sign: (...args) => (real ??= require("jsonwebtoken")).sign(...args) };\n',
      loader: "js",
      resolveDir: ROOT,
    }));
  },
};

async function bundleInput(): Promise<void> {
  const result = await esbuild.build({
    // A plain-JS entry that requires main.ts: with main.ts itself as the entry, esbuild hoists its
    // "use strict" (tsconfig strict) to the top of the bundle, which puts every bundled CommonJS
    // module in strict mode and breaks splunk-sdk (its Class.extend reads arguments.callee).
    // One bundle for both programs: bin/defender_o365_collector.* run it with `collector` first
    // (the standalone collector, src/standalone/main.ts); splunkd runs it without.
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: BUNDLE,
    sourcemap: "linked", // the bundle names its map, which only a developer puts beside it
    sourcesContent: false,
    write: false,
    logLevel: "warning",
    plugins: [withoutSdkTransport, lazyJsonwebtoken],
  });
  for (const file of result.outputFiles) {
    const isMap = file.path.endsWith(".map");
    const dst = isMap ? path.join(SOURCEMAPS, path.basename(file.path)) : file.path;
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.writeFileSync(dst, file.contents, { mode: 0o644 });
  }
}

/** Builds dist/defender_o365/ from scratch. Fast (esbuild): well under 5 s. */
export async function build(): Promise<BuildResult> {
  fs.rmSync(APP_DIR, { recursive: true, force: true });
  fs.rmSync(SOURCEMAPS, { recursive: true, force: true });
  fs.mkdirSync(APP_DIR, { recursive: true, mode: 0o755 });
  for (const folder of APP_FOLDERS) {
    const src = path.join(ROOT, folder);
    if (fs.existsSync(src)) copyTree(src, path.join(APP_DIR, folder));
  }
  const binDir = path.join(APP_DIR, "bin");
  fs.mkdirSync(binDir, { recursive: true, mode: 0o755 });
  for (const name of fs.readdirSync(path.join(ROOT, "bin"))) {
    if (!/\.(sh|cmd)$/.test(name) || EXCLUDED(name)) continue;
    const dst = path.join(binDir, name);
    fs.copyFileSync(path.join(ROOT, "bin", name), dst);
    fs.chmodSync(dst, name.endsWith(".sh") ? 0o755 : 0o644);
  }
  fs.writeFileSync(path.join(APP_DIR, "README.md"), appReadme(packageVersion()), { mode: 0o644 });
  await bundleInput();
  // The configuration page: scripts/uiBundle.ts owns its browser build settings.
  const ui = path.join(APP_DIR, UI_BUNDLE);
  await bundleUi(ui);
  return { appDir: APP_DIR, bundle: BUNDLE, ui };
}

if (require.main === module) {
  const started = Date.now();
  build().then(
    (r) => console.log(`built ${path.relative(ROOT, r.appDir)} in ${Date.now() - started} ms`),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
