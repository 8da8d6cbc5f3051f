import { strict as assert } from "node:assert";
import { parseInputDefinition, parseValidationDefinition, parseXml } from "../../../src/splunk/xmlInput";

// The shapes splunkd writes (docs/reference/splunk-platform.md 1.4, 1.5).
const INPUT = `<?xml version="1.0" encoding="UTF-8"?>
<input>
  <server_host>tiny</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>123102983109283019283</session_key>
  <checkpoint_dir>/opt/splunk/var/lib/splunk/modinputs/defender_o365_activity</checkpoint_dir>
  <configuration>
    <stanza name="defender_o365_activity://contoso" app="defender_o365">
      <param name="tenant_id">0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6</param>
      <param name="client_secret"> s&amp;cr&lt;t&#x41;&#66; </param>
      <param name="disabled">0</param>
      <param name="index">default</param>
      <param_list name="content_types"><value>Audit.General</value><value>DLP.All</value></param_list>
    </stanza>
    <stanza name="defender_o365_activity://fabrikam">
      <param name="note"><![CDATA[a <raw> & value]]></param>
      <!-- a comment -->
      <param name="empty"></param>
      <param name="selfclosed"/>
    </stanza>
  </configuration>
</input>`;

const ITEMS = `<items>
  <server_host>myHost</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>abc</session_key>
  <checkpoint_dir>/opt/splunk/var/lib/splunk/modinputs</checkpoint_dir>
  <item name="contoso">
    <param name="param1">value1</param>
    <param_list name="param2"><value>v2</value><value>v3</value></param_list>
  </item>
</items>`;

describe("splunk/xmlInput", () => {
  it("reads the run-mode <input> document", () => {
    const def = parseInputDefinition(INPUT);
    assert.equal(def.serverHost, "tiny");
    assert.equal(def.serverUri, "https://127.0.0.1:8089");
    assert.equal(def.sessionKey, "123102983109283019283");
    assert.equal(def.checkpointDir, "/opt/splunk/var/lib/splunk/modinputs/defender_o365_activity");
    assert.equal(def.stanzas.length, 2);
    const [contoso, fabrikam] = def.stanzas;
    assert.equal(contoso.name, "defender_o365_activity://contoso");
    assert.equal(contoso.app, "defender_o365");
    assert.deepEqual(contoso.params, {
      tenant_id: "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6",
      client_secret: " s&cr<tAB ",
      disabled: "0",
      index: "default",
      content_types: ["Audit.General", "DLP.All"],
    });
    assert.equal(fabrikam.app, undefined);
    assert.deepEqual(fabrikam.params, { note: "a <raw> & value", empty: "", selfclosed: "" });
  });

  it("reads the --validate-arguments <items> document", () => {
    const def = parseValidationDefinition(ITEMS);
    assert.equal(def.serverHost, "myHost");
    assert.equal(def.checkpointDir, "/opt/splunk/var/lib/splunk/modinputs");
    assert.deepEqual(def.item, { name: "contoso", params: { param1: "value1", param2: ["v2", "v3"] } });
  });

  it("accepts an <input> without stanzas", () => {
    assert.deepEqual(parseInputDefinition("<input><configuration/></input>").stanzas, []);
  });

  const malformed: [string, string, RegExp][] = [
    ["mismatched tags", "<input><server_host>x</server_uri></input>", /closes <server_host>/],
    ["an unclosed root", "<input><configuration>", /not closed/],
    ["an unknown entity", "<input><server_host>&nbsp;</server_host></input>", /unknown entity/],
    ["a bare ampersand", "<input><server_host>a & b</server_host></input>", /reference|entity/],
    ["content after the root", "<input></input><input></input>", /after the root/],
    ["a duplicate attribute", '<input><configuration><stanza name="a" name="b"/></configuration></input>', /duplicate attribute/],
    ["an unquoted attribute", "<input><configuration><stanza name=a/></configuration></input>", /attribute/],
    ["text instead of XML", "not xml", /expected '<'/],
    ["an empty document", "", /expected '<'/],
  ];
  for (const [what, doc, message] of malformed) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseXml(doc), message);
    });
  }

  it("rejects a stanza without a name and the wrong root", () => {
    assert.throws(() => parseInputDefinition("<input><configuration><stanza/></configuration></input>"), /no name/);
    assert.throws(() => parseInputDefinition(ITEMS), /expected <input>/);
    assert.throws(() => parseValidationDefinition(INPUT), /expected <items>/);
    assert.throws(() => parseValidationDefinition("<items></items>"), /exactly one <item>, got 0/);
    assert.throws(() => parseValidationDefinition('<items><item name="a"/><item name="b"/></items>'), /got 2/);
  });
});
