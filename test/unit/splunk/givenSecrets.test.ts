// Which secret arguments a stanza gives, and when a stored one is looked for without them.
import { strict as assert } from "node:assert";
import { givenSecrets, SECRET_SPECS, SecretError } from "../../../src/splunk/secrets";
import { testConfig } from "../../lib/testConfig";

describe("splunk/secrets: the stanza's own secret arguments", () => {
  const stanza = (params: Record<string, string | string[]>) => ({ name: "defender_o365_activity://x", app: "defender_o365", params });

  it("reads each argument, its first value when splunkd sends a list, and takes empty as absent", () => {
    const config = testConfig({ clientSecret: undefined });
    assert.deepEqual(givenSecrets(config, stanza({ client_secret: "s", certificate_password: ["c1", "c2"], proxy_password: "" })), {
      client_secret: "s",
      certificate_password: "c1",
      proxy_password: undefined,
    });
    assert.deepEqual(givenSecrets(config, undefined), { client_secret: undefined, certificate_password: undefined, proxy_password: undefined });
  });

  it("prefers the validated config's client secret to the stanza's", () => {
    assert.equal(givenSecrets(testConfig({ clientSecret: "from-config" }), stanza({ client_secret: "from-stanza" })).client_secret, "from-config");
  });

  it("looks for a stored certificate or proxy password only when the input uses one", () => {
    const spec = (arg: string) => SECRET_SPECS.find((s) => s.arg === arg)!;
    assert.equal(spec("client_secret").mayBeStored, undefined);
    assert.equal(spec("certificate_password").mayBeStored!(testConfig({ certificatePath: "/c.pem" })), true);
    assert.equal(spec("certificate_password").mayBeStored!(testConfig({ certificatePath: undefined })), false);
    assert.equal(spec("proxy_password").mayBeStored!(testConfig({ proxyUrl: "http://p:3128" })), true);
    assert.equal(spec("proxy_password").mayBeStored!(testConfig({ proxyUrl: undefined })), false);
  });

  it("SecretError names itself and its cause", () => {
    const err = new SecretError("m", "splunkd_unavailable");
    assert.deepEqual([err.name, err.message, err.cause], ["SecretError", "m", "splunkd_unavailable"]);
  });
});
