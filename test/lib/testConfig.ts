// One InputConfig for tests: what the product's parser makes of a minimal stanza, so every
// default follows src/config/parse.ts, with the fields a test cares about set over it.
import type { InputConfig } from "../../src/config/inputConfig";
import { parseConfig } from "../../src/config/parse";

export const TEST_TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const TEST_CLIENT_ID = "22222222-3333-4444-5555-666666666666";

/** Input `contoso` of tenant TEST_TENANT_ID, no credential, every other setting at its default. */
export function testConfig(over: Partial<InputConfig> = {}): InputConfig {
  const name = over.name ?? "contoso";
  const { config, errors } = parseConfig(
    {
      name: `defender_o365_activity://${name}`,
      params: { tenant_id: over.tenantId ?? TEST_TENANT_ID, client_id: over.clientId ?? TEST_CLIENT_ID },
    },
    { requireSecret: false },
  );
  if (!config) throw new Error(`testConfig: ${errors.join("; ")}`);
  return { ...config, ...over };
}
