// Connection failures name the host, the OS error code, the proxy and the fix, in the connection
// test (what Splunk Web shows) and in splunkd.log (the API client's retry lines, token requests).
// Every fault stays on this host: a refused loopback port, a loopback listener that accepts and
// never answers, and a DNS failure from an injected resolver (no query is sent).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { LookupFunction } from "node:net";
import { build } from "../../scripts/build";
import { archivePath, packageApp } from "../../scripts/package";
import { createActivityApi } from "../../src/api/factory";
import { CHECK_API_OPTIONS, checkConnection } from "../../src/connectionCheck";
import { parseConfig } from "../../src/config/parse";
import type { ValidationDefinition } from "../../src/splunk/inputDefinition";
import { createLogger } from "../../src/splunk/logger";
import type { SplunkdRest } from "../../src/splunk/splunkdRest";
import { installApp, type Splunkd } from "../harness/splunkd";
import { refusedPort, silentListener } from "../lib/loopback";

const PARAMS = { tenant_id: "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6", client_id: "11111111-2222-4333-8444-555555555555", client_secret: "typed" };
const noRest: SplunkdRest = {
  readPassword: async () => assert.fail("nothing is stored"),
  writePassword: async () => assert.fail("validation writes nothing"),
  updateInput: async () => assert.fail("validation edits nothing"),
};

function definition(params: Record<string, string>): ValidationDefinition {
  return { serverHost: "h", serverUri: "https://127.0.0.1:8089", sessionKey: "k", checkpointDir: "/tmp", item: { name: "contoso", params: { ...PARAMS, ...params } } };
}

async function check(params: Record<string, string>, http: typeof CHECK_API_OPTIONS.http = {}): Promise<string> {
  const def = definition(params);
  const { config, errors } = parseConfig(def.item);
  assert.deepEqual(errors, []);
  const message = await checkConnection(def, config!, {
    rest: noRest,
    logger: createLogger(() => undefined),
    createApi: (c, s, l) => createActivityApi(c, s, l, { ...CHECK_API_OPTIONS, http: { ...CHECK_API_OPTIONS.http, ...http } }),
  });
  assert.ok(message, "the check failed");
  return message;
}

describe("network failures say where (connection test, in process)", function () {
  this.timeout(30_000);

  it("a refused port: the host tried, ECONNREFUSED, no proxy, the firewall rule", async () => {
    const port = await refusedPort();
    const url = `https://127.0.0.1:${port}`;
    const message = await check({ api_url: url, authority_url: url });
    assert.equal(
      message,
      `Connection test failed [network]: Token request: cannot reach 127.0.0.1:${port} without a proxy (ECONNREFUSED: connection refused): ` +
        `allow outbound HTTPS (TCP ${port}) from this host to 127.0.0.1, or set proxy_url (a firewall rejects it, or nothing listens there)`,
    );
  });

  it("a DoD host that does not resolve: login.microsoftonline.us, ENOTFOUND, the DNS fix", async () => {
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), "", 0);
    };
    const message = await check({ cloud: "dod" }, { lookup });
    assert.deepEqual(asked, ["login.microsoftonline.us"], "the token request came first, to DoD's login host");
    assert.match(message, /^Connection test failed \[network\]: Token request: cannot reach login\.microsoftonline\.us without a proxy \(ENOTFOUND: the name does not resolve\): check this host's DNS resolves login\.microsoftonline\.us/);
  });

  it("a listener that never answers: the host, the timeout code, the rule for a firewall that drops", async () => {
    const silent = await silentListener();
    try {
      const url = `https://127.0.0.1:${silent.port}`;
      const message = await check({ api_url: url, authority_url: url }, { connectTimeoutMs: 300 });
      assert.ok(silent.accepted() >= 1, "the connection was made, then nothing came back");
      assert.match(message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${silent.port} without a proxy \\(UND_ERR_CONNECT_TIMEOUT: no answer\\): allow outbound HTTPS \\(TCP ${silent.port}\\) from this host to 127\\.0\\.0\\.1, or set proxy_url \\(a firewall drops the traffic\\)`));
    } finally {
      await silent.close();
    }
  });

  it("a proxy that refuses: names the proxy and says to check proxy_url", async () => {
    const proxyPort = await refusedPort();
    const message = await check({ cloud: "dod", proxy_url: `http://user@127.0.0.1:${proxyPort}` });
    assert.match(message, new RegExp(`cannot reach login\\.microsoftonline\\.us through the proxy http://127\\.0\\.0\\.1:${proxyPort} \\(ECONNREFUSED: connection refused\\): check proxy_url`));
    assert.doesNotMatch(message, /user@/);
  });
});

describe("network failures say where (packaged app through the splunkd harness)", function () {
  this.timeout(120_000);
  let splunkd: Splunkd;

  before(async () => {
    if (!existsSync(archivePath())) {
      await build();
      packageApp();
    }
    splunkd = await installApp();
  });
  after(() => splunkd?.cleanup());

  it("run mode: the retry lines in splunkd.log name the host, the code, the proxy and the fix", async () => {
    const port = await refusedPort();
    const url = `https://127.0.0.1:${port}`;
    const run = await splunkd.runInput({
      stanzas: [{ name: "contoso", params: { ...PARAMS, api_url: url, authority_url: url } }],
      env: { DEFENDER_O365_RETRY_SCALE: "0" },
    });
    const log = run.logs.map((l) => l.raw).join("\n");
    const retry = run.logs.find((l) => /^WARN Activity API call failed: retrying/.test(l.raw));
    assert.ok(retry, log);
    assert.match(retry.raw, new RegExp(`host=127\\.0\\.0\\.1:${port}\\b`));
    assert.match(retry.raw, /error_code=ECONNREFUSED/);
    assert.match(retry.raw, /proxy=none/);
    assert.match(retry.raw, /allow outbound HTTPS \(TCP \d+\) from this host to 127\.0\.0\.1/);
    assert.equal(run.events.length, 0);
  });

  it("--validate-arguments: Splunk Web's message names the host and ECONNREFUSED", async () => {
    const port = await refusedPort();
    const url = `https://127.0.0.1:${port}`;
    const result = await splunkd.runValidate({ ...PARAMS, api_url: url, authority_url: url });
    assert.match(result.error ?? "", new RegExp(`^Connection test failed \\[network\\]: Token request: cannot reach 127\\.0\\.0\\.1:${port} without a proxy \\(ECONNREFUSED`));
  });

  it("--validate-arguments with production timeouts: a silent host is named within the test's budget", async () => {
    const silent = await silentListener();
    try {
      const url = `https://127.0.0.1:${silent.port}`;
      const result = await splunkd.runValidate({ ...PARAMS, api_url: url, authority_url: url });
      assert.match(result.error ?? "", new RegExp(`cannot reach 127\\.0\\.0\\.1:${silent.port} without a proxy \\(UND_ERR_CONNECT_TIMEOUT: no answer\\)`));
    } finally {
      await silent.close();
    }
  });
});
