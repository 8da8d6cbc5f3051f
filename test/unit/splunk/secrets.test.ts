import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { InputConfig } from "../../../src/config/inputConfig";
import type { InputDefinition, Stanza, ValidationDefinition } from "../../../src/splunk/inputDefinition";
import { createLogger } from "../../../src/splunk/logger";
import { MASKED_SECRET as MASK } from "../../../src/config/constants";
import { secretUsername } from "../../../src/splunk/secretNames";
import { lookupSecrets, resolveSecrets, SecretError } from "../../../src/splunk/secrets";
import { createSplunkdRest } from "../../../src/splunk/splunkdRest";
import { parseConfig } from "../../../src/config/parse";
import { useRestDouble } from "../../rest-double/restDouble";
import { refusedPort } from "../../lib/loopback";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CLIENT = "11111111-2222-4333-8444-555555555555";
const SECRET = "s3cr3t~Value.With-Symbols_0123";

describe("secrets (mask-on-first-run)", () => {
  const double = useRestDouble();
  let lines: string[];
  beforeEach(() => {
    lines = [];
  });

  const logger = () => createLogger((l) => lines.push(l));
  const rest = () =>
    createSplunkdRest({ serverUri: double().url, sessionKey: double().sessionKey, app: "defender_o365" }, { SPLUNK_HOME: double().splunkHome });

  function stanza(params: Record<string, string>): Stanza {
    return { name: "defender_o365_activity://contoso", app: "defender_o365", params: { tenant_id: TENANT, client_id: CLIENT, ...params } };
  }
  function setup(params: Record<string, string>): { def: InputDefinition; config: InputConfig } {
    const s = stanza(params);
    double().state.inputs.set("contoso", { ...s.params } as Record<string, string>);
    const { config, errors } = parseConfig(s);
    assert.deepEqual(errors, []);
    const def: InputDefinition = { serverHost: "h", serverUri: double().url, sessionKey: double().sessionKey, checkpointDir: "/tmp", stanzas: [s] };
    return { def, config: config! };
  }

  it("stores a clear secret, masks it in the input, and reads it back on the next run", async () => {
    const first = setup({ client_secret: SECRET, proxy_url: "http://proxy.example:3128", proxy_password: "pr0xy!" });
    assert.deepEqual(await resolveSecrets(first.def, first.config, logger(), rest()), { clientSecret: SECRET, proxyPassword: "pr0xy!" });
    assert.equal(double().state.inputs.get("contoso")?.client_secret, MASK);
    assert.equal(double().state.inputs.get("contoso")?.proxy_password, MASK);
    assert.deepEqual([...double().state.passwords.keys()].sort(), ["defender_o365:contoso#proxy_password:", "defender_o365:contoso:"]);
    for (const file of ["inputs", "passwords"]) {
      const text = readFileSync(double().localConf(file), "utf8");
      assert.ok(!text.includes(SECRET) && !text.includes("pr0xy!"), `${file}.conf holds a secret:\n${text}`);
    }
    assert.ok(lines.every((l) => !l.includes(SECRET)), lines.join("\n"));

    const second = setup({ client_secret: MASK, proxy_url: "http://proxy.example:3128", proxy_password: MASK });
    assert.deepEqual(await resolveSecrets(second.def, second.config, logger(), rest()), { clientSecret: SECRET, proxyPassword: "pr0xy!" });
  });

  it("keeps the certificate password under <input>#certificate_password", async () => {
    assert.equal(secretUsername("contoso", "certificate_password"), "contoso#certificate_password");
    assert.equal(secretUsername("contoso", "client_secret"), "contoso");
  });

  it("finds a proxy password the page stored without a stanza argument, and does without one", async () => {
    const { def, config } = setup({ client_secret: MASK, proxy_url: "http://proxy.example:3128" });
    await rest().writePassword("defender_o365", "contoso", SECRET);
    assert.deepEqual(await resolveSecrets(def, config, logger(), rest()), { clientSecret: SECRET });
    await rest().writePassword("defender_o365", "contoso#proxy_password", "pp");
    assert.deepEqual(await resolveSecrets(def, config, logger(), rest()), { clientSecret: SECRET, proxyPassword: "pp" });
    assert.deepEqual(lines, []);
  });

  it("logs one ERROR with cause=secret_missing when a masked secret is not stored", async () => {
    const { def, config } = setup({ client_secret: MASK });
    await assert.rejects(resolveSecrets(def, config, logger(), rest()), SecretError);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^ERROR The client secret of input contoso is not in storage\/passwords: re-enter it/);
    assert.match(lines[0], /cause=secret_missing/);
    assert.match(lines[0], /input=contoso/);
  });

  it("logs one ERROR when storage/passwords cannot be read", async () => {
    double().state.forbidPasswordReads = true;
    const { def, config } = setup({ client_secret: MASK });
    await assert.rejects(resolveSecrets(def, config, logger(), rest()), SecretError);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /could not be read from storage\/passwords \(.*list_storage_passwords.*\).*cause=secret_missing/);
  });

  it("logs cause=splunkd_unavailable, not secret_missing, when splunkd answers 5xx: the next run retries", async () => {
    double().state.failPasswordReads = 500;
    const { def, config } = setup({ client_secret: MASK });
    await assert.rejects(resolveSecrets(def, config, logger(), rest()), (e: unknown) => e instanceof SecretError && e.cause === "splunkd_unavailable");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^ERROR splunkd's REST API did not serve the client secret of input contoso \(HTTP 500: .*\).*the next run retries.*cause=splunkd_unavailable/);
    assert.doesNotMatch(lines[0], /re-enter/);
  });

  it("logs cause=splunkd_unavailable when splunkd refuses the connection, for an optional secret too", async () => {
    const { def, config } = setup({ client_secret: MASK, proxy_url: "http://proxy.example:3128" });
    const down = createSplunkdRest({ serverUri: `https://127.0.0.1:${await refusedPort()}`, sessionKey: "k", app: "defender_o365" }, {});
    await assert.rejects(resolveSecrets(def, config, logger(), down), SecretError);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /\(ECONNREFUSED: .*\).*the next run retries.*cause=splunkd_unavailable/);
    const typed = setup({ proxy_url: "http://proxy.example:3128", client_secret: "typed" });
    const validation: ValidationDefinition = { ...typed.def, item: typed.def.stanzas[0] };
    const looked = await lookupSecrets(validation, typed.config, down).catch((e: unknown) => e);
    assert.ok(looked instanceof SecretError && looked.cause === "splunkd_unavailable", String(looked));
  });

  it("still runs with the clear value when storage/passwords refuses the write, and says so", async () => {
    const { def, config } = setup({ client_secret: SECRET });
    const failing = { ...rest(), writePassword: () => Promise.reject(new Error("forbidden")) };
    assert.deepEqual(await resolveSecrets(def, config, logger(), failing), { clientSecret: SECRET });
    assert.equal(double().state.inputs.get("contoso")?.client_secret, SECRET);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^WARN .*cause=secret_not_stored/);
  });

  it("looks secrets up for validation without writing anything", async () => {
    const s = stanza({ client_secret: MASK });
    const vdef: ValidationDefinition = { serverHost: "h", serverUri: double().url, sessionKey: double().sessionKey, checkpointDir: "/tmp", item: { name: "contoso", params: s.params } };
    const { config } = parseConfig(vdef.item);
    await assert.rejects(lookupSecrets(vdef, config!, rest()), /re-enter it/);
    await rest().writePassword("defender_o365", "contoso", SECRET);
    assert.deepEqual(await lookupSecrets(vdef, config!, rest()), { clientSecret: SECRET });
    const clear = { ...vdef, item: { name: "contoso", params: { ...s.params, client_secret: "typed" } } };
    assert.deepEqual(await lookupSecrets(clear, parseConfig(clear.item).config!, rest()), { clientSecret: "typed" });
    assert.equal(double().state.passwords.get("defender_o365:contoso:")?.password, SECRET);
  });
});
