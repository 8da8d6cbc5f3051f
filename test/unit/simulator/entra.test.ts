import assert from "node:assert/strict";
import { constants, createPrivateKey, sign } from "node:crypto";
import { createClientCertificate } from "../../simulator/certificates";
import { type EntraContext, type HttpAnswer, openIdConfiguration, tokenRequest } from "../../simulator/entra";
import { base64url, verifyHs256 } from "../../simulator/jwt";
import { SimTenant } from "../../simulator/tenant";

const TID = "3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c";
const APP = "8d6f2a4b-1c3e-4f5a-9b7c-0e1d2c3b4a59";
const CERT_APP = "11111111-2222-4333-8444-555555555555";
const BASE = "https://127.0.0.1:4443";
const KEY = Buffer.alloc(32, 5);
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const TOKEN_URL = `${BASE}/${TID}/oauth2/v2.0/token`;

const cert = createClientCertificate("collector");
const stranger = createClientCertificate("stranger");

function context(options: { consentMissing?: boolean; graphConsentMissing?: boolean } = {}): EntraContext {
  const tenant = new SimTenant(
    {
      tenantId: TID,
      domains: ["contoso.onmicrosoft.com"],
      clients: [{ clientId: APP, secret: "s3cret" }, { clientId: CERT_APP, certificatePem: cert.certPem }],
      consentMissing: options.consentMissing,
      graphConsentMissing: options.graphConsentMissing,
    },
    2000,
  );
  return { baseUrl: BASE, now: NOW, tokenKey: KEY, tokenLifetimeSeconds: 600, findTenant: (ref) => (ref === TID || ref === "contoso.onmicrosoft.com" ? tenant : undefined) };
}

interface AssertionOptions {
  alg?: "RS256" | "PS256";
  keyPem?: string;
  thumbprint?: string;
  claims?: Record<string, unknown>;
}

function assertion(opts: AssertionOptions = {}): string {
  const alg = opts.alg ?? "RS256";
  const thumb = opts.thumbprint ?? (alg === "PS256" ? cert.thumbprintSha256 : cert.thumbprintSha1);
  const header = { alg, typ: "JWT", [alg === "PS256" ? "x5t#S256" : "x5t"]: Buffer.from(thumb, "hex").toString("base64url") };
  const claims = { aud: TOKEN_URL, iss: CERT_APP, sub: CERT_APP, jti: "j", nbf: NOW / 1000, exp: NOW / 1000 + 600, ...opts.claims };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = createPrivateKey(opts.keyPem ?? cert.keyPem);
  const signature = alg === "PS256" ? sign("sha256", Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) : sign("sha256", Buffer.from(input), key);
  return `${input}.${base64url(signature)}`;
}

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams({ grant_type: "client_credentials", scope: `${BASE}/.default`, ...fields });
}

const certForm = (a: string, clientId = CERT_APP): URLSearchParams =>
  form({ client_id: clientId, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: a });

function aadCode(answer: HttpAnswer): string {
  const body = answer.body as { error: string; error_description: string; error_codes: number[] };
  assert.match(body.error_description, /^AADSTS\d+: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /);
  assert.equal(body.error_description.slice(6, body.error_description.indexOf(":")), String(body.error_codes[0]));
  return `${answer.status} ${body.error} ${body.error_codes[0]}`;
}

function claimsOf(answer: HttpAnswer): Record<string, unknown> {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const body = answer.body as { token_type: string; expires_in: number; access_token: string };
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.expires_in, 600);
  const claims = verifyHs256(body.access_token, KEY);
  assert.ok(claims);
  return claims;
}

describe("simulator Entra endpoints", () => {
  it("serves OpenID configuration for the tenant GUID and resolves a verified domain to it", () => {
    for (const ref of [TID, "contoso.onmicrosoft.com"]) {
      const answer = openIdConfiguration(context(), ref);
      assert.equal(answer.status, 200);
      const body = answer.body as Record<string, string>;
      assert.equal(body.token_endpoint, TOKEN_URL);
      assert.equal(body.issuer, `${BASE}/${TID}/v2.0`);
      assert.ok(body.authorization_endpoint && body.jwks_uri);
    }
    assert.equal(aadCode(openIdConfiguration(context(), "fabrikam.onmicrosoft.com")), "400 invalid_tenant 90002");
  });

  it("issues an access token for a client secret, with tid, appid, roles and exp", () => {
    const claims = claimsOf(tokenRequest(context(), TID, form({ client_id: APP, client_secret: "s3cret" })));
    assert.equal(claims.tid, TID);
    assert.equal(claims.appid, APP);
    assert.equal(claims.aud, BASE);
    assert.deepEqual(claims.roles, ["ActivityFeed.Read", "AuditLogsQuery.Read.All"]);
    assert.equal(claims.exp, NOW / 1000 + 600);
  });

  it("leaves the role out when admin consent is missing", () => {
    const claims = claimsOf(tokenRequest(context({ consentMissing: true, graphConsentMissing: true }), TID, form({ client_id: APP, client_secret: "s3cret" })));
    assert.equal(claims.roles, undefined);
    const activityOnly = claimsOf(tokenRequest(context({ graphConsentMissing: true }), TID, form({ client_id: APP, client_secret: "s3cret" })));
    assert.deepEqual(activityOnly.roles, ["ActivityFeed.Read"]);
  });

  it("answers Entra's errors for bad secrets, unknown apps and tenants, scopes and grants", () => {
    const ctx = context();
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: APP, client_secret: "wrong" }))), "401 invalid_client 7000215");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: CERT_APP, client_secret: "s3cret" }))), "401 invalid_client 7000215");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: "99999999-2222-4333-8444-555555555555", client_secret: "s3cret" }))), "400 unauthorized_client 700016");
    assert.equal(aadCode(tokenRequest(ctx, "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8", form({ client_id: APP, client_secret: "s3cret" }))), "400 invalid_tenant 90002");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: APP, client_secret: "s3cret", scope: "https://manage.office.com/.default" }))), "400 invalid_resource 500011");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: APP, client_secret: "s3cret", scope: BASE }))), "400 invalid_scope 1002012");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: APP, client_secret: "s3cret", grant_type: "password" }))), "400 unsupported_grant_type 70003");
    assert.equal(aadCode(tokenRequest(ctx, TID, form({ client_id: APP }))), "401 invalid_client 7000218");
  });

  it("accepts RS256 assertions with x5t and PS256 with x5t#S256 from the registered certificate", () => {
    const ctx = context();
    assert.equal(claimsOf(tokenRequest(ctx, TID, certForm(assertion()))).appid, CERT_APP);
    assert.equal(claimsOf(tokenRequest(ctx, "contoso.onmicrosoft.com", certForm(assertion({ alg: "PS256" })))).tid, TID);
  });

  it("rejects assertions from other keys, unregistered certificates, wrong claims or times", () => {
    const ctx = context();
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm(assertion({ keyPem: stranger.keyPem })))), "401 invalid_client 700027");
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm(assertion({ keyPem: stranger.keyPem, thumbprint: stranger.thumbprintSha1 })))), "401 invalid_client 700027");
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm(assertion({ claims: { iss: APP, sub: APP } })))), "401 invalid_client 700021");
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm(assertion({ claims: { aud: "https://login.microsoftonline.com/x/oauth2/v2.0/token" } })))), "401 invalid_client 700023");
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm(assertion({ claims: { exp: NOW / 1000 - 10 } })))), "401 invalid_client 700024");
    assert.equal(aadCode(tokenRequest(ctx, TID, certForm("not.a.jwt"))), "400 invalid_request 50027");
  });
});
