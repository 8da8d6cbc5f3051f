// The Entra ID (v2.0) endpoints the collector and MSAL Node use: OpenID discovery and the
// client-credentials token endpoint, with Entra's error shape (`error`, `error_description`
// starting with the AADSTS code, `error_codes`, trace/correlation ids). Reference:
// docs/reference/entra-clouds.md 2 (client credentials, certificate assertions per RFC 7523).
import { randomUUID } from "node:crypto";
import { decodeJwt, type JsonObject, signHs256, verifyRsaSignature } from "./jwt";
import type { SimTenant } from "./tenant";

export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface EntraContext {
  /** https://127.0.0.1:<port> */
  baseUrl: string;
  /** Server clock, epoch ms. */
  now: number;
  tokenKey: Buffer;
  tokenLifetimeSeconds: number;
  findTenant(idOrDomain: string): SimTenant | undefined;
}

export const ACTIVITY_FEED_ROLE = "ActivityFeed.Read";
export const GRAPH_AUDIT_ROLE = "AuditLogsQuery.Read.All";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Entra's error body; the description starts with the AADSTS code and ends with trace lines. */
export function aadError(status: number, error: string, code: number, description: string, now: number): HttpAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now).toISOString().replace("T", " ").slice(0, 19) + "Z";
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

const tenantNotFound = (ctx: EntraContext, ref: string): HttpAnswer =>
  aadError(400, "invalid_tenant", 90002, `Tenant '${ref}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, ctx.now);

/** GET /<tenant>/v2.0/.well-known/openid-configuration; a domain resolves to the tenant GUID. */
export function openIdConfiguration(ctx: EntraContext, ref: string): HttpAnswer {
  const tenant = ctx.findTenant(ref);
  if (!tenant) return tenantNotFound(ctx, ref);
  const root = `${ctx.baseUrl}/${tenant.id}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${root}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${ctx.baseUrl}/${tenant.id}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${root}/v2.0`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      tenant_region_scope: "NA",
      cloud_instance_name: "simulator",
    },
  };
}

type CredentialCheck = { ok: true } | { ok: false; answer: HttpAnswer };

function checkAssertion(ctx: EntraContext, tenant: SimTenant, clientId: string, form: URLSearchParams, tokenEndpoint: string): CredentialCheck {
  const fail = (status: number, error: string, code: number, text: string): CredentialCheck => ({ ok: false, answer: aadError(status, error, code, text, ctx.now) });
  const client = tenant.client(clientId);
  if (!client) return fail(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.id}'.`);
  if (form.get("client_assertion_type") !== JWT_BEARER) {
    return fail(400, "invalid_request", 50027, `client_assertion_type must be '${JWT_BEARER}'.`);
  }
  const jwt = decodeJwt(form.get("client_assertion") ?? "");
  if (!jwt) return fail(400, "invalid_request", 50027, "JWT token is invalid or is malformed.");
  const x5t = jwt.header["x5t#S256"] ?? jwt.header.x5t;
  const thumbprint = typeof x5t === "string" ? Buffer.from(x5t, "base64url").toString("hex").toUpperCase() : "";
  const cert = client.certificates.find((c) => c.sha1 === thumbprint || c.sha256 === thumbprint);
  if (!cert) {
    return fail(401, "invalid_client", 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}']`);
  }
  if (!verifyRsaSignature(jwt, cert.publicKey)) return fail(401, "invalid_client", 700027, "Client assertion failed signature validation.");
  const claims: JsonObject = jwt.payload;
  if (claims.iss !== claims.sub || String(claims.iss).toLowerCase() !== clientId.toLowerCase()) {
    return fail(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
  }
  if (claims.aud !== tokenEndpoint) return fail(401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer.");
  const nowSeconds = ctx.now / 1000;
  if (typeof claims.exp !== "number" || claims.exp < nowSeconds || (typeof claims.nbf === "number" && claims.nbf > nowSeconds + 300)) {
    return fail(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
  }
  return { ok: true };
}

function checkSecret(ctx: EntraContext, tenant: SimTenant, clientId: string, secret: string): CredentialCheck {
  const client = tenant.client(clientId);
  if (!client) {
    return { ok: false, answer: aadError(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.id}'.`, ctx.now) };
  }
  if (client.secret === undefined || client.secret !== secret) {
    return { ok: false, answer: aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", ctx.now) };
  }
  return { ok: true };
}

/** POST /<tenant>/oauth2/v2.0/token, grant_type=client_credentials, scope=<api>/.default. */
export function tokenRequest(ctx: EntraContext, ref: string, form: URLSearchParams): HttpAnswer {
  const tenant = ctx.findTenant(ref);
  if (!tenant) return tenantNotFound(ctx, ref);
  if (form.get("grant_type") !== "client_credentials") {
    return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.", ctx.now);
  }
  const clientId = form.get("client_id") ?? "";
  if (!clientId) return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.", ctx.now);
  const scope = form.get("scope");
  if (!scope) return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.", ctx.now);
  if (!scope.endsWith("/.default")) return aadError(400, "invalid_scope", 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, ctx.now);
  const resource = scope.slice(0, -"/.default".length);
  if (resource !== ctx.baseUrl) {
    return aadError(400, "invalid_resource", 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant.id}.`, ctx.now);
  }
  const tokenEndpoint = `${ctx.baseUrl}/${tenant.id}/oauth2/v2.0/token`;
  const secret = form.get("client_secret");
  let check: CredentialCheck;
  if (secret !== null) check = checkSecret(ctx, tenant, clientId, secret);
  else if (form.get("client_assertion") !== null) check = checkAssertion(ctx, tenant, clientId, form, tokenEndpoint);
  else check = { ok: false, answer: aadError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", ctx.now) };
  if (!check.ok) return check.answer;

  const issuedAt = Math.floor(ctx.now / 1000);
  const claims: JsonObject = {
    aud: ctx.baseUrl,
    iss: `https://sts.windows.net/${tenant.id}/`,
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + ctx.tokenLifetimeSeconds,
    appid: clientId.toLowerCase(),
    idtyp: "app",
    oid: clientId.toLowerCase(),
    sub: clientId.toLowerCase(),
    tid: tenant.id,
    ver: "1.0",
  };
  // An app without admin consent still gets a token, just without the app role (docs/reference/entra-clouds.md 3.2).
  // Graph's audit log permission rides on the same app registration (docs/reference/graph-audit-query.md 2.1).
  const roles = [...(tenant.consentMissing ? [] : [ACTIVITY_FEED_ROLE]), ...(tenant.graphConsentMissing ? [] : [GRAPH_AUDIT_ROLE])];
  if (roles.length > 0) claims.roles = roles;
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      expires_in: ctx.tokenLifetimeSeconds,
      ext_expires_in: ctx.tokenLifetimeSeconds,
      access_token: signHs256(claims, ctx.tokenKey),
    },
  };
}
