// Reads a Dashboard Studio view file (`<dashboard version="2">` with the definition JSON in
// CDATA) and a nav file the way Splunk Web does: as XML, strictly.
import { SaxesParser } from "saxes";

export interface ViewFile {
  version?: string;
  label: string;
  description: string;
  /** the parsed JSON of <definition> */
  definition: Record<string, unknown>;
}

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
}

export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: "#document", attributes: {}, text: "", children: [] };
  const stack: XmlNode[] = [root];
  parser.on("opentag", (tag) => {
    const node: XmlNode = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: "", children: [] };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("text", (t) => void (stack[stack.length - 1].text += t));
  parser.on("cdata", (t) => void (stack[stack.length - 1].text += t));
  parser.write(xml).close();
  if (root.children.length !== 1) throw new Error("an XML document has one root element");
  return root.children[0];
}

export function readView(xml: string): ViewFile {
  const root = parseXml(xml);
  if (root.name !== "dashboard") throw new Error(`root element is <${root.name}>, not <dashboard>`);
  const child = (name: string) => root.children.find((c) => c.name === name);
  const definition = child("definition");
  if (!definition) throw new Error("no <definition>");
  return {
    version: root.attributes.version,
    label: child("label")?.text ?? "",
    description: child("description")?.text ?? "",
    definition: JSON.parse(definition.text) as Record<string, unknown>,
  };
}

export interface NavView {
  name: string;
  isDefault: boolean;
}

/** Every <view name> of a nav file, however deep in <collection>s. */
export function navViews(xml: string): NavView[] {
  const out: NavView[] = [];
  const walk = (node: XmlNode) => {
    if (node.name === "view" && node.attributes.name) out.push({ name: node.attributes.name, isDefault: node.attributes.default === "true" });
    node.children.forEach(walk);
  };
  const root = parseXml(xml);
  if (root.name !== "nav") throw new Error(`root element is <${root.name}>, not <nav>`);
  walk(root);
  return out;
}
