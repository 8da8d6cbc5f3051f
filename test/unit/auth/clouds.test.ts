import { strict as assert } from "node:assert";
import { CLOUDS, endpointsFor, type Cloud } from "../../../src/auth/clouds";


const TENANT = "fc56268f-9454-4ea7-ab56-7475b5192ef3";

// docs/reference/entra-clouds.md 1
const TABLE: [Cloud, string, string][] = [
  ["commercial", "manage.office.com", "login.microsoftonline.com"],
  ["gcc", "manage-gcc.office.com", "login.microsoftonline.com"],
  ["gcc_high", "manage.office365.us", "login.microsoftonline.us"],
  ["dod", "manage.protection.apps.mil", "login.microsoftonline.us"],
];

describe("auth/clouds", () => {
  it("covers exactly the four clouds of the reference table", () => {
    assert.deepEqual(Object.keys(CLOUDS).sort(), TABLE.map(([c]) => c).sort());
  });

  for (const [cloud, apiHost, loginHost] of TABLE) {
    it(`${cloud}: API ${apiHost}, login ${loginHost}, scope = API host/.default`, () => {
      const e = endpointsFor({ cloud, tenantId: TENANT });
      assert.equal(e.apiRoot, `https://${apiHost}/api/v1.0/${TENANT}/activity/feed`);
      assert.equal(e.authority, `https://${loginHost}/${TENANT}`);
      assert.equal(e.scope, `https://${apiHost}/.default`);
      assert.equal(e.knownAuthorityHost, loginHost);
      assert.equal(e.customAuthority, false);
    });
  }

  it("api_url replaces scheme://host[:port] of the API and its scope, not the login host", () => {
    const e = endpointsFor({ cloud: "gcc_high", tenantId: TENANT, apiUrl: "https://127.0.0.1:8443/ignored/path" });
    assert.equal(e.apiRoot, `https://127.0.0.1:8443/api/v1.0/${TENANT}/activity/feed`);
    assert.equal(e.scope, "https://127.0.0.1:8443/.default");
    assert.equal(e.authority, `https://login.microsoftonline.us/${TENANT}`);
  });

  it("authority_url replaces the login host and becomes the known authority", () => {
    const e = endpointsFor({ cloud: "commercial", tenantId: TENANT, authorityUrl: "https://localhost:9443/" });
    assert.equal(e.authority, `https://localhost:9443/${TENANT}`);
    assert.equal(e.knownAuthorityHost, "localhost:9443");
    assert.equal(e.customAuthority, true);
  });

  it("rejects overrides that are not https URLs", () => {
    assert.throws(() => endpointsFor({ cloud: "commercial", tenantId: TENANT, apiUrl: "http://127.0.0.1:80" }), /api_url must start with https/);
    assert.throws(() => endpointsFor({ cloud: "commercial", tenantId: TENANT, authorityUrl: "not a url" }), /authority_url is not a URL/);
  });
});
