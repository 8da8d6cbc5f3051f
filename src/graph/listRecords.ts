// Transaction 3: page the records of a succeeded query (GET .../queries/{id}/records, then every
// `@odata.nextLink` as given; docs/reference/graph-audit-query.md 1.5). Each page is read as
// text: auditData is kept as the raw JSON Graph sent (src/graph/jsonText.ts) so nothing in it
// is reordered or rounded before the annotations come off.
import { GraphError } from "./errors";
import { recordsUrl } from "./endpoints";
import type { GraphHttp } from "./http";
import { elements, JsonTextError, members } from "./jsonText";
import type { GraphRecord, GraphVersion, RecordsPage } from "./types";

export function firstRecordsUrl(origin: string, version: GraphVersion, queryId: string): string {
  return recordsUrl(origin, version, queryId);
}

/** One page's records and next link. Throws GraphError (transient) on a body of another shape. */
export function parseRecordsPage(text: string): RecordsPage {
  const fail = (why: string): never => {
    throw new GraphError(`Graph list records: ${why}: ${text.slice(0, 200) || "(empty body)"}`, "transient", 200);
  };
  try {
    const top = members(text);
    const value = top.find((m) => m.key === "value");
    if (!value || value.raw[0] !== "[") return fail("no value array");
    const link = top.find((m) => m.key === "@odata.nextLink");
    const nextLink = link ? (JSON.parse(link.raw) as unknown) : undefined;
    if (nextLink !== undefined && (typeof nextLink !== "string" || nextLink === "")) return fail("@odata.nextLink is not a URL");
    const records: GraphRecord[] = elements(value.raw).map((element) => {
      if (element[0] !== "{") return fail("a record is not an object");
      const fields = members(element);
      const id = fields.find((m) => m.key === "id");
      const auditData = fields.find((m) => m.key === "auditData");
      if (!auditData || auditData.raw[0] !== "{") return fail("a record has no auditData object");
      const idValue = id ? (JSON.parse(id.raw) as unknown) : undefined;
      return { id: typeof idValue === "string" ? idValue : "", auditDataText: auditData.raw };
    });
    return nextLink === undefined ? { records } : { records, nextLink: nextLink as string };
  } catch (err) {
    if (err instanceof JsonTextError) return fail(`the body is not JSON (${err.message})`);
    throw err;
  }
}

/** Reads one page (first or next link). */
export async function readRecordsPage(http: GraphHttp, url: string): Promise<RecordsPage> {
  const answer = await http.call("list records", "GET", url);
  return parseRecordsPage(answer.text);
}
