// One Splunk event as the XML stream carries it (docs/reference/splunk-platform.md 1.6).
export interface SplunkEvent {
  /** The full stanza name, e.g. defender_o365_activity://contoso. */
  stanza: string;
  /** Epoch seconds; undefined lets Splunk pick the time. */
  time?: number;
  source: string;
  sourcetype: string;
  index?: string;
  host?: string;
  /** The record's JSON text exactly as the API sent it. */
  data: string;
  /** True when data is text JSON.parse accepted (mapped records): it is escaped by escapeJsonText. */
  dataIsJson?: boolean;
}
