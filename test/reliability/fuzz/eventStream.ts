// Reads a modular input's XML event stream back the way splunkd does: as XML 1.0 with a strict
// parser (saxes reports every well-formedness error, forbidden characters included). The stream
// must be `<stream>` holding only `<event>` elements whose children are the documented ones
// (reference/splunk-platform.md 1.6); anything else means the stream was broken or forged.
import { SaxesParser } from "saxes";

export interface StreamEvent {
  stanza: string;
  unbroken: string;
  time?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  host?: string;
  data?: string;
  done: boolean;
}

const FIELDS = ["time", "source", "sourcetype", "index", "host", "data"] as const;
type Field = (typeof FIELDS)[number];
const isField = (name: string): name is Field => (FIELDS as readonly string[]).includes(name);

/** Throws on any XML error or unexpected element; returns the events in order. */
export function parseEventStream(xml: string): StreamEvent[] {
  const parser = new SaxesParser({ position: true });
  const events: StreamEvent[] = [];
  const path: string[] = [];
  let current: StreamEvent | undefined;
  let text = "";
  let failure: Error | undefined;
  const fail = (message: string): void => {
    failure ??= new Error(`${message} (line ${parser.line}, column ${parser.column})`);
  };

  parser.on("error", (err) => fail(err.message));
  parser.on("opentag", (tag) => {
    const parent = path[path.length - 1];
    path.push(tag.name);
    if (parent === undefined) {
      if (tag.name !== "stream") fail(`root element <${tag.name}> is not <stream>`);
    } else if (parent === "stream") {
      if (tag.name !== "event") return fail(`<${tag.name}> inside <stream>`);
      const attrs = tag.attributes as Record<string, string>;
      current = { stanza: attrs.stanza, unbroken: attrs.unbroken, done: false };
      events.push(current);
    } else if (parent === "event" && current) {
      if (tag.name === "done") current.done = true;
      else if (!isField(tag.name)) fail(`<${tag.name}> inside <event>`);
      else if (current[tag.name] !== undefined) fail(`second <${tag.name}> in one event`);
      text = "";
    } else fail(`<${tag.name}> inside <${parent}>`);
  });
  const onText = (t: string): void => {
    if (path[path.length - 2] === "event") text += t;
    else if (t.trim() !== "") fail(`text ${JSON.stringify(t.slice(0, 40))} outside an event field`);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", (tag) => {
    path.pop();
    if (current && isField(tag.name) && path[path.length - 1] === "event") current[tag.name] = text;
  });
  parser.write(xml).close();
  if (failure) throw failure;
  if (events.length > 0 && path.length !== 0) throw new Error("stream not closed");
  return events;
}
