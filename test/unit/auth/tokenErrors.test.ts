import { strict as assert } from "node:assert";
import { AuthError } from "@azure/msal-node";
import { TokenError, toTokenError } from "../../../src/auth/tokenErrors";

function server(code: string, description: string): AuthError {
  // MSAL's ServerError carries the token endpoint's error and error_description like this.
  return new AuthError(code, "", description);
}

describe("auth/tokenErrors", () => {
  const cases: [string, string, RegExp][] = [
    ["AADSTS7000215: Invalid client secret provided.", "auth_failed", /client secret is wrong or expired: re-enter it/],
    ["AADSTS7000222: The provided client secret keys are expired.", "auth_failed", /client secret is wrong or expired/],
    ["AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.", "auth_failed", /application not found in the tenant: check client_id\/tenant_id or admin consent/],
    ["AADSTS90002: Tenant 'x' not found.", "tenant_not_found", /tenant not found/],
    ["AADSTS700027: Client assertion failed signature validation.", "auth_failed", /certificate is not registered/],
    ["AADSTS65001: The user or administrator has not consented to use the application.", "consent_missing", /admin consent/],
    ["AADSTS501051: Application is not assigned to a role; admin consent required.", "consent_missing", /admin consent/],
    ["AADSTS9999999: Something new.", "auth_failed", /check client_id, tenant_id/],
  ];
  for (const [description, cause, message] of cases) {
    it(`${description.slice(0, 14)} -> ${cause}`, () => {
      const err = toTokenError(server("invalid_client", description), "login.microsoftonline.com");
      assert.ok(err instanceof TokenError);
      assert.equal(err.cause, cause);
      assert.match(err.message, message);
      assert.equal(err.policy, "fatal");
      assert.doesNotMatch(err.message, /Invalid client secret provided/); // our words, not the raw reply
    });
  }

  it("network failures name the login host and stay retryable", () => {
    const err = toTokenError(new AuthError("network_error", "", "Network request to login.microsoftonline.us failed: ECONNREFUSED: connect"), "login.microsoftonline.us");
    assert.equal(err.cause, "network");
    assert.equal(err.policy, "transient");
    assert.match(err.message, /Cannot reach the login host login.microsoftonline.us: check the network and proxy_url/);
  });

  it("untrusted TLS certificates point at NODE_EXTRA_CA_CERTS", () => {
    const err = toTokenError(new AuthError("network_error", "", "SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain"), "h");
    assert.equal(err.cause, "network");
    assert.match(err.message, /NODE_EXTRA_CA_CERTS/);
  });

  it("keeps an existing TokenError", () => {
    const original = new TokenError("x", "secret_missing");
    assert.equal(toTokenError(original, "h"), original);
  });
});
