// Secrets of one input, kept in splunkd's storage/passwords (realm `defender_o365`,
// username = input name; see design.md section 2). Implemented in the configuration work;
// until then run mode only accepts clear values given in the stanza.
import type { InputConfig } from "../config";
import type { InputDefinition } from "./inputDefinition";
import type { Logger } from "./logger";

export interface Secrets {
  clientSecret?: string;
  certificatePassword?: string;
  proxyPassword?: string;
}

export async function resolveSecrets(_def: InputDefinition, config: InputConfig, _logger: Logger): Promise<Secrets> {
  return { clientSecret: config.clientSecret };
}
