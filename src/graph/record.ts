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
  try {
    text = stripODataAnnotations(record.auditDataText);
  } catch (err) {
    if (!(err instanceof JsonTextError)) throw err;
    return { kind: "invalid", reason: `auditData of record ${record.id} is not JSON: ${err.message}`, contentType: "Audit.General", text: record.auditDataText };
  }
  // The stripped text is an object (it came from one), so JSON.parse cannot fail here.
  const contentType = contentTypeOfRecord(JSON.parse(text) as Record<string, unknown>);
  if (!contentTypes.has(contentType)) return { kind: "other_content_type", contentType };
  return { ...mapRecord(text, { ...ctx, contentType }), contentType, text };
}
