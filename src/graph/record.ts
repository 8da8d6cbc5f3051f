// One Graph record -> one Splunk event, as the Activity API record would have been mapped
// (src/collector/mapper.ts): annotations removed (./annotations.ts), the content type derived
// from the record (./contentType.ts), same sourcetype, time (Graph's CreationTime has a Z),
// source and Id. Pure.
import type { ContentType } from "../config/inputConfig";
import { mapRecord, type MapContext, type MapResult } from "../collector/mapper";
import { stripODataAnnotations } from "./annotations";
import { contentTypeOfRecord } from "./contentType";
import { JsonTextError } from "./jsonText";
import type { GraphRecord } from "./types";

export type GraphMapResult = (MapResult & { contentType: ContentType; text: string }) | { kind: "other_content_type"; contentType: ContentType };

export function mapGraphRecord(record: GraphRecord, ctx: Omit<MapContext, "contentType">, contentTypes: ReadonlySet<string>): GraphMapResult {
  let text: string;
  let parsed: Record<string, unknown>;
  try {
    text = stripODataAnnotations(record.auditDataText);
    // The scanner finds where strings end without decoding them: an escape JSON lacks ("\q")
    // is refused only here, and is the record not being JSON all the same.
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof JsonTextError) && !(err instanceof SyntaxError)) throw err;
    return { kind: "invalid", reason: `auditData of record ${record.id} is not JSON: ${err.message}`, contentType: "Audit.General", text: record.auditDataText };
  }
  const contentType = contentTypeOfRecord(parsed);
  if (!contentTypes.has(contentType)) return { kind: "other_content_type", contentType };
  return { ...mapRecord(text, { ...ctx, contentType }), contentType, text };
}
