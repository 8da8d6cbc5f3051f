// Parses the documents splunkd writes to stdin (docs/reference/splunk-platform.md 1.4, 1.5):
// `<input>` in run mode and `<items>` for --validate-arguments. A small strict XML reader
// (elements, attributes, text, entity and character references, CDATA, comments, the XML
// declaration) is enough for these documents and keeps the bundle free of XML dependencies.
import type { InputDefinition, ParamValue, Stanza, ValidationDefinition } from "./inputDefinition";

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export class XmlInputError extends Error {}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeReferences(raw: string, fail: (m: string) => never): string {
  return raw.replace(/&([^;&<]*);?/g, (match, ref: string) => {
    if (!match.endsWith(";")) fail(`unterminated reference '${match}'`);
    if (ref in ENTITIES) return ENTITIES[ref];
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (num) {
      const code = parseInt(num[1], ref.startsWith("#x") ? 16 : 10);
      if (code > 0x10ffff || code === 0) fail(`invalid character reference '&${ref};'`);
      return String.fromCodePoint(code);
    }
    return fail(`unknown entity '&${ref};'`);
  });
}

/** Parses one XML document into its root element. Throws XmlInputError on anything malformed. */
export function parseXml(doc: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = doc.slice(0, pos).split("\n").length;
    throw new XmlInputError(`malformed XML at line ${line}: ${message}`);
  };
  const skipMisc = (): void => {
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = pos;
      ws.exec(doc);
      pos = ws.lastIndex;
      if (doc.startsWith("<?", pos)) pos = indexAfter("?>");
      else if (doc.startsWith("<!--", pos)) pos = indexAfter("-->");
      else return;
    }
  };
  const indexAfter = (end: string): number => {
    const i = doc.indexOf(end, pos);
    if (i < 0) fail(`missing '${end}'`);
    return i + end.length;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(doc);
    if (!m) fail("expected a name");
    pos = NAME.lastIndex;
    return m![0];
  };
  const readElement = (): XmlElement => {
    if (doc[pos] !== "<") fail("expected '<'");
    pos++;
    const el: XmlElement = { name: readName(), attributes: {}, children: [], text: "" };
    for (;;) {
      const attr = /\s*(?:([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')|(\/?>))/y;
      attr.lastIndex = pos;
      const m = attr.exec(doc);
      if (!m) fail(`bad attribute or tag end in <${el.name}>`);
      pos = attr.lastIndex;
      if (m![4] === "/>") return el;
      if (m![4] === ">") break;
      if (m![1] in el.attributes) fail(`duplicate attribute '${m![1]}'`);
      el.attributes[m![1]] = decodeReferences(m![2] ?? m![3], fail);
    }
    for (;;) {
      const lt = doc.indexOf("<", pos);
      if (lt < 0) fail(`<${el.name}> is not closed`);
      el.text += decodeReferences(doc.slice(pos, lt), fail);
      pos = lt;
      if (doc.startsWith("</", pos)) {
        pos += 2;
        const name = readName();
        if (name !== el.name) fail(`</${name}> closes <${el.name}>`);
        const end = /\s*>/y;
        end.lastIndex = pos;
        if (!end.exec(doc)) fail(`bad closing tag </${name}`);
        pos = end.lastIndex;
        return el;
      } else if (doc.startsWith("<![CDATA[", pos)) {
        const start = pos + 9;
        pos = indexAfter("]]>");
        el.text += doc.slice(start, pos - 3);
      } else if (doc.startsWith("<!--", pos)) {
        pos = indexAfter("-->");
      } else if (doc.startsWith("<?", pos)) {
        pos = indexAfter("?>");
      } else {
        el.children.push(readElement());
      }
    }
  };
  skipMisc();
  const root = readElement();
  skipMisc();
  if (pos < doc.length) fail("content after the root element");
  return root;
}

function childText(el: XmlElement, name: string): string {
  return el.children.find((c) => c.name === name)?.text.trim() ?? "";
}

/** `<param>` and `<param_list>` children of a `<stanza>` or `<item>`. */
export function readStanza(el: XmlElement): Stanza {
  const name = el.attributes.name;
  if (!name) throw new XmlInputError(`<${el.name}> has no name attribute`);
  const params: Record<string, ParamValue> = {};
  for (const child of el.children) {
    const key = child.attributes.name;
    if (child.name !== "param" && child.name !== "param_list") continue;
    if (!key) throw new XmlInputError(`<${child.name}> in ${name} has no name attribute`);
    // Values are taken verbatim: a secret or path may legitimately start or end with spaces.
    params[key] = child.name === "param" ? child.text : child.children.filter((v) => v.name === "value").map((v) => v.text);
  }
  const stanza: Stanza = { name, params };
  if (el.attributes.app) stanza.app = el.attributes.app;
  return stanza;
}

interface Header {
  serverHost: string;
  serverUri: string;
  sessionKey: string;
  checkpointDir: string;
}

function readHeader(root: XmlElement): Header {
  return {
    serverHost: childText(root, "server_host"),
    serverUri: childText(root, "server_uri"),
    sessionKey: childText(root, "session_key"),
    checkpointDir: childText(root, "checkpoint_dir"),
  };
}

/** Run mode: `<input>` with `<configuration><stanza …>` children. */
export function parseInputDefinition(doc: string): InputDefinition {
  const root = parseXml(doc);
  if (root.name !== "input") throw new XmlInputError(`expected <input>, got <${root.name}>`);
  const config = root.children.find((c) => c.name === "configuration");
  const stanzas = (config?.children ?? []).filter((c) => c.name === "stanza").map(readStanza);
  return { ...readHeader(root), stanzas };
}

/** Validation mode: `<items>` with exactly one `<item>`. */
export function parseValidationDefinition(doc: string): ValidationDefinition {
  const root = parseXml(doc);
  if (root.name !== "items") throw new XmlInputError(`expected <items>, got <${root.name}>`);
  const items = root.children.filter((c) => c.name === "item");
  if (items.length !== 1) throw new XmlInputError(`expected exactly one <item>, got ${items.length}`);
  return { ...readHeader(root), item: readStanza(items[0]) };
}
