// Load (issue 7): 10 tenant inputs x 5 content types, run together on this machine's CPUs,
// each its own process as splunkd runs them (use_single_instance = false). Every input gets
// exactly its own tenant's records. Then the secrets check: no tenant's secret in any event,
// log line, checkpoint file or process argument list.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTENT_TYPES } from "../../src/config/inputConfig";
import { defaultTenant, type TenantOptions } from "../simulator";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";

const TENANTS = 10;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : [p];
  });
}

describe(`load: ${TENANTS} tenants x ${CONTENT_TYPES.length} content types at once`, function () {
  this.timeout(240_000);
  let world: World;
  after(async () => world?.close());

  it("collects every tenant's records exactly once, and leaks no secret", async () => {
    const tenants: TenantOptions[] = Array.from({ length: TENANTS }, (_, i) => {
      const hex = (i + 1).toString(16).padStart(2, "0");
      return {
        ...defaultTenant(),
        tenantId: `${hex}0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b${hex}`,
        clients: [{ clientId: `${hex}6f2a4b-1c3e-4f5a-9b7c-0e1d2c3b4a${hex}`, secret: `load~Secret.${hex}.abcdefghijklmnopqrstuvwxyz0123` }],
        backlog: { days: 1, blobsPerHour: 1, recordsPerBlob: 8, seed: i + 1, contentTypes: [...CONTENT_TYPES] },
      };
    });
    world = await startWorld({ simulator: { tenants } });
    tenants.forEach((t, i) =>
      world.addInput(`tenant${i}`, {
        tenant_id: t.tenantId,
        client_id: t.clients[0].clientId,
        client_secret: t.clients[0].secret!,
        content_types: CONTENT_TYPES.join(","),
        backfill_hours: "30",
      }),
    );
    const argv: string[] = [];
    const started = Date.now();
    const handles = tenants.map((_, i) =>
      world.start(`tenant${i}`, {
        onLog: () => {
          const file = `/proc/${handles?.[i]?.pid}/cmdline`;
          if (argv.length < 100 && fs.existsSync(file)) argv.push(fs.readFileSync(file, "utf8"));
        },
      }),
    );
    const exits = await Promise.all(handles.map((h) => h.exited));
    const seconds = (Date.now() - started) / 1000;
    let total = 0;
    tenants.forEach((t, i) => {
      const h = handles[i];
      assert.equal(exits[i].code, 0, h.logs.map((l) => l.raw).join("\n"));
      assert.deepEqual(repeatedIds(h.events), []);
      const expected = new Set<string>();
      for (const ct of CONTENT_TYPES) for (const id of world.sim.recordIds(t.tenantId, ct)) expected.add(id);
      assert.deepEqual(new Set(h.events.map(eventId)), expected, `tenant${i}`);
      for (const ct of CONTENT_TYPES) {
        assert.ok(h.events.some((e) => e.source === `defender_o365:${t.tenantId}:${ct}`), `tenant${i} ${ct}`);
      }
      total += h.events.length;
    });
    console.log(`      ${TENANTS} inputs, ${total} records in ${seconds.toFixed(1)} s on ${os.cpus().length} CPUs`);

    // Secrets: after all of the above, none in any output.
    const outputs = [
      ...handles.flatMap((h) => [...h.events.map((e) => e.data), ...h.logs.map((l) => l.raw)]),
      ...filesUnder(world.checkpointDir).map((f) => fs.readFileSync(f).toString("latin1")),
      ...filesUnder(path.join(world.splunkd.appDir)).filter((f) => !f.endsWith("passwords.conf")).map((f) => fs.readFileSync(f).toString("latin1")),
      ...argv,
    ];
    assert.ok(argv.length > 0, "process arguments were sampled");
    for (const t of tenants) {
      const secret = t.clients[0].secret!;
      assert.ok(!outputs.some((o) => o.includes(secret)), `a secret of ${t.tenantId} leaked`);
      assert.equal(world.rest.state.inputs.get(`tenant${tenants.indexOf(t)}`)?.client_secret, "********");
    }
  });
});
