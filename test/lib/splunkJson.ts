// Splunk's search-time JSON extraction (KV_MODE = json): nested keys joined with `.`,
// array levels marked `{}` (e.g. `AttachmentData{}.FileName`), every value a string, a field
// that occurs several times becomes multivalue.

export type FieldValues = Map<string, string[]>;

function add(fields: FieldValues, name: string, value: string): void {
  const list = fields.get(name);
  if (list) list.push(value);
  else fields.set(name, [value]);
}

function walk(value: unknown, path: string, fields: FieldValues): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, `${path}{}`, fields);
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key, fields);
  } else if (path) {
    add(fields, path, value === null ? "null" : String(value));
  }
}

export function flattenJson(record: unknown): FieldValues {
  const fields: FieldValues = new Map();
  walk(record, "", fields);
  return fields;
}

/** Where each leaf value of a JSON text ends (character offset), in document order. */
interface Leaf {
  path: string;
  value: string;
  end: number;
}

function leaves(text: string): Leaf[] {
  const out: Leaf[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // :
        value(path ? `${path}.${key}` : key);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(`${path}{}`);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') {
      const v = str();
      if (path) out.push({ path, value: v, end: i });
      return;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 40));
    if (!m) throw new Error(`not JSON at ${i}`);
    i += m[0].length;
    if (path) out.push({ path, value: m[0] === "null" ? "null" : String(JSON.parse(m[0])), end: i });
  };
  value("");
  return out;
}

/**
 * KV_MODE = json under Splunk's auto-KV limits: only values that end within the first
 * `maxChars` characters of the event, and no more than `maxFields` distinct field names.
 */
export function flattenJsonWithin(raw: string, maxChars: number, maxFields: number): FieldValues {
  const fields: FieldValues = new Map();
  for (const leaf of leaves(raw)) {
    if (leaf.end > maxChars) break;
    if (!fields.has(leaf.path) && fields.size >= maxFields) continue;
    add(fields, leaf.path, leaf.value);
  }
  return fields;
}
