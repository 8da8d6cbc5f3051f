// --check: every connection of a valid config (Entra ID token and Activity API per input, then
// HEC), one line per problem saying what to fix.
import { testConnection } from "../connectionCheck";
import { checkHec } from "../hec/check";
import { createTransport } from "../hec/transport";
import type { Logger } from "../splunk/logger";
import type { StandaloneConfig } from "./config";

export async function checkConnections(config: StandaloneConfig, logger: Logger): Promise<string[]> {
  const problems: string[] = [];
  for (const { config: input, secrets } of config.inputs) {
    const problem = await testConnection(input, secrets, { logger });
    if (problem) problems.push(`input ${input.name}: ${problem}`);
  }
  const { url, token, ca, ack } = config.hec;
  const hec = await checkHec((channel) => createTransport({ url, token, channel, ca }), ack, url);
  if (hec) problems.push(`hec: ${hec}`);
  return problems;
}
