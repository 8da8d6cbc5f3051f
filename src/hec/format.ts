// SplunkEvent -> HEC JSON event protocol (docs/reference/hec.md 1.2, 1.3). Pure.
// `event` is the record's JSON text as a JSON string, so the indexed _raw is byte for byte what
// the API sent; time/host/source/sourcetype/index are those the mapper set, as on the XML stream.
import type { SplunkEvent } from "../splunk/event";
import { formatTime } from "../splunk/eventWriter";

/** The metadata part of one event object, without the closing `event` member. */
function header(e: SplunkEvent, defaultIndex: string | undefined): string {
  const parts: string[] = [];
  // formatTime keeps the XML stream's precision (ms), written as a JSON number.
  if (e.time !== undefined && Number.isFinite(e.time)) parts.push(`"time":${formatTime(e.time)}`);
  if (e.host) parts.push(`"host":${JSON.stringify(e.host)}`);
  parts.push(`"source":${JSON.stringify(e.source)}`, `"sourcetype":${JSON.stringify(e.sourcetype)}`);
  const index = e.index ?? defaultIndex;
  if (index) parts.push(`"index":${JSON.stringify(index)}`);
  return parts.join(",");
}

/** One HEC event object. JSON.stringify escapes lone surrogates, so the body is always valid JSON. */
export function formatHecEvent(e: SplunkEvent, defaultIndex?: string): string {
  return `{${header(e, defaultIndex)},"event":${JSON.stringify(e.data)}}`;
}

/** A request body: event objects one per line (HEC reads concatenated objects). */
export function formatHecBody(events: readonly SplunkEvent[], defaultIndex?: string): string {
  return events.map((e) => formatHecEvent(e, defaultIndex)).join("\n");
}
