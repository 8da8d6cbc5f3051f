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
