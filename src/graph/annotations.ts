// auditData as the Activity API would have delivered it (design: Graph records are written
// without Graph's OData annotations; docs/reference/graph-audit-query.md 4.2): every member whose
// key is an OData annotation (`@odata.type`, or `<Field>@odata.type`, at any depth) is removed;
// every other key, value and their order stay exactly as Graph sent them. Pure.
import { elements, JsonTextError, MAX_DEPTH, members, valueEnd } from "./jsonText";

/**
 * OData JSON control information (OData JSON Format 4.01, section 4.5,
 * https://docs.oasis-open.org/odata/odata-json-format/v4.01/odata-json-format-v4.01.html): only
 * these terms, so that a record key such as "admin@odata.com" is never taken for one.
 */
const CONTROL_TERMS = new Set([
  "type", "context", "id", "etag", "editLink", "readLink", "nextLink", "deltaLink", "count",
  "navigationLink", "associationLink", "mediaEditLink", "mediaReadLink", "mediaContentType", "mediaEtag", "metadataEtag",
]);

/** `@odata.<term>` (e.g. `@odata.type`) or `<Field>@odata.<term>`: annotations, not record data. */
export function isODataAnnotation(key: string): boolean {
  const at = key.lastIndexOf("@odata.");
  return at >= 0 && !key.slice(0, at).includes("@") && CONTROL_TERMS.has(key.slice(at + "@odata.".length));
}

function strip(raw: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new JsonTextError(`nesting deeper than ${MAX_DEPTH}`, 0);
  const c = raw[0];
  if (c === "{") {
    const kept = members(raw).filter((m) => !isODataAnnotation(m.key));
    return `{${kept.map((m) => `${m.rawKey}:${strip(m.raw, depth + 1)}`).join(",")}}`;
  }
  if (c === "[") return `[${elements(raw).map((e) => strip(e, depth + 1)).join(",")}]`;
  return raw;
}

/** The JSON text without OData annotations. Throws JsonTextError when it is not JSON. */
export function stripODataAnnotations(jsonText: string): string {
  const text = jsonText.trim();
  // Objects and arrays are checked whole by members()/elements(); a bare value is checked here.
  if (text[0] !== "{" && text[0] !== "[" && valueEnd(text, 0) !== text.length) throw new JsonTextError("text after the value", 0);
  return strip(text, 0);
}
