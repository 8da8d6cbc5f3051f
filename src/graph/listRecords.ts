// Transaction 3: page the records of a succeeded query (GET .../queries/{id}/records, then every
// `@odata.nextLink` as given; docs/reference/graph-audit-query.md 1.5). Each page is read as
// text: auditData is kept as the raw JSON Graph sent (src/graph/jsonText.ts) so nothing in it
// is reordered or rounded before the annotations come off.
import { GraphError } from "./errors";
import { recordsUrl } from "./endpoints";
import type { GraphHttp } from "./http";
import { decodeScalar, elements, JsonTextError, members } from "./jsonText";
import type { GraphRecord, GraphVersion, RecordsPage } from "./types";

export function firstRecordsUrl(origin: string, version: GraphVersion, queryId: string): string {
  return recordsUrl(origin, version, queryId);
}

/**
 * One page's records and next link. Throws GraphError page_unreadable on a body that is not
 * JSON (a bad escape outside auditData included) or of another shape: Graph answered 200, so
 * reading it again in this run would read the same bytes.
 */
export function parseRecordsPage(text: string): RecordsPage {
  const fail = (why: string): never => {
    throw new GraphError(`Graph list records: ${why}: ${text.slice(0, 200) || "(empty body)"}`, "page_unreadable", 200);
  };
  const top = scanned(() => members(text), (why) => fail(`the body is ${why}`));
  const value = top.find((m) => m.key === "value");
  if (!value || value.raw[0] !== "[") return fail("no value array");
  const link = top.find((m) => m.key === "@odata.nextLink");
  const nextLink = link ? scanned(() => decodeScalar(link.raw, link.at), (why) => fail(`@odata.nextLink is ${why}`)) : undefined;
  if (nextLink !== undefined && (typeof nextLink !== "string" || nextLink === "")) return fail("@odata.nextLink is not a URL");
  const records = scanned(() => elements(value.raw), (why) => fail(`the value array is ${why}`)).map((element, n): GraphRecord => {
    // Offsets here are in the record's own text, which the message names by its place.
    const failRecord = (why: string): never => fail(`record ${n + 1} of the page ${why}`);
    if (element[0] !== "{") return failRecord("is not an object");
    const fields = scanned(() => members(element), (why) => failRecord(`is ${why}`));
    const id = fields.find((m) => m.key === "id");
    const auditData = fields.find((m) => m.key === "auditData");
    if (!auditData || auditData.raw[0] !== "{") return failRecord("has no auditData object");
    const idValue = id ? scanned(() => decodeScalar(id.raw, id.at), (why) => failRecord(`has an id that is ${why}`)) : undefined;
    return { id: typeof idValue === "string" ? idValue : "", auditDataText: auditData.raw };
  });
  return nextLink === undefined ? { records } : { records, nextLink: nextLink as string };
}

/** `read()`, with text that is not JSON (a bad escape included) handed to `fail`. */
function scanned<T>(read: () => T, fail: (why: string) => never): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof JsonTextError) return fail(`not JSON (${err.message})`);
    throw err;
  }
}

/** Reads one page (first or next link). */
export async function readRecordsPage(http: GraphHttp, url: string): Promise<RecordsPage> {
  const answer = await http.call("list records", "GET", url);
  return parseRecordsPage(answer.text);
}
