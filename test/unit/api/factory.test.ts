import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createActivityApi } from "../../../src/api/factory";
import type { TokenError } from "../../../src/auth/tokenErrors";
import type { InputConfig } from "../../../src/config/inputConfig";
import { testConfig } from "../../lib/testConfig";
import {
  makeSelfSignedCert,
  memoryLogger,
  sendJson,
  startConnectProxy,
  startHttpsServer,
  type ConnectProxy,
  type TestServer,
  type TlsMaterial,
} from "./fixtures";

const TENANT = "fc56268f-9454-4ea7-ab56-7475b5192ef3";
const CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e";

describe("api/factory: token + API end to end on one loopback HTTPS double", () => {
  let tls: TlsMaterial;
  let server: TestServer;
  let proxy: ConnectProxy;
  let hang = false;
  const proxyAuth = `Basic ${Buffer.from("collector:pw").toString("base64")}`;

  before(async () => {
    tls = makeSelfSignedCert();
    server = await startHttpsServer(tls, (req, res) => {
      if (req.url.includes("/oauth2/v2.0/token")) {
        sendJson(res, 200, { token_type: "Bearer", expires_in: 3599, access_token: "at-e2e" });
      } else if (hang) {
        // never answer: only close() can end the call
      } else if (req.headers.authorization === "Bearer at-e2e") {
        sendJson(res, 200, [{ contentType: "Audit.General", status: "enabled", webhook: null }]);
      } else {
        sendJson(res, 401, { error: { code: "AF10001", message: "no token" } });
      }
    });
    proxy = await startConnectProxy(proxyAuth);
  });
  after(async () => {
    await proxy.close();
    await server.close();
    tls.cleanup();
  });
  beforeEach(() => {
    hang = false;
    server.requests.length = 0;
    proxy.seen.length = 0;
  });

  // No publisher_id: the factory falls back on the tenant.
  const config = (overrides: Partial<InputConfig> = {}): InputConfig =>
    testConfig({ tenantId: TENANT, clientId: CLIENT, publisherId: "", apiUrl: server.origin, authorityUrl: server.origin, ...overrides });

  // Trust the double's certificate; no retries.
  const opts = () => ({ http: { ca: tls.certPem }, backoff: { maxAttempts: 1 } });

  it("gets a token from authority_url and lists subscriptions at api_url, publisher defaulting to the tenant", async () => {
    const api = createActivityApi(config(), { clientSecret: "s" }, memoryLogger(), opts());
    try {
      assert.deepEqual(await api.listSubscriptions(), [{ contentType: "Audit.General", status: "enabled", webhook: null }]);
    } finally {
      await api.close();
    }
    assert.deepEqual(
      server.requests.map((r) => r.url.split("?")[0]),
      [`/${TENANT}/oauth2/v2.0/token`, `/api/v1.0/${TENANT}/activity/feed/subscriptions/list`],
    );
    assert.equal(server.requests[1].url.split("?")[1], `PublisherIdentifier=${TENANT}`);
  });

  it("sends token and API calls through proxy_url with the stored proxy password", async () => {
    const proxyUrl = proxy.url.replace("//", "//collector@");
    const api = createActivityApi(config({ proxyUrl }), { clientSecret: "s", proxyPassword: "pw" }, memoryLogger(), opts());
    try {
      await api.listSubscriptions();
    } finally {
      await api.close();
    }
    assert.ok(proxy.seen.length >= 1);
    assert.ok(proxy.seen.every((s) => s.auth === proxyAuth && s.target === new URL(server.origin).host));
    assert.equal(server.requests.length, 2);
  });

  it("reports a missing secret on the first call, without any request", async () => {
    const api = createActivityApi(config({ clientSecret: "********" }), {}, memoryLogger());
    await assert.rejects(api.listSubscriptions(), (err: TokenError) => err.cause === "secret_missing" && /re-enter/.test(err.message));
    await api.close();
    assert.equal(server.requests.length, 0);
  });

  it("reports an unreadable certificate_path and a bad proxy_url as configuration faults", async () => {
    const missing = createActivityApi(config({ certificatePath: join(tls.dir, "nope.pem") }), {}, memoryLogger());
    await assert.rejects(missing.listSubscriptions(), (err: TokenError) => err.cause === "config_invalid" && /ENOENT/.test(err.message));
    const badProxy = createActivityApi(config({ proxyUrl: "ftp://proxy" }), { clientSecret: "s" }, memoryLogger());
    await assert.rejects(badProxy.startSubscription("Audit.General"), (err: TokenError) => err.cause === "config_invalid");
    const listing = badProxy.listContent("Audit.General", new Date(0), new Date(1))[Symbol.asyncIterator]();
    await assert.rejects(listing.next(), (err: TokenError) => err.cause === "config_invalid");
  });

  it("authenticates with a certificate file", async () => {
    const path = join(tls.dir, "app.pem");
    writeFileSync(path, tls.certPem + tls.keyPem);
    const api = createActivityApi(config({ certificatePath: path }), {}, memoryLogger(), opts());
    try {
      await api.listSubscriptions();
    } finally {
      await api.close();
    }
    assert.match(server.requests[0].body, /client_assertion=/);
  });

  it("close() ends a call in flight at once", async () => {
    hang = true;
    const api = createActivityApi(config(), { clientSecret: "s" }, memoryLogger(), opts());
    const pending = api.listSubscriptions();
    while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const outcome = assert.rejects(pending, /client closed/);
    await api.close();
    await outcome;
  });
});
