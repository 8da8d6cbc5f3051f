import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { Agent, MockAgent } from "undici";
import { endpointsFor } from "../../../src/auth/clouds";
import { MsalTokenProvider, type Credential } from "../../../src/auth/tokenProvider";
import { TokenError } from "../../../src/auth/tokenErrors";
import { makeSelfSignedCert, memoryLogger, sendJson, startHttpsServer, type Handler, type TestServer, type TlsMaterial } from "../api/fixtures";

const TENANT = "fc56268f-9454-4ea7-ab56-7475b5192ef3";
const CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e";

function base64url(buf: Buffer): string {
  return buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("auth/tokenProvider (MSAL against a loopback token endpoint)", () => {
  let tls: TlsMaterial;
  let server: TestServer;
  let agent: Agent;
  let reply: Handler;
  let issued: number;

  before(async () => {
    tls = makeSelfSignedCert();
    server = await startHttpsServer(tls, (req, res) => reply(req, res));
    agent = new Agent({ connect: { ca: tls.certPem } });
  });
  after(async () => {
    await agent.close();
    await server.close();
    tls.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
    issued = 0;
    reply = (_req, res) => sendJson(res, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: `at-${++issued}` });
  });

  function provider(credential: Credential, now?: () => number): MsalTokenProvider {
    const endpoints = endpointsFor({ cloud: "gcc_high", tenantId: TENANT, authorityUrl: server.origin });
    return new MsalTokenProvider({ endpoints, clientId: CLIENT, credential, dispatcher: agent, logger: memoryLogger(), now });
  }

  it("asks the authority_url host only (no discovery) with the client secret and the cloud scope", async () => {
    const tokens = provider({ kind: "secret", secret: "s3cr3t~value" });
    assert.equal(await tokens.getToken(), "at-1");
    assert.equal(server.requests.length, 1);
    const [req] = server.requests;
    assert.equal(req.method, "POST");
    assert.equal(req.url.split("?")[0], `/${TENANT}/oauth2/v2.0/token`);
    const form = new URLSearchParams(req.body);
    assert.equal(form.get("grant_type"), "client_credentials");
    assert.equal(form.get("client_id"), CLIENT);
    assert.equal(form.get("client_secret"), "s3cr3t~value");
    assert.equal(form.get("scope"), "https://manage.office365.us/.default"); // no api_url: the cloud's API host
  });

  it("caches the token, renews it 5 minutes before expiry, and after invalidate()", async () => {
    let t = 0;
    const tokens = provider({ kind: "secret", secret: "s" }, () => t);
    assert.equal(await tokens.getToken(), "at-1");
    t = 3599_000 - 5 * 60_000 - 2000;
    assert.equal(await tokens.getToken(), "at-1");
    t += 4000;
    assert.equal(await tokens.getToken(), "at-2");
    tokens.invalidate();
    assert.equal(await tokens.getToken(), "at-3");
    assert.equal(server.requests.length, 3);
  });

  it("shares one request among concurrent callers", async () => {
    const tokens = provider({ kind: "secret", secret: "s" });
    assert.deepEqual(await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]), ["at-1", "at-1", "at-1"]);
    assert.equal(server.requests.length, 1);
  });

  it("signs a client assertion whose x5t is the certificate's SHA-1 thumbprint", async () => {
    const tokens = provider({ kind: "certificate", pem: tls.certPem + tls.keyPem });
    await tokens.getToken();
    const form = new URLSearchParams(server.requests[0].body);
    assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert.equal(form.get("client_secret"), null);
    const [head, payload] = (form.get("client_assertion") ?? "").split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    const der = Buffer.from(tls.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    assert.equal(head.alg, "RS256");
    assert.equal(head.x5t, base64url(createHash("sha1").update(der).digest()));
    assert.equal(head.x5c, undefined);
    assert.equal(payload.iss, CLIENT);
    assert.equal(payload.sub, CLIENT);
    assert.equal(payload.aud, `${server.origin}/${TENANT}/oauth2/v2.0/token`);
  });

  it("adds the certificate as x5c only when asked", async () => {
    await provider({ kind: "certificate", pem: tls.certPem + tls.keyPem, sendX5c: true }).getToken();
    const assertion = new URLSearchParams(server.requests[0].body).get("client_assertion") ?? "";
    const head = JSON.parse(Buffer.from(assertion.split(".")[0], "base64url").toString());
    assert.deepEqual(head.x5c, [tls.certPem.replace(/-----[^-]+-----|\s/g, "")]);
  });

  it("turns Entra's error reply into one clear message without the secret", async () => {
    reply = (_req, res) =>
      sendJson(res, 401, {
        error: "invalid_client",
        error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.",
        error_codes: [7000215],
      });
    await assert.rejects(provider({ kind: "secret", secret: "wrong-secret" }).getToken(), (err: TokenError) => {
      assert.ok(err instanceof TokenError);
      assert.equal(err.cause, "auth_failed");
      assert.equal(err.code, "AADSTS7000215");
      assert.match(err.message, /the client secret is wrong or expired: re-enter it/);
      assert.doesNotMatch(err.message, /wrong-secret/);
      return true;
    });
  });

  it("reports an unknown tenant", async () => {
    reply = (_req, res) => sendJson(res, 400, { error: "invalid_request", error_description: "AADSTS90002: Tenant 'x' not found.", error_codes: [90002] });
    await assert.rejects(provider({ kind: "secret", secret: "s" }).getToken(), (err: TokenError) => err.cause === "tenant_not_found");
  });

  it("reports an unreachable login host as a network problem", async () => {
    const closed = await startHttpsServer(tls, () => undefined);
    await closed.close();
    const endpoints = endpointsFor({ cloud: "commercial", tenantId: TENANT, authorityUrl: closed.origin });
    const tokens = new MsalTokenProvider({ endpoints, clientId: CLIENT, credential: { kind: "secret", secret: "s" }, dispatcher: agent, logger: memoryLogger() });
    await assert.rejects(tokens.getToken(), (err: TokenError) => {
      assert.equal(err.cause, "network");
      assert.equal(err.policy, "transient");
      assert.match(err.message, /^Token request: cannot reach 127\.0\.0\.1:\d+ without a proxy \(ECONNREFUSED: connection refused\)/);
      assert.equal(err.network?.code, "ECONNREFUSED");
      return true;
    });
  });

  it("refuses a login host whose certificate is not trusted", async () => {
    const strict = new Agent();
    try {
      const endpoints = endpointsFor({ cloud: "commercial", tenantId: TENANT, authorityUrl: server.origin });
      const tokens = new MsalTokenProvider({ endpoints, clientId: CLIENT, credential: { kind: "secret", secret: "s" }, dispatcher: strict, logger: memoryLogger() });
      await assert.rejects(tokens.getToken(), (err: TokenError) => err.cause === "network" && /NODE_EXTRA_CA_CERTS/.test(err.message));
      assert.equal(server.requests.length, 0);
    } finally {
      await strict.close();
    }
  });

  it("reports a certificate that cannot be used as a configuration fault", () => {
    assert.throws(() => provider({ kind: "certificate", pem: tls.certPem }), (err: TokenError) => err.cause === "config_invalid" && /holds no private key/.test(err.message));
  });

  for (const cloud of ["commercial", "gcc_high", "dod"] as const) {
    it(`${cloud}: the only call MSAL makes is the token request (no instance or metadata discovery)`, async () => {
      const endpoints = endpointsFor({ cloud, tenantId: TENANT });
      const mock = new MockAgent({ enableCallHistory: true });
      mock.disableNetConnect();
      const login = new URL(endpoints.authority);
      mock
        .get(login.origin)
        .intercept({ path: (p) => p.startsWith(`/${TENANT}/oauth2/v2.0/token`), method: "POST" })
        .reply(200, { token_type: "Bearer", expires_in: 3599, access_token: `at-${cloud}` }, { headers: { "content-type": "application/json" } });
      try {
        const tokens = new MsalTokenProvider({ endpoints, clientId: CLIENT, credential: { kind: "secret", secret: "s" }, dispatcher: mock, logger: memoryLogger() });
        assert.equal(await tokens.getToken(), `at-${cloud}`);
        mock.assertNoPendingInterceptors();
        const calls = mock.getCallHistory()?.calls().map((c) => `${c.method} ${c.origin}${c.path}`);
        assert.deepEqual(calls, [`POST ${login.origin}/${TENANT}/oauth2/v2.0/token`]);
      } finally {
        await mock.close();
      }
    });
  }
});
