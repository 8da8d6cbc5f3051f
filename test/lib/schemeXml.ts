// Reads a modular input scheme document with saxes (a strict XML parser from npm), not with the
// product's own XML reader, so scheme tests do not check our writer with our parser.
import { SaxesParser } from "saxes";

export interface ArgXml {
  name: string;
  children: Record<string, string>;
}

/** Reads the scheme with a strict parser into its top-level values and args. */
export function readScheme(xml: string): { top: Record<string, string>; args: ArgXml[] } {
  const parser = new SaxesParser();
  const top: Record<string, string> = {};
  const args: ArgXml[] = [];
  const stack: string[] = [];
  let text = "";
  parser.on("error", (e) => {
    throw e;
  });
  parser.on("opentag", (t) => {
    stack.push(t.name);
    text = "";
    if (t.name === "arg") args.push({ name: String(t.attributes.name), children: {} });
  });
  parser.on("text", (t) => (text += t));
  parser.on("closetag", (t) => {
    stack.pop();
    if (stack.at(-1) === "scheme") top[t.name] = text;
    if (stack.at(-1) === "arg") args[args.length - 1].children[t.name] = text;
    text = "";
  });
  parser.write(xml).close();
  return { top, args };
}
