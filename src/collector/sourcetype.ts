// Sourcetype by RecordType (docs/collector.md, "Events"). Record types outside the table keep the
// Splunk Add-on for Microsoft Office 365's sourcetype so existing content keeps working.

export const DEFAULT_SOURCETYPE = "o365:management:activity";

const BY_RECORD_TYPE: ReadonlyMap<number, string> = new Map([
  [28, "o365:defender:email"],
  [41, "o365:defender:urlclick"],
  [47, "o365:defender:file"],
  [64, "o365:defender:air"],
  [86, "o365:defender:air"],
  [89, "o365:defender:air"],
  [65, "o365:defender:quarantine"],
  [29, "o365:defender:submission"],
  [40, "o365:defender:alert"],
  [85, "o365:defender:attacksim"],
  [88, "o365:defender:attacksim"],
  [218, "o365:defender:attacksim"],
]);

/** Every sourcetype the input writes. */
export const SOURCETYPES: readonly string[] = [...new Set([...BY_RECORD_TYPE.values(), DEFAULT_SOURCETYPE])];

/**
 * Reads RecordType as the API sends it: a number, or (in some sources) a numeric string.
 * Returns undefined when it is neither.
 */
export function recordTypeNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

export function sourcetypeFor(recordType: unknown): string {
  const n = recordTypeNumber(recordType);
  return (n !== undefined && BY_RECORD_TYPE.get(n)) || DEFAULT_SOURCETYPE;
}

/** Records that are not JSON objects, written as their bytes as received (docs/collector.md). */
export const UNPARSED_SOURCETYPE = "defender_o365:unparsed";
