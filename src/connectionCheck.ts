// Connection test run by --validate-arguments once the static checks pass (splunkd shows its
// message to whoever created or edited the input). Implemented in the configuration work.
import type { InputConfig } from "./config";
import type { ValidationDefinition } from "./splunk/inputDefinition";

/** Returns an error message for Splunk Web, or undefined when the connection works. */
export async function checkConnection(_def: ValidationDefinition, _config: InputConfig): Promise<string | undefined> {
  return undefined;
}
