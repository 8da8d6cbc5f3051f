import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import https from "node:https";
import { createInputsApi } from "../../../src/ui/inputsApi";
import { emptyForm, type TenantForm } from "../../../src/ui/model";
import { SplunkdRestError } from "../../../src/splunk/splunkdError";
import type { Call } from "../../../src/ui/splunkd";
import { startRestDouble, type RestDouble } from "../../rest-double/restDouble";
import type { ValidationRequest } from "../../rest-double/validator";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CLIENT = "11111111-2222-4333-8444-555555555555";

/** The page's Call, straight to the double (what Splunk Web's proxy forwards). */
function directCall(splunkd: RestDouble): Call {
  return (method, path, params = {}) => {
    const target = path.startsWith("/") ? path : `/servicesNS/nobody/defender_o365/${path}`;
    const query = new URLSearchParams({ output_mode: "json", ...(method === "POST" ? {} : params) });
    const body = method === "POST" ? new URLSearchParams(params).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(`${splunkd.url}${target}?${query}`, {
        method,
        ca: readFileSync(splunkd.caFile),
        headers: { Authorization: `Splunk ${splunkd.sessionKey}`, "Content-Type": "application/x-www-form-urlencoded" },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => {
          const json = JSON.parse(text) as { messages?: { text: string }[] };
          if ((res.statusCode ?? 0) >= 400) reject(new SplunkdRestError(json.messages?.[0]?.text ?? "", res.statusCode ?? 0));
          else resolve(json);
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}

describe("configuration page operations (against the splunkd double)", () => {
  let splunkd: RestDouble;
  let verdict: (r: ValidationRequest) => string | undefined;
  const seen: ValidationRequest[] = [];
  before(async () => {
    splunkd = await startRestDouble({ validator: async (r) => (seen.push(r), verdict(r)) });
  });
  after(() => splunkd.close());
  beforeEach(() => {
    splunkd.state.inputs.clear();
    splunkd.state.passwords.clear();
    seen.length = 0;
    verdict = () => undefined;
  });
  const api = () => createInputsApi(directCall(splunkd));
  const form = (over: Partial<TenantForm> = {}): TenantForm => ({ ...emptyForm(), name: "contoso", tenant_id: TENANT, client_id: CLIENT, client_secret: "s1", ...over });

  it("stores the secret before the input, so validation can read it, and never sends it to the input", async () => {
    verdict = () => (splunkd.state.passwords.get("defender_o365:contoso:")?.password === "s1" ? undefined : "secret not stored first");
    await api().saveInput(form(), {}, true);
    assert.equal(splunkd.state.inputs.get("contoso")?.client_secret, "********");
    assert.ok(seen.every((r) => !Object.values(r.params).includes("s1")));
  });

  it("rolls the secrets back when splunkd refuses a new input", async () => {
    verdict = () => "Connection test failed [auth_failed]: bad secret";
    await assert.rejects(api().saveInput(form(), {}, true), /auth_failed/);
    assert.equal(splunkd.state.inputs.size, 0);
    assert.equal(splunkd.state.passwords.size, 0);
  });

  it("restores the previous secret when splunkd refuses an edit", async () => {
    await api().saveInput(form(), {}, true);
    verdict = () => "Connection test failed [auth_failed]: bad secret";
    await assert.rejects(api().saveInput(form({ client_secret: "s2" }), { client_secret: true }, false));
    assert.equal(splunkd.state.passwords.get("defender_o365:contoso:")?.password, "s1");
  });

  it("tests with a probe that leaves nothing behind, copying the stored secret when editing", async () => {
    await api().saveInput(form(), {}, true);
    seen.length = 0;
    verdict = (r) => (r.name.startsWith("_connection_test_") ? "Connection test failed [consent_missing]: AF10001" : undefined);
    const result = await api().testConnection(form({ client_secret: "" }), { client_secret: true }, "contoso");
    assert.deepEqual(result, { ok: false, message: "Connection test failed [consent_missing]: AF10001" });
    assert.equal(seen[0].params.disabled, "1");
    assert.deepEqual([...splunkd.state.inputs.keys()], ["contoso"]);
    assert.deepEqual([...splunkd.state.passwords.keys()], ["defender_o365:contoso:"]);
    verdict = () => undefined;
    assert.equal((await api().testConnection(form(), {})).ok, true);
    assert.deepEqual((await api().listInputs()).map((r) => r.name), ["contoso"]);
    assert.deepEqual([...splunkd.state.inputs.keys()], ["contoso"]);
  });

  it("keeps the proxy password in storage/passwords only, and removes it with the proxy", async () => {
    await api().saveInput(form({ proxy_url: "http://p.example:3128", proxy_password: "pp" }), {}, true);
    assert.equal(splunkd.state.passwords.get("defender_o365:contoso#proxy_password:")?.password, "pp");
    assert.equal("proxy_password" in splunkd.state.inputs.get("contoso")!, false);
    const stored = await api().storedSecrets("contoso");
    assert.deepEqual(stored, { client_secret: true, certificate_password: false, proxy_password: true });
    await api().saveInput(form({ client_secret: "" }), stored, false);
    assert.deepEqual([...splunkd.state.passwords.keys()], ["defender_o365:contoso:"]);
  });

  it("deletes an input with all its secrets", async () => {
    await api().saveInput(form({ proxy_url: "http://p.example:3128", proxy_password: "pp" }), {}, true);
    assert.equal(splunkd.state.passwords.size, 2);
    await api().deleteInput("contoso");
    assert.equal(splunkd.state.inputs.size, 0);
    assert.equal(splunkd.state.passwords.size, 0);
  });
});
