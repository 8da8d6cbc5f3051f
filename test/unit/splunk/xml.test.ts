import { strict as assert } from "node:assert";
import { escapeAttribute, escapeJsonText, escapeText, replaceForbidden } from "../../../src/splunk/xml";

describe("splunk/xml escaping", () => {
  it("escapes markup characters and CR", () => {
    assert.equal(escapeText(`a & b < c > d "e" 'f'`), `a &amp; b &lt; c &gt; d "e" 'f'`);
    assert.equal(escapeText("line1\r\nline2"), "line1&#13;\nline2");
    assert.equal(escapeText("]]></data></event>"), "]]&gt;&lt;/data&gt;&lt;/event&gt;");
  });

  it("returns plain text unchanged", () => {
    const text = "Plain text, tabs\tand newlines\n, émoji 🛡️ and CJK 邮件";
    assert.equal(escapeText(text), text);
  });

  it("replaces characters XML 1.0 forbids with their JSON escape", () => {
    assert.equal(replaceForbidden("a\u0000b\u0008c\u000Bd\u001Fe"), "a\\u0000b\\u0008c\\u000bd\\u001fe");
    assert.equal(replaceForbidden("\uFFFE\uFFFF"), "\\ufffe\\uffff");
    assert.equal(escapeText("x\u0001<"), "x\\u0001&lt;");
  });

  it("keeps surrogate pairs and replaces lone surrogates", () => {
    assert.equal(replaceForbidden("🛡"), "🛡");
    assert.equal(replaceForbidden("a\uD800b"), "a\\ud800b");
    assert.equal(replaceForbidden("a\uDC00b"), "a\\udc00b");
    assert.equal(replaceForbidden("\uDC00\uD800"), "\\udc00\\ud800"); // reversed pair: both lone
    assert.equal(replaceForbidden("\uD800\uD800\uDC00"), "\\ud800\uD800\uDC00");
    assert.equal(replaceForbidden("end\uD83D"), "end\\ud83d");
  });

  it("escapes quotes, tabs and newlines in attributes", () => {
    assert.equal(escapeAttribute(`a"b\tc\nd&<`), "a&quot;b&#9;c&#10;d&amp;&lt;");
  });

  it("escapes JSON text as escapeText does, markup and the forbidden characters JSON allows raw", () => {
    const cases = [
      '{"Url":"https://x/?a=1&b=2",\r\n"Subject":"<b>win</b>"}',
      '{"a":"\uFFFE\uFFFF"}',
      '{"a":"pair 🛡 lone \uD800 and \uDC00"}',
      '{"a":"no markup, Latin-1 only: café"}',
      "[1,\r\n2]",
    ];
    for (const text of cases) {
      JSON.parse(text); // each case is text the mapper would mark as JSON
      assert.equal(escapeJsonText(text), escapeText(text), text);
    }
    assert.equal(escapeJsonText('{"a":"x&y\uFFFF"}'), '{"a":"x&amp;y\\uffff"}');
    const plain = '{"a":"plain"}';
    assert.equal(escapeJsonText(plain), plain);
  });
});
