// Bundles the configuration page (src/ui/main.tsx) for the browser with esbuild. The page shares
// the pure config parser (src/config/parse.ts) with the modular input; nothing it imports
// reaches a Node built-in, and esbuild fails the build if something ever does.
import { build } from "esbuild";
import path from "node:path";

export const UI_ENTRY = path.join(__dirname, "..", "src", "ui", "main.tsx");
/** Where the bundle goes inside the app: Splunk Web serves it as /static/app/<app>/configuration.js. */
export const UI_BUNDLE = path.join("appserver", "static", "configuration.js");

/** Writes the minified bundle to `outfile` (e.g. `dist/defender_o365/appserver/static/configuration.js`). */
export async function bundleUi(outfile: string): Promise<void> {
  await build({
    entryPoints: [UI_ENTRY],
    outfile,
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    jsx: "automatic",
    legalComments: "linked",
    // Simple XML pages run RequireJS: hide its global `define` so UMD code in the bundle takes
    // the CommonJS path instead of registering anonymous AMD modules.
    define: { "process.env.NODE_ENV": '"production"', define: "undefined" },
    logLevel: "warning",
  });
}
