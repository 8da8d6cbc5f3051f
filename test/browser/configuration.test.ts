// The packaged app's configuration page in headless Chromium (the npm package @sparticuz/chromium,
// see chromium.ts, driven by playwright-core), served from the installed app as Splunk Web would serve it, against the splunkd REST double, whose
// input validation runs the packaged app's --validate-arguments against the Activity API
// simulator. Adds a tenant, tests the connection (fail, then pass), saves, and checks what reached
// storage/passwords and inputs. Screenshots go to docs/images/ with UPDATE_SCREENSHOTS=1 (so that
// ordinary runs leave the tree clean), else beside the test's temporary files.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "../../scripts/build";
import { archivePath, packageApp } from "../../scripts/package";
import { ARGUMENTS } from "../../src/splunk/scheme";
import { defaultTenant, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, startSimulator, type Simulator } from "../simulator";
import { installApp, type Splunkd } from "../harness/splunkd";
import { startRestDouble, type RestDouble } from "../rest-double/restDouble";
import { harnessValidator } from "../rest-double/validator";
import { chromiumEnv, chromiumPath, CHROMIUM_FLAGS } from "./chromium";
import { startSplunkWeb, type SplunkWeb } from "./splunkWeb";

const ROOT = path.resolve(__dirname, "../..");
const DOC_IMAGES = path.join(ROOT, "docs", "images");

// A second simulated tenant whose app registration lacks admin consent (AF10001 on every call).
const NO_CONSENT = {
  tenantId: "6b2c9e4d-0f1a-4c3b-8d5e-7f6a5b4c3d2e",
  clientId: "2e4c6a8b-3d5f-4a7c-9e1b-0c2d4e6f8a9b",
  secret: "fab~Secret.abcdefghijklmnopqrstuvwxyz012345",
};

describe("configuration page in a browser (Chromium, Splunk Web stand-in, splunkd double, simulator)", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let splunkd: Splunkd;
  let rest: RestDouble;
  let web: SplunkWeb;
  let context: BrowserContext;
  let page: Page;
  let work: string;
  let images: string;
  const pageErrors: string[] = [];

  before(async () => {
    const executablePath = await chromiumPath();
    if (!existsSync(archivePath())) {
      await build();
      packageApp();
    }
    work = mkdtempSync(path.join(tmpdir(), "dfo365-browser-"));
    sim = await startSimulator({
      tenants: [
        defaultTenant(),
        { tenantId: NO_CONSENT.tenantId, clients: [{ clientId: NO_CONSENT.clientId, secret: NO_CONSENT.secret }], consentMissing: true, backlog: false },
      ],
    });
    splunkd = await installApp();
    const staticDir = path.join(splunkd.appDir, "appserver", "static");
    assert.ok(existsSync(path.join(staticDir, "configuration.js")), `${archivePath()} has no appserver/static/configuration.js: run npm run package`);
    const env = { NODE_EXTRA_CA_CERTS: sim.caFile, DEFENDER_O365_RETRY_SCALE: "0" };
    rest = await startRestDouble({
      splunkHome: splunkd.splunkHome,
      validator: harnessValidator(splunkd, env),
      schemeArgs: ARGUMENTS.map((a) => a.name),
      indexes: ["main", "defender", "o365", "_internal"],
      confs: { app: { install: { is_configured: "0" } } },
    });
    web = await startSplunkWeb({
      splunkd: rest,
      viewFile: path.join(splunkd.appDir, "default", "data", "ui", "views", "configuration.xml"),
      staticDir,
    });
    context = await chromium.launchPersistentContext(path.join(work, "profile"), {
      executablePath,
      headless: true,
      args: CHROMIUM_FLAGS,
      env: { ...process.env, ...chromiumEnv() },
      viewport: { width: 1360, height: 900 },
      timeout: 20_000,
    });
    context.setDefaultTimeout(20_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(e.message));
    images = process.env.UPDATE_SCREENSHOTS === "1" ? DOC_IMAGES : path.join(work, "images");
    mkdirSync(images, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await web?.close();
    await rest?.close();
    await sim?.close();
    splunkd?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function fill(field: string, value: string): Promise<void> {
    await page.locator(`#dfo-${field}`).fill(value);
  }

  async function testConnection(): Promise<{ ok: string | null; text: string }> {
    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.locator('[data-test="test-result"]');
    await result.waitFor();
    return { ok: await result.getAttribute("data-ok"), text: await result.innerText() };
  }

  it("adds a tenant: a failed test names the cause, a passing test, save; secrets only in storage/passwords", async () => {
    await page.goto(web.pageUrl);
    await page
      .getByRole("button", { name: "Add tenant" })
      .waitFor()
      .catch((e: Error) => {
        throw new Error(`the page did not render (browser errors: ${pageErrors.join("; ") || "none"}): ${e.message}`);
      });
    await page.getByText("No tenant configured yet").waitFor();
    // Splunk Web builds the panel after the view's script ran: the page must sit in the panel.
    assert.equal(await page.locator("#defender-o365-configuration").count(), 1, "one placeholder, none added elsewhere");
    assert.equal(await page.locator('.dashboard-body #defender-o365-configuration [data-test="dfo365-configuration"]').count(), 1);
    await page.getByRole("button", { name: "Add tenant" }).click();

    await fill("name", "contoso");
    await fill("tenant_id", NO_CONSENT.tenantId);
    await fill("client_id", NO_CONSENT.clientId);
    await fill("client_secret", NO_CONSENT.secret);
    await fill("api_url", sim.url);
    await fill("authority_url", sim.url);
    const failed = await testConnection();
    assert.equal(failed.ok, "false", failed.text);
    assert.match(failed.text, /Connection test failed \[consent_missing\]/);
    assert.match(failed.text, /AF10001/);
    await page.screenshot({ path: path.join(images, "configuration-test-failed.png"), fullPage: true });
    const leftovers = [...rest.state.inputs.keys(), ...rest.state.passwords.keys()].filter((k) => k.includes("connection_test"));
    assert.deepEqual(leftovers, [], "the probe input and its secret are removed");

    await fill("tenant_id", DEFAULT_TENANT_ID);
    await fill("client_id", DEFAULT_CLIENT_ID);
    await fill("client_secret", DEFAULT_CLIENT_SECRET);
    const passed = await testConnection();
    assert.equal(passed.ok, "true", passed.text);
    assert.match(passed.text, /Connection works/);
    assert.equal(rest.state.inputs.size, 0, "testing saves nothing");

    // What the page shows once the input has run (splunkd.log lines the status search finds).
    const log = '11-26-2026 07:05:00.000 +0000 INFO  ExecProcessor [4242 ExecProcessor] - message from "/opt/splunk/etc/apps/defender_o365/bin/defender_o365_activity.sh"';
    rest.state.searchResults = [
      { _time: "2026-11-26T07:05:00.000+00:00", _raw: `${log} INFO run_summary input=contoso content_type=Audit.General blobs=4 records=80 duplicates_dropped=2 filtered=0 lag_seconds=312 errors=0 windows=1` },
    ];
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved tenant input contoso.").waitFor();
    await page.getByRole("cell", { name: "80 records", exact: false }).waitFor();
    await page.screenshot({ path: path.join(images, "configuration-tenants.png"), fullPage: true });

    assert.equal(rest.state.passwords.get("defender_o365:contoso:")?.password, DEFAULT_CLIENT_SECRET);
    assert.deepEqual([...rest.state.passwords.keys()], ["defender_o365:contoso:"]);
    const input = rest.state.inputs.get("contoso");
    assert.equal(input?.client_secret, "********");
    assert.equal(input?.tenant_id, DEFAULT_TENANT_ID);
    assert.equal(input?.api_url, sim.url);
    assert.ok(!readFileSync(rest.localConf("inputs"), "utf8").includes(DEFAULT_CLIENT_SECRET), "inputs.conf holds no secret");
    // Setup completes through the apps endpoint, which Splunk Web's setup redirect reads.
    assert.equal(rest.state.confs.get("app")?.get("install")?.is_configured, "1");
    assert.ok(rest.state.requests.includes("POST /services/apps/local/defender_o365"), "configured=1 through apps/local");
    const writes = web.proxied.filter((r) => r.method !== "GET");
    assert.ok(writes.length > 0 && writes.every((r) => r.csrf), "every write carried the CSRF token");
    assert.ok(rest.state.searches.some((s) => s.includes("run_summary")), "the status search ran");
    assert.deepEqual(pageErrors, []);
  });

  it("edits the tenant keeping its stored secret, and deletes it with its secret", async () => {
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByText("A secret is stored in Splunk's secret storage").waitFor();
    await fill("backfill_hours", "48");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator('[data-test="tenant-form"]').waitFor({ state: "detached" });
    await page.getByText("Saved tenant input contoso.").waitFor();
    assert.equal(rest.state.inputs.get("contoso")?.backfill_hours, "48");
    assert.equal(rest.state.inputs.get("contoso")?.client_secret, "********");
    assert.equal(rest.state.passwords.get("defender_o365:contoso:")?.password, DEFAULT_CLIENT_SECRET);

    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByText("Deleted contoso.").waitFor();
    assert.equal(rest.state.inputs.size, 0);
    assert.equal(rest.state.passwords.size, 0);
  });
});
