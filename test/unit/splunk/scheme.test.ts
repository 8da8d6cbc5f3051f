import { strict as assert } from "node:assert";
import { ARGUMENTS, schemeXml } from "../../../src/splunk/scheme";
import { parseConfig } from "../../../src/config/parse";
import { readScheme } from "../../lib/schemeXml";

const TENANT = "0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6";

/** The regular expression inside a `match('<name>', "<regex>")` validation. */
function matchRegex(validation: string): RegExp {
  const m = /match\('[a-z_]+', "([^"]+)"\)/.exec(validation);
  assert.ok(m, `no match() in ${validation}`);
  return new RegExp(m[1]);
}

describe("splunk/scheme", () => {
  it("writes every argument with all elements, in a well-formed document", () => {
    const { top, args } = readScheme(schemeXml());
    assert.ok("endpoint" in top, "the scheme has an <endpoint>");
    assert.deepEqual(args.map((a) => a.name), ARGUMENTS.map((a) => a.name));
    for (const arg of args) {
      for (const el of ["title", "description", "data_type", "required_on_edit", "required_on_create"]) assert.ok(el in arg.children, `${arg.name} lacks <${el}>`);
    }
  });

  it("uses Splunk validation expressions with balanced quotes and parentheses", () => {
    for (const a of ARGUMENTS.filter((x) => x.validation)) {
      const v = a.validation!;
      assert.match(v, /^validate\(isnull\('([a-z_]+)'\) OR .*, "[^"]+"\)$/, a.name);
      assert.equal(v.split('"').length % 2, 1, `${a.name}: unbalanced double quotes`);
      assert.equal((v.match(/\(/g) ?? []).length, (v.match(/\)/g) ?? []).length, `${a.name}: unbalanced parentheses`);
      assert.ok(v.includes(`'${a.name}'`), `${a.name}: the rule checks another field`);
    }
  });

  it("agrees with parseConfig on the values its rules accept", () => {
    const rule = (name: string): RegExp => matchRegex(ARGUMENTS.find((a) => a.name === name)!.validation!);
    for (const value of [TENANT, TENANT.toUpperCase(), "contoso.onmicrosoft.com", "0d1e2f3a4b5c4d6e8f90a1b2c3d4e5f6", ""]) {
      const accepted = parseConfig({ name: "x", params: { tenant_id: value, client_id: TENANT, client_secret: "s" } }).errors.length === 0;
      assert.equal(rule("tenant_id").test(value), accepted, `tenant_id ${JSON.stringify(value)}`);
    }
    for (const value of ["commercial", "gcc", "gcc_high", "dod", "china", "GCC"]) {
      const accepted = parseConfig({ name: "x", params: { tenant_id: TENANT, client_id: TENANT, client_secret: "s", cloud: value } }).errors.length === 0;
      // Splunk's match() is case-sensitive; parseConfig also takes other cases of a valid name.
      if (value === value.toLowerCase()) assert.equal(rule("cloud").test(value), accepted, `cloud ${value}`);
    }
  });
});
