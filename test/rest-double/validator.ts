// What splunkd does when an input of a scheme with `use_external_validation` is created or
// edited through REST (docs/reference/splunk-platform.md 1.4, "Set up external validation"): it runs
// `<launcher> --validate-arguments` with one `<items>` document (the requester's session key in
// it) and, when the program exits non-zero, refuses the change and returns the program's
// `<error><message>` text to the caller.
import type { Splunkd } from "../harness/splunkd";

export interface ValidationRequest {
  /** Input name (the `<item name>`), without the scheme. */
  name: string;
  params: Record<string, string>;
  serverUri: string;
  /** The caller's session key: splunkd hands the validating program the requester's key. */
  sessionKey: string;
}

/** Resolves to splunkd's error text, or undefined when the program accepted the item. */
export type Validator = (request: ValidationRequest) => Promise<string | undefined>;

/** Runs the installed app's launcher through the splunkd harness (test/harness/splunkd.ts). */
export function harnessValidator(splunkd: Splunkd, env: Record<string, string | undefined> = {}): Validator {
  return async ({ name, params, serverUri, sessionKey }) => {
    const result = await splunkd.runValidate(params, { name, serverUri, sessionKey, env });
    if (result.code === 0) return undefined;
    const stderr = result.logs.map((l) => l.raw).join(" | ").slice(-300);
    return result.error ?? `Validation failed: the script exited with code ${result.code} (${stderr})`;
  };
}
