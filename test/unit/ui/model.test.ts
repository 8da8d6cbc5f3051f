import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { MASKED_SECRET as MASK } from "../../../src/config/constants";
import { ARGUMENTS } from "../../../src/splunk/scheme";
import {
  emptyForm,
  formFromInput,
  inputArgs,
  parseLogLine,
  runSummaryText,
  statusByInput,
  typedSecrets,
  validateForm,
  type TenantForm,
} from "../../../src/ui/model";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CLIENT = "11111111-2222-4333-8444-555555555555";

function filled(over: Partial<TenantForm> = {}): TenantForm {
  return { ...emptyForm(), name: "contoso", tenant_id: TENANT, client_id: CLIENT, client_secret: "typed-secret", ...over };
}

describe("configuration page model", () => {
  it("never puts a typed secret into the input's arguments", () => {
    const form = filled({ proxy_url: "http://proxy.example:3128", proxy_password: "pw" });
    const args = inputArgs(form, {});
    assert.equal(args.client_secret, MASK);
    assert.equal("proxy_password" in args, false, "the proxy password lives in storage/passwords only");
    assert.ok(!JSON.stringify(args).includes("typed-secret") && !JSON.stringify(args).includes('"pw"'));
    assert.deepEqual(typedSecrets(form), { client_secret: "typed-secret", proxy_password: "pw" });
  });

  it("keeps a stored secret when the field is left empty, and clears it when the mode changes", () => {
    const { form, stored } = formFromInput({ name: "contoso", disabled: false, args: { tenant_id: TENANT, client_id: CLIENT, client_secret: MASK, content_types: "Audit.General,DLP.All" } });
    assert.equal(form.client_secret, "");
    assert.deepEqual(form.content_types, ["Audit.General", "DLP.All"]);
    assert.equal(inputArgs(form, stored).client_secret, MASK);
    assert.deepEqual(validateForm(form, stored), { fields: {}, general: [] });
    const cert = { ...form, auth: "certificate" as const, certificate_path: "/opt/certs/app.pem" };
    assert.equal(inputArgs(cert, stored).client_secret, "");
    assert.equal(inputArgs(cert, stored).certificate_path, "/opt/certs/app.pem");
    assert.equal("certificate_password" in inputArgs(cert, stored), false);
  });

  it("reports --validate-arguments' messages against their fields", () => {
    const errors = validateForm(filled({ tenant_id: "not-a-guid", backfill_hours: "500", client_secret: "" }), {});
    assert.match(errors.fields.tenant_id ?? "", /tenant_id/);
    assert.match(errors.fields.backfill_hours ?? "", /backfill_hours/);
    assert.match(errors.fields.client_secret ?? errors.general.join(" "), /client_secret or certificate_path is required/);
    assert.deepEqual(validateForm(filled(), {}), { fields: {}, general: [] });
    assert.match(validateForm(filled({ auth: "certificate" }), {}).fields.certificate_path ?? "", /required/);
  });

  it("carries the Backfill from Microsoft Graph toggle, and allows 4320 hours only with it", () => {
    assert.equal(inputArgs(filled(), {}).graph_backfill, "0");
    const on = filled({ graph_backfill: true, backfill_hours: "240" });
    assert.equal(inputArgs(on, {}).graph_backfill, "1");
    assert.deepEqual(validateForm(on, {}), { fields: {}, general: [] });
    assert.match(validateForm(filled({ backfill_hours: "240" }), {}).fields.backfill_hours ?? "", /graph_backfill = 1/);
    assert.match(validateForm(filled({ graph_backfill: true, cloud: "dod" }), {}).fields.graph_backfill ?? "", /not available with cloud dod/);
    assert.equal(formFromInput({ name: "c", disabled: false, args: { graph_backfill: "1" } }).form.graph_backfill, true);
    assert.equal(formFromInput({ name: "c", disabled: false, args: {} }).form.graph_backfill, false);
  });

  it("reads status from the input's splunkd.log lines, newest first", () => {
    const prefix = '11-26-2026 07:00:00.000 +0000 INFO  ExecProcessor [123 ExecProcessor] - message from "/opt/splunk/etc/apps/defender_o365/bin/defender_o365_activity.sh"';
    const rows = [
      { _time: "2026-11-26T07:05:00", _raw: `${prefix} INFO run_summary input=contoso content_type=Audit.General blobs=3 records=120 duplicates_dropped=0 filtered=0 lag_seconds=95 errors=0 windows=1` },
      { _time: "2026-11-26T07:04:00", _raw: `${prefix} ERROR Token request failed input=contoso cause=auth_failed` },
      { _time: "2026-11-26T07:03:00", _raw: `${prefix} ERROR The client secret of input fabrikam is not in storage/passwords: re-enter it input=fabrikam cause=secret_missing error="a b"` },
    ];
    const status = statusByInput(rows);
    assert.equal(runSummaryText(status.get("contoso")), "2026-11-26T07:05:00: 120 records, lag 95 s");
    assert.equal(status.get("contoso")?.problem, undefined, "an error older than the last run is over");
    assert.equal(status.get("fabrikam")?.problem?.fields.cause, "secret_missing");
    assert.equal(status.get("fabrikam")?.problem?.fields.error, "a b");
    assert.match(status.get("fabrikam")?.problem?.message ?? "", /^The client secret of input fabrikam is not in storage\/passwords/);
    assert.equal(runSummaryText(undefined), "No run yet");
    assert.equal(parseLogLine("no level here", ""), undefined);
  });

  it("the Data Inputs form names only scheme arguments and standard settings", () => {
    const xml = readFileSync(path.join(__dirname, "../../../default/data/ui/manager/defender_o365_activity.xml"), "utf8");
    assert.match(xml, /<endpoint name="data\/inputs\/defender_o365_activity">/);
    const names = [...xml.matchAll(/<element name="([^"]+)"/g)].map((m) => m[1]);
    const allowed = new Set([...ARGUMENTS.map((a) => a.name), "name", "index", "interval", "eai:acl.app"]);
    // splunkd refuses any other argument when the form is saved.
    assert.deepEqual(names.filter((n) => !allowed.has(n)), []);
    assert.match(xml, /<element name="client_secret" type="password"/);
    assert.match(xml, /<element name="cloud" type="select"/);
    assert.match(xml, /<element name="index" type="select"[\s\S]*?'\/data\/indexes'/);
  });
});
