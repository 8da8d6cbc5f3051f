// The simulator's default tenant: what `npm start`, the CLI and most tests use. All ids are
// invented for this project.
import type { BacklogOptions, TenantOptions } from "./tenant";

export const DEFAULT_TENANT_ID = "3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c";
export const DEFAULT_TENANT_DOMAIN = "contoso-sim.onmicrosoft.com";
export const DEFAULT_CLIENT_ID = "8d6f2a4b-1c3e-4f5a-9b7c-0e1d2c3b4a59";
export const DEFAULT_CLIENT_SECRET = "sim~Secret.0123456789abcdefghijklmnopqrstu";

/** A tenant's history unless it says otherwise: the last day, 4 blobs/h of 20 records per content type. */
export const DEFAULT_BACKLOG: Readonly<BacklogOptions> = { days: 1, blobsPerHour: 4, recordsPerBlob: 20, seed: 1 };

export function defaultTenant(): TenantOptions {
  return {
    tenantId: DEFAULT_TENANT_ID,
    domains: [DEFAULT_TENANT_DOMAIN],
    clients: [{ clientId: DEFAULT_CLIENT_ID, secret: DEFAULT_CLIENT_SECRET }],
    backlog: { ...DEFAULT_BACKLOG },
  };
}
