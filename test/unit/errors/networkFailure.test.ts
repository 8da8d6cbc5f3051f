import assert from "node:assert/strict";
import { describeNetworkFailure, errorCodeOf, networkFailureOf, networkFix, proxyForMessages } from "../../../src/errors/networkFailure";

const DOD_API = "manage.protection.apps.mil";
const DOD_LOGIN = "login.microsoftonline.us";

describe("networkFailure: what an admin behind a firewall needs", () => {
  const f = (code: string | undefined, host = DOD_API, proxy?: string) => ({ host, code, proxy, detail: `${code ?? "socket hang up"} detail` });

  it("names the host, the code and its meaning, the proxy (or none) and the fix", () => {
    assert.equal(
      describeNetworkFailure(f("ECONNREFUSED")),
      `cannot reach ${DOD_API} without a proxy (ECONNREFUSED: connection refused): allow outbound HTTPS (TCP 443) from this host to ${DOD_API}, or set proxy_url (a firewall rejects it, or nothing listens there)`,
    );
    assert.match(describeNetworkFailure(f("ENOTFOUND", DOD_LOGIN)), new RegExp(`^cannot reach ${DOD_LOGIN} without a proxy \\(ENOTFOUND: the name does not resolve\\): check this host's DNS resolves ${DOD_LOGIN}`));
    assert.match(describeNetworkFailure(f("ETIMEDOUT", "127.0.0.1:8443", "http://proxy.corp:3128")), /^cannot reach 127\.0\.0\.1:8443 through the proxy http:\/\/proxy\.corp:3128 \(ETIMEDOUT: no answer\): let the proxy http:\/\/proxy\.corp:3128 CONNECT to 127\.0\.0\.1:8443/);
  });

  it("gives each OS, TLS and undici code its own rule", () => {
    const cases: [string, RegExp][] = [
      ["ENOTFOUND", /DNS resolves manage\.protection\.apps\.mil .*set proxy_url/],
      ["EAI_AGAIN", /check the DNS servers this host uses/],
      ["ECONNREFUSED", /allow outbound HTTPS \(TCP 443\) from this host to manage\.protection\.apps\.mil.*firewall rejects/],
      ["ETIMEDOUT", /allow outbound HTTPS \(TCP 443\).*firewall drops/],
      ["UND_ERR_CONNECT_TIMEOUT", /firewall drops/],
      ["UND_ERR_HEADERS_TIMEOUT", /firewall drops/],
      ["EHOSTUNREACH", /firewall drops/],
      ["ENETUNREACH", /firewall drops/],
      ["ECONNRESET", /inspecting proxy may cut/],
      ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", /TLS-inspecting proxy .*exempt manage\.protection\.apps\.mil from inspection, or add its CA to NODE_EXTRA_CA_CERTS/],
      ["DEPTH_ZERO_SELF_SIGNED_CERT", /NODE_EXTRA_CA_CERTS/],
      ["SELF_SIGNED_CERT_IN_CHAIN", /NODE_EXTRA_CA_CERTS/],
      ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", /NODE_EXTRA_CA_CERTS/],
      ["CERT_HAS_EXPIRED", /NODE_EXTRA_CA_CERTS/],
      ["ERR_TLS_CERT_ALTNAME_INVALID", /NODE_EXTRA_CA_CERTS/],
      ["PROXY_407", /check proxy_url and its password/],
    ];
    for (const [code, fix] of cases) assert.match(networkFix(f(code)), fix, code);
    // Every code reads differently from the unknown one.
    for (const [code] of cases) assert.notEqual(describeNetworkFailure(f(code)), describeNetworkFailure(f("E_SOMETHING_ELSE")).replace("E_SOMETHING_ELSE", code));
  });

  it("blames the proxy when the failure is reaching the proxy", () => {
    assert.match(networkFix(f("ECONNREFUSED", DOD_API, "http://proxy.corp:3128")), /^check proxy_url: nothing accepts connections at http:\/\/proxy\.corp:3128/);
    assert.match(networkFix(f("ENOTFOUND", DOD_API, "http://proxy.corp:3128")), /^the proxy http:\/\/proxy\.corp:3128 does not resolve/);
  });

  it("falls back to the error text and the generic rule for an unknown or missing code", () => {
    assert.equal(describeNetworkFailure(f(undefined)), `cannot reach ${DOD_API} without a proxy (socket hang up detail): allow outbound HTTPS (TCP 443) from this host to ${DOD_API}, or set proxy_url`);
  });

  it("finds the code on the error or its causes, and a proxy's refusal in undici's message", () => {
    assert.equal(errorCodeOf(Object.assign(new Error("x"), { code: "ECONNREFUSED" })), "ECONNREFUSED");
    assert.equal(errorCodeOf(new Error("fetch failed", { cause: Object.assign(new Error("y"), { code: "EAI_AGAIN" }) })), "EAI_AGAIN");
    assert.equal(errorCodeOf(Object.assign(new Error("Proxy response (407) !== 200 when HTTP Tunneling"), { code: "UND_ERR_ABORTED" })), "PROXY_407");
    assert.equal(errorCodeOf("text"), undefined);
    const failure = networkFailureOf(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "https://login.microsoftonline.us/t/oauth2", undefined);
    assert.deepEqual(failure, { host: DOD_LOGIN, code: "ECONNREFUSED", proxy: undefined, detail: "connect ECONNREFUSED" });
  });

  it("never shows the proxy's user or password", () => {
    assert.equal(proxyForMessages("http://alice:pw@proxy.corp:3128/"), "http://proxy.corp:3128");
    assert.equal(proxyForMessages(undefined), undefined);
    assert.equal(proxyForMessages(""), undefined);
  });
});
