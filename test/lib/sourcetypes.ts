// The sourcetype contract as the README's table states it, written out for tests: a test that
// takes its expectation from src/collector/sourcetype.ts could not see that table change.

export const EXPECTED_SOURCETYPE: Readonly<Record<number, string>> = {
  28: "o365:defender:email",
  41: "o365:defender:urlclick",
  47: "o365:defender:file",
  64: "o365:defender:air",
  86: "o365:defender:air",
  89: "o365:defender:air",
  40: "o365:defender:alert",
  65: "o365:defender:quarantine",
  29: "o365:defender:submission",
  85: "o365:defender:attacksim",
  88: "o365:defender:attacksim",
  218: "o365:defender:attacksim",
};

/** The sourcetype a record with this RecordType (a number, or a numeric string) must get. */
export function expectedSourcetype(recordType: unknown): string {
  const n = typeof recordType === "string" && /^\d+$/.test(recordType) ? Number(recordType) : recordType;
  if (typeof n !== "number") return "o365:management:activity";
  return EXPECTED_SOURCETYPE[n] ?? "o365:management:activity";
}
