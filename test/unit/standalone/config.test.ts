import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseStandaloneConfig } from "../../../src/standalone/config";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CLIENT = "11111111-2222-4333-8444-555555555555";

describe("standalone/config: the collector's JSON config", () => {
  let dir: string;
  let file: string;
  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const config = (overrides: Record<string, unknown> = {}, input: Record<string, unknown> = {}): string =>
    JSON.stringify({
      hec: { url: "https://splunk.example.com:8088", token_file: "hec.token" },
      state_dir: "state",
      inputs: [{ name: "contoso", tenant_id: TENANT, client_id: CLIENT, client_secret_file: "secret.txt", ...input }],
      ...overrides,
    });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "standalone-config-"));
    file = path.join(dir, "collector.json");
    write("hec.token", "3f2504e0-4f89-41d3-9a0c-0305e82c3301\n");
    write("secret.txt", "s3cr3t value\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds the same InputConfig as the modular input, secrets from files relative to the config", () => {
    const { config: c, errors } = parseStandaloneConfig(config({}, { content_types: ["Audit.General", "Audit.Exchange"], backfill_hours: 48, auto_subscribe: false, interval: 60, host: "c1" }), file, {});
    assert.deepEqual(errors, []);
    assert.equal(c!.hec.token, "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    assert.equal(c!.hec.ack, true, "acknowledgement on by default");
    assert.equal(c!.stateDir, path.join(dir, "state"));
    const input = c!.inputs[0];
    assert.equal(input.secrets.clientSecret, "s3cr3t value", "one trailing line break is not part of the secret");
    assert.deepEqual(
      { ...input.config, clientSecret: undefined },
      {
        name: "contoso",
        stanza: "defender_o365_activity://contoso",
        app: "defender_o365",
        tenantId: TENANT,
        clientId: CLIENT,
        clientSecret: undefined,
        cloud: "commercial",
        contentTypes: ["Audit.General", "Audit.Exchange"],
        recordTypes: [],
        backfillHours: 48,
        maxConcurrency: 8,
        publisherId: TENANT,
        autoSubscribe: false,
        graphBackfill: false,
        host: "c1",
        interval: 60,
      },
    );
  });

  it("reads secrets from environment variables; the host defaults to this machine's name", () => {
    const text = JSON.stringify({
      hec: { url: "https://h:8088", token_env: "HEC_TOKEN", ack: false, index: "o365" },
      state_dir: "/var/lib/x",
      inputs: [{ name: "a", tenant_id: TENANT, client_id: CLIENT, client_secret_env: "SECRET" }],
    });
    const { config: c, errors } = parseStandaloneConfig(text, file, { HEC_TOKEN: "tok", SECRET: "env-secret" });
    assert.deepEqual(errors, []);
    assert.deepEqual(c!.hec, { url: "https://h:8088", token: "tok", ack: false, index: "o365" });
    assert.equal(c!.inputs[0].secrets.clientSecret, "env-secret");
    assert.equal(c!.inputs[0].config.host, os.hostname());
  });

  it("names a missing or empty secret file or variable, and never shows a secret", () => {
    write("empty.txt", "\n");
    const cases: [Record<string, unknown>, Record<string, unknown>, NodeJS.ProcessEnv, RegExp][] = [
      [{}, { client_secret_file: "nope.txt" }, {}, /inputs\[0\] \(contoso\)\.client_secret_file: cannot read ".*nope\.txt" \(ENOENT\)/],
      [{}, { client_secret_file: "empty.txt" }, {}, /client_secret_file: ".*empty\.txt" is empty/],
      [{}, { client_secret_file: undefined, client_secret_env: "S" }, {}, /client_secret_env: environment variable S is not set/],
      [{}, { client_secret_file: undefined, client_secret_env: "S" }, { S: " " }, /environment variable S is empty/],
      [{ hec: { url: "https://h:8088", token_env: "T" } }, {}, {}, /hec\.token_env: environment variable T is not set/],
    ];
    for (const [top, input, env, expected] of cases) {
      const { config: c, errors } = parseStandaloneConfig(config(top, input), file, env);
      assert.equal(c, undefined);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0], expected);
    }
  });

  it("refuses a secret written into the config itself", () => {
    const { errors } = parseStandaloneConfig(config({ hec: { url: "https://h:8088", token: "tok-in-file" } }, { client_secret: "inline-secret" }), file, {});
    assert.ok(errors.some((e) => /hec\.token: secrets are never read from the config file/.test(e)));
    assert.ok(errors.some((e) => /client_secret: secrets are never read from the config file/.test(e)));
    assert.ok(errors.every((e) => !e.includes("inline-secret") && !e.includes("tok-in-file")), "no secret in a message");
  });

  it("reports every problem at once, each naming its key and the fix", () => {
    const text = JSON.stringify({
      hec: { url: "http://h:8088/services/collector", token_file: "hec.token", ack: "yes" },
      inputs: [
        { name: "a", tenant_id: "contoso.com", client_id: CLIENT, client_secret_file: "secret.txt", backfill_hours: 500, colour: "red" },
        { name: "a", tenant_id: TENANT, client_id: CLIENT, client_secret_file: "secret.txt" },
      ],
    });
    const { errors } = parseStandaloneConfig(text, file, {});
    const expected = [
      /^hec\.url "http:\/\/h:8088\/services\/collector" must be https:\/\/host\[:port\]/,
      /^hec\.ack must be true or false/,
      /^state_dir is required/,
      /^inputs\[0\] \(a\)\.colour is not a setting/,
      /^inputs\[0\] \(a\): tenant_id "contoso.com" is a domain name/,
      /^inputs\[0\] \(a\): backfill_hours "500" must be a whole number from 1 to 167/,
    ];
    for (const e of expected) assert.ok(errors.some((x) => e.test(x)), `${e} not in:\n${errors.join("\n")}`);
    assert.equal(errors.length, expected.length, errors.join("\n"));
  });

  it("refuses two inputs with one name, and a file that is not JSON", () => {
    const twice = JSON.parse(config()) as { inputs: unknown[] };
    twice.inputs.push(twice.inputs[0]);
    assert.match(parseStandaloneConfig(JSON.stringify(twice), file, {}).errors.join(), /name "contoso" is used twice/);
    assert.match(parseStandaloneConfig("{hec:", file, {}).errors[0], /collector\.json is not valid JSON/);
  });
});
