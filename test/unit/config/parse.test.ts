import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createPrivateKey } from "node:crypto";
import type { Stanza } from "../../../src/splunk/inputDefinition";
import { checkCertificateFile } from "../../../src/auth/certificate";
import { MASKED_SECRET } from "../../../src/config/constants";
import { inputName, parseConfig as parsePure, type ParseOptions } from "../../../src/config/parse";
import { createClientCertificate } from "../../simulator/certificates";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";
const CLIENT = "8d6f2a4b-1c3e-4f5a-9b7c-0e1d2c3b4a59";
const GOOD = { tenant_id: TENANT, client_id: CLIENT, client_secret: "s3cret value" };
/** GOOD without a client secret. */
const NO_SECRET = { tenant_id: TENANT, client_id: CLIENT };

/** parseConfig as main.ts calls it: with the certificate file check of the collecting host. */
const parseConfig = (s: Stanza, opts: ParseOptions = {}): ReturnType<typeof parsePure> =>
  parsePure(s, { checkCertificate: checkCertificateFile, ...opts });

function stanza(params: Stanza["params"], name = "defender_o365_activity://contoso", app?: string): Stanza {
  return app ? { name, app, params } : { name, params };
}

describe("config/parse parseConfig", () => {
  let dir: string;
  let certAndKey: string;
  let certOnly: string;
  let keyOnly: string;
  let wrongKey: string;
  let encrypted: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "validate-test-"));
    const a = createClientCertificate("defender-o365-test");
    const b = createClientCertificate("other");
    const write = (name: string, text: string): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    certAndKey = write("app.pem", a.certPem + a.keyPem);
    certOnly = write("cert.pem", a.certPem);
    keyOnly = write("key.pem", a.keyPem);
    wrongKey = write("wrong.pem", a.certPem + b.keyPem);
    const enc = createPrivateKey(a.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
    encrypted = write("encrypted.pem", a.certPem + enc);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds the config with defaults from a minimal stanza", () => {
    const { config, errors } = parseConfig(stanza(GOOD, "defender_o365_activity://contoso", "search"));
    assert.deepEqual(errors, []);
    assert.deepEqual(config, {
      name: "contoso",
      stanza: "defender_o365_activity://contoso",
      app: "search",
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: "s3cret value",
      cloud: "commercial",
      contentTypes: ["Audit.General"],
      recordTypes: [],
      backfillHours: 24,
      maxConcurrency: 8,
      publisherId: TENANT,
      autoSubscribe: true,
      graphBackfill: false,
      interval: 300,
    });
  });

  it("reads every setting, param_list values, and record type names", () => {
    const { config, errors } = parseConfig(
      stanza({
        ...GOOD,
        tenant_id: TENANT.toUpperCase(),
        cloud: "GCC_HIGH",
        content_types: ["Audit.General, audit.exchange", "DLP.All", "Audit.General"],
        record_types: "28, ThreatIntelligenceUrl,threatintelligenceatpcontent,999",
        backfill_hours: "167",
        max_concurrency: "1",
        publisher_id: "11111111-2222-3333-4444-555555555555",
        proxy_url: "http://svc@proxy.example.com:3128",
        api_url: "https://127.0.0.1:8443/",
        authority_url: "https://login.example.test",
        auto_subscribe: "0",
        index: "o365",
        host: "collector1",
        interval: "60",
        disabled: "0",
      }),
    );
    assert.deepEqual(errors, []);
    assert.equal(config!.tenantId, TENANT);
    assert.equal(config!.cloud, "gcc_high");
    assert.deepEqual(config!.contentTypes, ["Audit.General", "Audit.Exchange", "DLP.All"]);
    assert.deepEqual(config!.recordTypes, [28, 41, 47, 999]);
    assert.equal(config!.backfillHours, 167);
    assert.equal(config!.maxConcurrency, 1);
    assert.equal(config!.publisherId, "11111111-2222-3333-4444-555555555555");
    assert.equal(config!.proxyUrl, "http://svc@proxy.example.com:3128");
    assert.equal(config!.apiUrl, "https://127.0.0.1:8443");
    assert.equal(config!.authorityUrl, "https://login.example.test");
    assert.equal(config!.autoSubscribe, false);
    assert.equal(config!.index, "o365");
    assert.equal(config!.host, "collector1");
    assert.equal(config!.interval, 60);
  });

  it("leaves index unset for splunkd's `default`, so events keep the stanza's index", () => {
    assert.equal(parseConfig(stanza({ ...GOOD, index: "default" })).config?.index, undefined);
    assert.equal(parseConfig(stanza({ ...GOOD, index: "o365" })).config?.index, "o365");
  });

  it("accepts the masked secret that means storage/passwords holds it", () => {
    const { config } = parseConfig(stanza({ ...GOOD, client_secret: MASKED_SECRET }));
    assert.equal(config?.clientSecret, "********");
  });

  it("accepts a certificate file with its matching key, or an encrypted key", () => {
    assert.deepEqual(parseConfig(stanza({ ...NO_SECRET, certificate_path: certAndKey })).config?.certificatePath, certAndKey);
    assert.deepEqual(parseConfig(stanza({ ...NO_SECRET, certificate_path: encrypted })).errors, []);
  });

  it("takes the item name as is in validation mode and defaults the app", () => {
    const { config } = parseConfig(stanza(GOOD, "contoso"));
    assert.equal(config?.name, "contoso");
    assert.equal(config?.app, "defender_o365");
    assert.equal(inputName("defender_o365_activity://a b"), "a b");
  });

  it("takes certificate_path as given without a checkCertificate (the browser cannot read the file)", () => {
    const { config, errors } = parsePure(stanza({ ...NO_SECRET, certificate_path: "/nonexistent/app.pem" }));
    assert.deepEqual(errors, []);
    assert.equal(config?.certificatePath, "/nonexistent/app.pem");
  });

  it("allows no credentials when requireSecret is false", () => {
    assert.deepEqual(parseConfig(stanza(NO_SECRET), { requireSecret: false }).errors, []);
  });

  // Each bad configuration with the specific message it must produce.
  const bad: [string, () => Stanza["params"], RegExp][] = [
    ["a missing tenant_id", () => ({ client_id: CLIENT, client_secret: "x" }), /^tenant_id is required: copy the Directory \(tenant\) ID/],
    ["a tenant domain name", () => ({ ...GOOD, tenant_id: "contoso.onmicrosoft.com" }), /tenant_id "contoso.onmicrosoft.com" is a domain name, but the Management Activity API needs the tenant GUID: copy .*Entra admin center/],
    ["a tenant that is no GUID", () => ({ ...GOOD, tenant_id: "0d1e2f3a-4b5c" }), /tenant_id "0d1e2f3a-4b5c" is not a GUID/],
    ["a missing client_id", () => ({ tenant_id: TENANT, client_secret: "x" }), /client_id is required: copy the Application \(client\) ID/],
    ["a client_id that is no GUID", () => ({ ...GOOD, client_id: "my-app" }), /client_id "my-app" is not a GUID/],
    ["both secret and certificate", () => ({ ...GOOD, certificate_path: certAndKey }), /either client_secret or certificate_path, not both/],
    ["neither secret nor certificate", () => ({ ...NO_SECRET }), /client_secret or certificate_path is required/],
    ["a blank secret", () => ({ ...GOOD, client_secret: "   " }), /client_secret or certificate_path is required/],
    ["a certificate file that does not exist", () => ({ ...NO_SECRET, certificate_path: "/nonexistent/app.pem" }), /certificate_path "\/nonexistent\/app.pem" does not exist/],
    ["a certificate path that is a folder", () => ({ ...NO_SECRET, certificate_path: dir }), /is not a file/],
    ["a certificate file without a key", () => ({ ...NO_SECRET, certificate_path: certOnly }), /holds no private key/],
    ["a key file without a certificate", () => ({ ...NO_SECRET, certificate_path: keyOnly }), /holds no certificate/],
    ["a key that does not belong to the certificate", () => ({ ...NO_SECRET, certificate_path: wrongKey }), /private key that does not belong to its first certificate/],
    ["an unknown cloud", () => ({ ...GOOD, cloud: "china" }), /cloud "china" is not one of commercial, gcc, gcc_high, dod/],
    ["an unknown content type", () => ({ ...GOOD, content_types: "Audit.General,Audit.Teams" }), /content_types has "Audit.Teams", which is not one of Audit.General/],
    ["an unknown record type name", () => ({ ...GOOD, record_types: "28,PhishyThing" }), /record_types has "PhishyThing", which is neither a record type number nor a known AuditLogRecordType name/],
    ["backfill_hours of 0", () => ({ ...GOOD, backfill_hours: "0" }), /backfill_hours "0" must be a whole number from 1 to 167/],
    ["backfill_hours beyond the 7-day horizon", () => ({ ...GOOD, backfill_hours: "168" }), /backfill_hours "168" must be a whole number from 1 to 167/],
    ["backfill_hours that is not a number", () => ({ ...GOOD, backfill_hours: "24h" }), /backfill_hours "24h"/],
    ["backfill_hours past 167 without graph_backfill, naming the way past it", () => ({ ...GOOD, backfill_hours: "240" }), /backfill_hours "240" must be a whole number from 1 to 167 .*set graph_backfill = 1 to collect up to 4320 hours/],
    ["backfill_hours past 4320 with graph_backfill", () => ({ ...GOOD, graph_backfill: "1", backfill_hours: "4321" }), /backfill_hours "4321" must be a whole number from 1 to 4320/],
    ["graph_backfill for GCC High, with the reason", () => ({ ...GOOD, cloud: "gcc_high", graph_backfill: "1" }), /graph_backfill = 1 is not available with cloud gcc_high: .*global service only/],
    ["graph_backfill for DoD", () => ({ ...GOOD, cloud: "dod", graph_backfill: "1" }), /graph_backfill = 1 is not available with cloud dod/],
    ["a graph_backfill that is no boolean", () => ({ ...GOOD, graph_backfill: "2" }), /graph_backfill "2" must be 1 \(on\) or 0 \(off\)/],
    ["a graph_url with a path", () => ({ ...GOOD, graph_url: "https://graph.example.test/v1.0" }), /graph_url ".*" must be https:\/\/host\[:port\] with no path/],
    ["max_concurrency above 32", () => ({ ...GOOD, max_concurrency: "33" }), /max_concurrency "33" must be a whole number from 1 to 32/],
    ["a publisher_id that is no GUID", () => ({ ...GOOD, publisher_id: "me" }), /publisher_id "me" is not a GUID/],
    ["a proxy URL with a password", () => ({ ...GOOD, proxy_url: "http://u:pw@proxy:3128" }), /proxy_url must not hold a password: .*proxy_password/],
    ["a proxy URL without a port", () => ({ ...GOOD, proxy_url: "http://proxy.example.com" }), /proxy_url "http:\/\/proxy.example.com" must be http\(s\):\/\/\[user@\]host:port/],
    ["a plain-http api_url", () => ({ ...GOOD, api_url: "http://127.0.0.1:8080" }), /api_url "http:\/\/127.0.0.1:8080" must be https:\/\/host\[:port\]/],
    ["an authority_url with a path", () => ({ ...GOOD, authority_url: `https://login.example.test/${TENANT}` }), /authority_url ".*" must be https:\/\/host\[:port\] with no path/],
    ["an auto_subscribe that is no boolean", () => ({ ...GOOD, auto_subscribe: "maybe" }), /auto_subscribe "maybe" must be 1 \(on\) or 0 \(off\)/],
    ["a setting given twice", () => ({ ...GOOD, cloud: ["gcc", "dod"] }), /cloud has 2 values; give it one value/],
  ];
  for (const [what, params, message] of bad) {
    it(`rejects ${what}`, () => {
      const { config, errors } = parseConfig(stanza(params()));
      assert.equal(config, undefined);
      assert.ok(errors.some((e) => message.test(e)), `no error matching ${message} in ${JSON.stringify(errors)}`);
    });
  }

  it("accepts up to 4320 backfill hours with graph_backfill = 1, for commercial and GCC", () => {
    for (const cloud of ["commercial", "gcc"]) {
      const { config, errors } = parseConfig(stanza({ ...GOOD, cloud, graph_backfill: "1", backfill_hours: "4320", graph_url: "https://127.0.0.1:8443/" }));
      assert.deepEqual(errors, []);
      assert.equal(config!.graphBackfill, true);
      assert.equal(config!.backfillHours, 4320);
      assert.equal(config!.graphUrl, "https://127.0.0.1:8443");
    }
  });

  it("keeps graph_backfill off by default", () => {
    const { config } = parseConfig(stanza({ ...GOOD, cloud: "dod" }));
    assert.equal(config!.graphBackfill, false);
  });

  it("reports every problem at once", () => {
    const { errors } = parseConfig(stanza({ tenant_id: "x", client_id: "y", cloud: "z", backfill_hours: "0" }));
    assert.equal(errors.length, 5);
  });
});
