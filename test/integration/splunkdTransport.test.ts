// The packaged app against splunkd doubles the way sites really run splunkd: a management port
// whose certificate comes from the site's own CA (trusted by nothing on this host: not Node's
// roots, not $SPLUNK_HOME/etc/auth/cacert.pem) and one without SSL (http://). The Configuration
// page's save stores the secret, then edits the input with the masked value, which makes splunkd
// run --validate-arguments; that reads the secret back from storage/passwords over server_uri.
// Then a run reads it again. docs/reference/splunkd-rest-tls.md says why loopback is not verified.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { build } from "../../scripts/build";
import { archivePath, packageApp } from "../../scripts/package";
import { ARGUMENTS } from "../../src/splunk/scheme";
import { defaultTenant, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, startSimulator, type Simulator } from "../simulator";
import { createTlsMaterial } from "../simulator/certificates";
import { installApp, type Splunkd } from "../harness/splunkd";
import { startRestDouble, type RestDouble, type RestDoubleOptions } from "../rest-double/restDouble";
import { harnessValidator } from "../rest-double/validator";

interface Answer {
  status: number;
  text: string;
}

/** A POST as Splunk Web would send it, trusting whatever certificate the double has (the browser's affair). */
function post(double: RestDouble, pathname: string, form: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams({ ...form, output_mode: "json" }).toString();
  const headers = { Authorization: `Splunk ${double.sessionKey}`, "Content-Type": "application/x-www-form-urlencoded" };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    };
    const url = `${double.url}${pathname}`;
    const req = url.startsWith("https:")
      ? https.request(url, { method: "POST", headers, rejectUnauthorized: false }, onResponse)
      : http.request(url, { method: "POST", headers }, onResponse);
    req.on("error", reject);
    req.end(body);
  });
}

const NS = "/servicesNS/nobody/defender_o365";

describe("splunkd REST with a site's own certificate or without SSL (packaged app)", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let splunkd: Splunkd;
  const env = (): Record<string, string> => ({ NODE_EXTRA_CA_CERTS: sim.caFile, DEFENDER_O365_RETRY_SCALE: "0" });

  before(async () => {
    if (!existsSync(archivePath())) {
      await build();
      packageApp();
    }
    sim = await startSimulator({ tenants: [defaultTenant()] });
    splunkd = await installApp();
  });
  after(async () => {
    await sim?.close();
    splunkd?.cleanup();
  });

  async function saveAndRun(listen: RestDoubleOptions["listen"]): Promise<void> {
    const double = await startRestDouble({
      splunkHome: splunkd.splunkHome,
      validator: harnessValidator(splunkd, env()),
      schemeArgs: ARGUMENTS.map((a) => a.name),
      listen,
    });
    try {
      const settings = { tenant_id: DEFAULT_TENANT_ID, client_id: DEFAULT_CLIENT_ID, api_url: sim.url, authority_url: sim.url, backfill_hours: "1" };
      // Configuration page: the secret to storage/passwords first, then the input with it masked.
      const stored = await post(double, `${NS}/storage/passwords`, { name: "contoso", realm: "defender_o365", password: DEFAULT_CLIENT_SECRET });
      assert.equal(stored.status, 201, stored.text);
      const created = await post(double, `${NS}/data/inputs/defender_o365_activity`, { name: "contoso", ...settings, client_secret: "********" });
      assert.equal(created.status, 201, `the masked secret validated: ${created.text}`);
      assert.ok(double.state.requests.some((r) => r.startsWith("GET ") && r.includes("/storage/passwords/")), "validation read the secret back");

      const run = await splunkd.runInput({
        stanzas: [{ name: "contoso", params: { ...double.state.inputs.get("contoso")! } }],
        serverUri: double.url,
        sessionKey: double.sessionKey,
        checkpointDir: path.join(splunkd.splunkHome, "var", "lib", "splunk", "modinputs", `transport-${listen?.kind ?? "default"}`),
        env: env(),
      });
      const log = run.logs.map((l) => l.raw).join("\n");
      assert.equal(run.code, 0, log);
      assert.ok(run.logs.some((l) => /run_complete/.test(l.raw)), log);
      assert.ok(!/cause=(secret_missing|splunkd_unavailable)/.test(log), log);
    } finally {
      await double.close();
    }
  }

  it("accepts a loopback splunkd certificate that no CA on this host signs", async () => {
    const site = await createTlsMaterial(); // the site CA's PEM is written nowhere
    await saveAndRun({ kind: "https", certPem: site.certPem, keyPem: site.keyPem });
  });

  it("works with a splunkd that runs without SSL (server_uri http://)", async () => {
    await saveAndRun({ kind: "http" });
  });
});
