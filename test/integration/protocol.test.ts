// The packaged launcher through the splunkd harness: the three invocation modes, the Node lookup,
// and a run against the Activity API simulator (docs/configuration.md, docs/reference/splunk-platform.md 1).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, defaultTenant, startSimulator, type Simulator } from "../simulator";
import { installApp, type Params, type Splunkd } from "../harness/splunkd";
import { readScheme } from "../lib/schemeXml";

/** The arguments of docs/configuration.md (names are a contract). */
const DESIGN_ARGS = [
  "tenant_id", "client_id", "client_secret", "certificate_path", "cloud", "content_types", "record_types",
  "backfill_hours", "max_concurrency", "publisher_id", "proxy_url", "api_url", "authority_url", "auto_subscribe",
  "graph_backfill", "graph_url",
];
/** Added beside them ("more may be added"): the other two secrets, masked on the first run. */
const SECRET_ARGS = ["certificate_password", "proxy_password"];

/** Polls until the condition holds (a harness guard, not a timing assertion). */
async function waitFor(condition: () => boolean, limitMs: number): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("protocol: the packaged launcher run as splunkd runs it", function () {
  let splunkd: Splunkd;
  let sim: Simulator;
  let simParams: Params;
  let simEnv: Record<string, string>;

  before(async () => {
    splunkd = await installApp();
    const tenant = defaultTenant();
    tenant.backlog = { days: 0.25, blobsPerHour: 1, recordsPerBlob: 3, seed: 7 };
    sim = await startSimulator({ tenants: [tenant] });
    simParams = { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, api_url: sim.url, authority_url: sim.url };
    // The simulator's CA, as an admin adds a private CA for a TLS-inspecting proxy (docs/configuration.md).
    simEnv = { NODE_EXTRA_CA_CERTS: sim.caFile, DEFENDER_O365_RETRY_SCALE: "0" };
  });
  after(async () => {
    await sim?.close();
    splunkd?.cleanup();
  });

  describe("--scheme", () => {
    it("prints valid scheme XML naming every design argument", async () => {
      const r = await splunkd.runScheme();
      assert.equal(r.code, 0);
      assert.deepEqual(r.logs.filter((l) => l.level === "ERROR"), []);
      assert.ok(!r.stdout.startsWith("<?xml"), "the SDKs print no XML declaration");
      const { top, args } = readScheme(r.stdout);
      assert.equal(top.title, "Defender for Office 365");
      assert.equal(top.use_external_validation, "true");
      assert.equal(top.use_single_instance, "false");
      assert.equal(top.streaming_mode, "xml");
      assert.deepEqual(args.map((a) => a.name).filter((n) => !SECRET_ARGS.includes(n)), DESIGN_ARGS);
      assert.deepEqual(args.map((a) => a.name).filter((n) => SECRET_ARGS.includes(n)), SECRET_ARGS);
      for (const a of args) {
        for (const child of ["title", "description", "data_type", "required_on_create", "required_on_edit"]) {
          assert.ok(a.children[child], `${a.name} has no <${child}>`);
        }
        assert.ok(["string", "number", "boolean"].includes(a.children.data_type));
        assert.equal(a.children.required_on_create, String(a.name === "tenant_id" || a.name === "client_id"));
      }
      const byName = new Map(args.map((a) => [a.name, a.children]));
      assert.match(byName.get("tenant_id")!.validation, /^validate\(isnull\('tenant_id'\) OR match\('tenant_id', "\^\[0-9A-Fa-f\]\{8\}-/);
      assert.equal(byName.get("backfill_hours")!.data_type, "number");
      assert.match(byName.get("backfill_hours")!.validation, /<= 4320/);
      assert.equal(byName.get("graph_backfill")!.data_type, "boolean");
    });
  });

  it("turns Node's own warnings into WARN lines (a line without a level is an ERROR in splunkd.log)", async () => {
    const preload = path.join(splunkd.splunkHome, "warn.js");
    fs.writeFileSync(preload, 'process.emitWarning("old API", "DeprecationWarning", "DEP0999");\n');
    const r = await splunkd.runScheme({ NODE_OPTIONS: `--require ${preload}` });
    assert.equal(r.code, 0);
    assert.deepEqual(r.logs.map((l) => [l.level, l.message, l.fields.cause]), [["WARN", "Node.js DeprecationWarning: old API", "node_warning"]]);
  });

  describe("--validate-arguments", () => {
    it("accepts a good configuration (connection test against the simulator)", async () => {
      const r = await splunkd.runValidate(simParams, { env: simEnv });
      assert.equal(r.error, undefined, r.error);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "");
    });

    const bad: [string, Params, RegExp][] = [
      ["no tenant", { client_id: DEFAULT_CLIENT_ID, client_secret: "x" }, /^tenant_id is required/],
      ["a domain tenant", { tenant_id: "contoso.onmicrosoft.com", client_id: DEFAULT_CLIENT_ID, client_secret: "x" }, /is a domain name, but the Management Activity API needs the tenant GUID/],
      ["a bad client id", { tenant_id: DEFAULT_TENANT_ID, client_id: "nope", client_secret: "x" }, /client_id "nope" is not a GUID/],
      ["no credentials", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID }, /client_secret or certificate_path is required/],
      ["both credentials", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", certificate_path: "/etc/hostname" }, /not both/],
      ["a missing certificate", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, certificate_path: "/no/such/app.pem" }, /certificate_path "\/no\/such\/app.pem" does not exist/],
      ["a certificate file without a key", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, certificate_path: "/etc/hostname" }, /holds no private key/],
      ["an unknown cloud", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", cloud: "mooncake" }, /cloud "mooncake" is not one of/],
      ["an unknown content type", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", content_types: "Audit.Teams" }, /content_types has "Audit.Teams"/],
      ["an unknown record type", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", record_types: "Phish" }, /record_types has "Phish"/],
      ["backfill beyond 7 days", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", backfill_hours: "200" }, /backfill_hours "200" must be a whole number from 1 to 167/],
      ["too much concurrency", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", max_concurrency: "0" }, /max_concurrency "0" must be a whole number from 1 to 32/],
      ["a proxy password", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", proxy_url: "http://u:p@proxy:8080" }, /proxy_url must not hold a password/],
      ["a plain-http api_url", { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, client_secret: "x", api_url: "http://127.0.0.1:1" }, /api_url .* must be https/],
    ];
    for (const [what, params, message] of bad) {
      it(`rejects ${what} with a specific message`, async () => {
        const r = await splunkd.runValidate(params);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^<error><message>[\s\S]*<\/message><\/error>\n$/);
        assert.match(r.error ?? "", message);
        assert.ok(r.logs.some((l) => l.level === "ERROR" && l.fields.cause === "config_invalid"));
      });
    }

    it("reports a failing connection test (wrong secret) with its cause", async () => {
      const r = await splunkd.runValidate({ ...simParams, client_secret: "wrong" }, { env: simEnv });
      assert.equal(r.code, 1);
      assert.match(r.error ?? "", /^Connection test failed/);
    });
  });

  describe("run mode", () => {
    it("collects from the simulator and exits cleanly with a run summary", async () => {
      const r = await splunkd.runInput({ stanzas: [{ name: "contoso", params: simParams }], env: simEnv, serverUri: "https://127.0.0.1:1" });
      assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
      assert.ok(r.events.length > 0, "no events");
      for (const e of r.events) {
        assert.equal(e.stanza, "defender_o365_activity://contoso");
        assert.ok(e.unbroken && e.done);
        assert.equal(e.source, `defender_o365:${DEFAULT_TENANT_ID}:Audit.General`);
        assert.match(e.sourcetype ?? "", /^o365:(defender|management):/);
        assert.equal(typeof JSON.parse(e.data).Id, "string");
      }
      const complete = r.logs.find((l) => l.message === "run_complete");
      assert.ok(complete, "no run_complete line");
      assert.equal(complete.level, "INFO");
      assert.equal(complete.fields.input, "contoso");
      assert.equal(Number(complete.fields.records), r.events.length);
      assert.ok(fs.readdirSync(r.checkpointDir).length > 0, "no checkpoint written");
    });

    it("stops cleanly on SIGTERM: exits by itself with a well-formed stream", async () => {
      sim.setFaults({ latencyMs: 200 });
      try {
        const handle = splunkd.startInput({ stanzas: [{ name: "stopping", params: { ...simParams, backfill_hours: "6" } }], env: simEnv, serverUri: "https://127.0.0.1:1" });
        // Signal handlers are installed before the stanza runs; its first line says it is running.
        await waitFor(() => handle.logs.some((l) => l.fields.input === "stopping"), 20_000);
        handle.kill("SIGTERM");
        const exit = await handle.exited; // rejects if the stream was left malformed
        assert.equal(exit.signal, null, "killed by the signal instead of stopping");
        assert.equal(exit.code, 0, handle.logs.map((l) => l.raw).join("\n"));
        assert.ok(handle.logs.some((l) => l.level === "INFO" && l.message === "Stopping" && l.fields.reason === "SIGTERM"));
      } finally {
        sim.setFaults({});
      }
    });

    it("skips a bad stanza with one ERROR (cause=config_invalid) and exits non-zero", async () => {
      const r = await splunkd.runInput({ stanzas: [{ name: "broken", params: { tenant_id: "not-a-guid" } }] });
      assert.equal(r.code, 1);
      assert.equal(r.events.length, 0);
      const errors = r.logs.filter((l) => l.level === "ERROR");
      assert.equal(errors.length, 1);
      assert.equal(errors[0].fields.cause, "config_invalid");
      assert.equal(errors[0].fields.input, "broken");
      assert.match(errors[0].message, /tenant_id "not-a-guid" is not a GUID/);
    });

    it("starts on the closing </input> tag even when stdin stays open", async () => {
      const r = await splunkd.runInput({ stanzas: [{ name: "broken", params: {} }], closeStdin: false, timeoutMs: 20_000 });
      assert.equal(r.code, 1);
      assert.ok(r.logs.some((l) => l.fields.cause === "config_invalid"));
    });

    it("rejects unknown arguments with an ERROR line", async () => {
      const r = await splunkd.exec(["--bogus"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.logs.length, 1);
      assert.equal(r.logs[0].level, "ERROR");
      assert.match(r.logs[0].message, /^Invalid arguments: --bogus/);
    });
  });

  describe("Node lookup", () => {
    let bin: string;
    before(() => {
      bin = fs.mkdtempSync(path.join(splunkd.splunkHome, "fake-"));
      fs.writeFileSync(path.join(bin, "node18"), "#!/bin/sh\necho v18.19.0\n", { mode: 0o755 });
    });

    it("prints one ERROR line and exits 1 when no Node >= 20.18.1 is found", async () => {
      const empty = fs.mkdtempSync(path.join(splunkd.splunkHome, "empty-"));
      const r = await splunkd.runScheme({ PATH: empty, DEFENDER_O365_NODE: path.join(bin, "node18") });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.logs.length, 1);
      const [line] = r.logs;
      assert.equal(line.level, "ERROR");
      assert.equal(line.fields.cause, "node_missing");
      assert.match(line.message, /^No Node\.js >= 20\.18\.1 found to run the defender_o365_activity modular input\. /);
      assert.match(line.message, /DEFENDER_O365_NODE \S+node18 \(v18\.19\.0\)/);
      assert.match(line.message, /PATH \(no node\)/);
      assert.match(line.message, /Fix: install Node\.js/);
    });

    it("names the standalone collector when it is the collector that finds no Node", async () => {
      const empty = fs.mkdtempSync(path.join(splunkd.splunkHome, "empty-"));
      const r = await splunkd.exec(["collector", "--check"], undefined, { PATH: empty, DEFENDER_O365_NODE: path.join(bin, "node18") });
      assert.equal(r.code, 1);
      assert.equal(r.logs.length, 1);
      assert.equal(r.logs[0].fields.cause, "node_missing");
      assert.match(r.logs[0].message, /^No Node\.js >= 20\.18\.1 found to run the standalone collector \(defender_o365_collector\)\. /);
    });

    it("passes over an old $SPLUNK_HOME/bin/node to node on PATH", async () => {
      const splunkBin = path.join(splunkd.splunkHome, "bin");
      fs.mkdirSync(splunkBin, { recursive: true });
      fs.copyFileSync(path.join(bin, "node18"), path.join(splunkBin, "node"));
      fs.chmodSync(path.join(splunkBin, "node"), 0o755);
      try {
        const r = await splunkd.runScheme({ PATH: path.dirname(process.execPath), DEFENDER_O365_NODE: undefined });
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^<scheme>/);
      } finally {
        fs.rmSync(splunkBin, { recursive: true, force: true });
      }
    });

    it("uses DEFENDER_O365_NODE first when it fits", async () => {
      const empty = fs.mkdtempSync(path.join(splunkd.splunkHome, "empty-"));
      const r = await splunkd.runScheme({ PATH: empty, DEFENDER_O365_NODE: process.execPath });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^<scheme>/);
    });
  });
});
