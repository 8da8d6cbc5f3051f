// Starts the Management Activity API simulator for manual use and prints how to reach it.
//   npx tsx scripts/simulator.ts [--port N] [--days D] [--blobs-per-hour N] [--records-per-blob N]
//                                [--seed N] [--page-size N]
// Stops on Ctrl-C / SIGTERM.
import { parseArgs } from "node:util";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, defaultTenant, startSimulator } from "../test/simulator";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      days: { type: "string", default: "1" },
      "blobs-per-hour": { type: "string", default: "4" },
      "records-per-blob": { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
      "page-size": { type: "string", default: "100" },
    },
  });
  const num = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const tenant = defaultTenant();
  tenant.backlog = { days: num("days"), blobsPerHour: num("blobs-per-hour"), recordsPerBlob: num("records-per-blob"), seed: num("seed") };
  const sim = await startSimulator({ port: num("port"), pageSize: num("page-size"), tenants: [tenant] });
  const lines = [
    `Simulator listening on ${sim.url}`,
    `  api_url = authority_url = ${sim.url}`,
    `  NODE_EXTRA_CA_CERTS=${sim.caFile}`,
    `  tenant_id     ${DEFAULT_TENANT_ID} (domain ${DEFAULT_TENANT_DOMAIN})`,
    `  client_id     ${DEFAULT_CLIENT_ID}`,
    `  client_secret ${DEFAULT_CLIENT_SECRET}`,
    `  token:   POST ${sim.url}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token (scope ${sim.url}/.default)`,
    `  content: GET  ${sim.url}/api/v1.0/${DEFAULT_TENANT_ID}/activity/feed/subscriptions/content?contentType=Audit.General`,
    "Press Ctrl-C to stop.",
  ];
  process.stdout.write(lines.join("\n") + "\n");
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`ERROR ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
