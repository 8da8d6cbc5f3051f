import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { main, readDocument, type Io } from "../../src/main";
import { schemeXml } from "../../src/splunk/scheme";

interface Harness {
  io: Io;
  stdin: PassThrough;
  stdout: () => string;
  lines: string[];
}

function fakeIo(stdinText?: string, env: NodeJS.ProcessEnv = {}): Harness {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  const lines: string[] = [];
  if (stdinText !== undefined) stdin.end(stdinText);
  return { io: { stdin, stdout, log: (l) => lines.push(l), env, signals: new EventEmitter() }, stdin, stdout: () => out, lines };
}

describe("main", () => {
  it("--scheme prints the scheme", async () => {
    const h = fakeIo();
    assert.equal(await main(["--scheme"], h.io), 0);
    assert.equal(h.stdout(), schemeXml());
  });

  it("rejects unknown arguments with an ERROR line", async () => {
    const h = fakeIo();
    assert.equal(await main(["--scheme", "extra"], h.io), 1);
    assert.equal(h.lines.length, 1);
    assert.match(h.lines[0], /^ERROR Invalid arguments: --scheme extra\. Use --scheme, --validate-arguments or no argument.* cause=invalid_arguments$/);
  });

  it("logs the Node version at DEBUG when asked", async () => {
    const h = fakeIo(undefined, { DEFENDER_O365_LOG_LEVEL: "debug" });
    await main(["--scheme"], h.io);
    assert.ok(h.lines.includes(`DEBUG Starting node=${process.version} mode=--scheme`));
  });

  it("--validate-arguments prints <error><message> and exits 1 on a bad item", async () => {
    const h = fakeIo('<items><item name="x"><param name="tenant_id">a&amp;b</param></item></items>');
    assert.equal(await main(["--validate-arguments"], h.io), 1);
    assert.match(h.stdout(), /^<error><message>tenant_id "a&amp;b" is not a GUID[^<]*<\/message><\/error>\n$/);
    assert.match(h.lines[0], /^ERROR Validation failed cause=config_invalid/);
  });

  it("--validate-arguments reports unreadable XML", async () => {
    const h = fakeIo("<items><item>");
    assert.equal(await main(["--validate-arguments"], h.io), 1);
    assert.match(h.stdout(), /^<error><message>cannot validate: malformed XML/);
  });

  it("run mode: unreadable input XML is one ERROR and exit 1", async () => {
    const h = fakeIo("<input><configuration></input>");
    assert.equal(await main([], h.io), 1);
    assert.equal(h.stdout(), "");
    assert.equal(h.lines.length, 1);
    assert.match(h.lines[0], /^ERROR Cannot read the input definition from splunkd cause=config_invalid detail=".*malformed XML/);
  });

  it("run mode: no stanza is a WARN and exit 0 with nothing on stdout", async () => {
    const h = fakeIo("<input><server_uri>https://127.0.0.1:8089</server_uri><configuration/></input>");
    assert.equal(await main([], h.io), 0);
    assert.equal(h.stdout(), "");
    assert.match(h.lines.join("\n"), /^WARN splunkd sent no stanza: nothing to do cause=config_invalid$/m);
  });

  it("run mode: each bad stanza is one ERROR with its input name, and the exit is non-zero", async () => {
    const h = fakeIo(
      '<input><configuration><stanza name="defender_o365_activity://a" app="defender_o365"><param name="tenant_id">x</param></stanza>' +
        '<stanza name="defender_o365_activity://b"/></configuration></input>',
    );
    assert.equal(await main([], h.io), 1);
    const errors = h.lines.filter((l) => l.startsWith("ERROR"));
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^ERROR Skipping the input: tenant_id "x" is not a GUID.* input=a cause=config_invalid$/);
    assert.match(errors[1], / input=b cause=config_invalid$/);
  });

  describe("readDocument", () => {
    it("returns at the closing tag while stdin stays open", async () => {
      const stdin = new PassThrough();
      const doc = readDocument(stdin, "</input>", 60_000);
      stdin.write("<input>");
      stdin.write("</input>\n");
      assert.equal(await doc, "<input></input>\n");
    });

    it("returns at EOF", async () => {
      const stdin = new PassThrough();
      const doc = readDocument(stdin, "</input>", 60_000);
      stdin.end("<input/>");
      assert.equal(await doc, "<input/>");
    });

    it("gives up with a clear message when nothing complete arrives", async () => {
      const stdin = new PassThrough();
      stdin.write("<input>");
      await assert.rejects(readDocument(stdin, "</input>", 5), /no complete <input> document on stdin after 0\.005 s: splunkd writes it/);
    });
  });
});
