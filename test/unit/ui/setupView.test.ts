// The configuration view as Splunk Web's setup page (docs/reference/splunk-setup.md).
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInputsApi } from "../../../src/ui/inputsApi";
import type { Call, SplunkdJson } from "../../../src/ui/splunkd";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("setup view", () => {
  it("is the app's setup_view and not listed among the dashboards (isDashboard=\"false\")", () => {
    assert.match(readFileSync(path.join(ROOT, "default", "app.conf"), "utf8"), /^setup_view = configuration$/m);
    const root = /<dashboard\b[^>]*>/.exec(readFileSync(path.join(ROOT, "default", "data", "ui", "views", "configuration.xml"), "utf8"))?.[0] ?? "";
    assert.match(root, /\bisDashboard="false"/);
  });

  it("marks setup done through the apps endpoint, once", async () => {
    let configured = false;
    const calls: string[] = [];
    const call: Call = async (method, p, params = {}) => {
      calls.push(`${method} ${p} ${new URLSearchParams(params)}`.trim());
      if (p !== "/services/apps/local/defender_o365") throw new Error(`unexpected ${p}`);
      if (method === "POST") configured = params.configured === "1";
      return { entry: [{ name: "defender_o365", content: { configured } }] } satisfies SplunkdJson;
    };
    const api = createInputsApi(call);
    await api.markConfigured();
    await api.markConfigured();
    assert.deepEqual(calls, [
      "GET /services/apps/local/defender_o365",
      "POST /services/apps/local/defender_o365 configured=1",
      "GET /services/apps/local/defender_o365",
    ]);
  });
});
