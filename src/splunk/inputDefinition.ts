// The XML documents splunkd writes to a modular input's stdin (docs/reference/splunk-platform.md
// 1.4 and 1.5). Parsing lives in src/splunk/xmlInput.ts; these are the shapes.

export type ParamValue = string | string[];

export interface Stanza {
  /** Full stanza name: `defender_o365_activity://<name>` (run mode) or the item name (validation). */
  name: string;
  /** The `app` attribute splunkd puts on run-mode stanzas. */
  app?: string;
  /** `<param>` values as strings, `<param_list>` values as arrays. */
  params: Record<string, ParamValue>;
}

export interface InputDefinition {
  serverHost: string;
  serverUri: string;
  sessionKey: string;
  checkpointDir: string;
  stanzas: Stanza[];
}

export interface ValidationDefinition {
  serverHost: string;
  serverUri: string;
  sessionKey: string;
  checkpointDir: string;
  item: Stanza;
}
