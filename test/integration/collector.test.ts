// The packaged input collecting from the simulator through the splunkd harness, as splunkd
// runs it: exactly once across runs with late, duplicated and re-listed content; real records
// delivered untouched; certificate auth; several tenants side by side; SIGTERM.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { DEFAULT_TENANT_ID, createClientCertificate, defaultTenant, startProxy, type AuditRecord } from "../simulator";
import type { StreamEvent } from "../harness/eventStream";
import { eventId, repeatedIds, startWorld, type World } from "../lib/world";
import { expectedSourcetype } from "../lib/sourcetypes";

const HOUR = 3_600_000;

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** Epoch seconds of every CreationTime in test/fixtures/real (UTC, written out by hand). */
const FIXTURE_TIMES: Readonly<Record<string, number>> = {
  "2020-02-07T20:48:04": 1581108484,
  "2020-02-07T20:48:43": 1581108523,
  "2020-02-07T20:48:58": 1581108538,
  "2020-02-07T20:49:03": 1581108543,
  "2020-02-07T20:49:20": 1581108560,
  "2020-02-07T20:49:34": 1581108574,
  "2020-02-07T20:49:49": 1581108589,
  "2020-02-10T07:37:09": 1581320229,
  "2020-02-10T07:37:13": 1581320233,
  "2020-02-10T07:37:14": 1581320234,
  "2020-02-10T07:37:17": 1581320237,
  "2020-02-14T19:00:00": 1581706800,
  "2020-02-24T20:11:15": 1582575075,
  "2021-12-31T23:59:59": 1640995199,
  "2022-12-31T23:59:59": 1672531199,
  "2023-07-04T11:12:56": 1688469176,
  "2023-07-04T11:13:28": 1688469208,
  "2023-07-04T11:14:53": 1688469293,
  "2023-07-04T11:15:25": 1688469325,
  "2023-07-04T11:16:04": 1688469364,
  "2023-07-04T11:16:59": 1688469419,
  "2023-07-04T11:20:20": 1688469620,
  "2023-07-04T11:33:49": 1688470429,
  "2023-07-04T11:36:13": 1688470573,
  "2023-07-04T11:37:30": 1688470650,
  "2023-07-06T10:23:26": 1688639006,
  "2023-12-31T23:59:59": 1704067199,
  "2024-01-30T14:23:40": 1706624620,
  "2024-01-30T14:23:41": 1706624621,
  "2024-12-31T23:59:59": 1735689599,
  "2025-06-03T08:10:44": 1748938244,
};

interface FixtureLine {
  text: string;
  record: AuditRecord;
  origin: string;
}

function fixtureLines(dir: string): FixtureLine[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), "utf8")
        .split("\n")
        .map((text, i) => ({ text, origin: `${f}:${i + 1}` }))
        .filter(({ text }) => text.trim() !== "")
        .map(({ text, origin }) => ({ text, origin, record: JSON.parse(text) as AuditRecord })),
    );
}

describe("collection end to end (packaged app, splunkd harness, simulator)", function () {
  this.timeout(120_000);
  let world: World;

  afterEach(async () => world?.close());

  it("writes every record exactly once over three runs with late, duplicated and re-listed content", async () => {
    world = await startWorld();
    world.addInput("contoso");
    const all: StreamEvent[] = [];
    const tenant = DEFAULT_TENANT_ID;

    const r1 = await world.run("contoso");
    assert.equal(r1.code, 0, r1.logs.map((l) => l.raw).join("\n"));
    all.push(...r1.events);
    assert.ok(r1.events.length > 0);

    // Between runs the service publishes new content, a blob that surfaces late for an earlier
    // window, the same record in two blobs, and records already delivered in a new blob.
    const known = [...world.sim.records(tenant, "Audit.General").values()];
    const now = world.sim.now();
    const fresh = (n: number): AuditRecord[] =>
      known.slice(0, n).map((r, i) => ({ ...r, Id: `a0000000-0000-4000-8000-${String(Date.now() % 1e6).padStart(6, "0")}${String(i).padStart(6, "0")}` }));
    const recent = { contentCreated: new Date(now - 5 * 60_000) }; // past the collector's 60 s lag
    const renamed = (records: AuditRecord[], prefix: string): AuditRecord[] => records.map((r) => ({ ...r, Id: prefix + String(r.Id).slice(1) }));
    world.sim.publish(tenant, "Audit.General", fresh(5), recent);
    world.sim.publish(tenant, "Audit.General", renamed(fresh(3), "b"), { contentCreated: new Date(now - 0.5 * HOUR) });
    world.sim.publish(tenant, "Audit.General", renamed(fresh(2), "c"), { ...recent, duplicate: true });
    world.sim.publish(tenant, "Audit.General", known.slice(0, 4), recent);
    const r2 = await world.run("contoso");
    assert.equal(r2.code, 0);
    all.push(...r2.events);
    assert.match(r2.logs.map((l) => l.raw).join("\n"), /run_summary .*duplicates_dropped=[1-9]/);

    world.sim.publish(tenant, "Audit.General", renamed(fresh(4), "d"), { contentCreated: new Date(now - 0.2 * HOUR) });
    const r3 = await world.run("contoso");
    assert.equal(r3.code, 0);
    all.push(...r3.events);

    assert.deepEqual(repeatedIds(all), []);
    const expected = world.sim.records(tenant, "Audit.General");
    assert.deepEqual(new Set(all.map(eventId)), new Set(expected.keys()));
    assert.deepEqual(
      countBy(all, (e) => e.sourcetype ?? ""),
      countBy([...expected.values()], (r) => expectedSourcetype(r.RecordType)),
    );
    for (const e of all) {
      const record = expected.get(eventId(e))!;
      assert.equal(e.data, JSON.stringify(record), "the record's text as the service sent it");
      assert.equal(e.source, `defender_o365:${tenant}:Audit.General`);
      assert.equal(e.stanza, "defender_o365_activity://contoso");
    }
  });

  it("delivers real records byte for byte, with the README's sourcetype and their CreationTime", async () => {
    const lines = fixtureLines(path.join(__dirname, "..", "fixtures", "real"));
    // The simulator serves JSON.stringify of what it is given: the fixtures' bytes when each line
    // is written that way already.
    for (const l of lines) assert.equal(JSON.stringify(l.record), l.text, `${l.origin} is not in the form the simulator sends`);
    // Real fixtures reuse placeholder Ids and an input writes an Id once by design: the n-th
    // line with a given Id goes to tenant n, which its own input collects.
    const groups: FixtureLine[][] = [];
    const seen = new Map<string, number>();
    for (const l of lines) {
      const n = seen.get(String(l.record.Id)) ?? 0;
      seen.set(String(l.record.Id), n + 1);
      (groups[n] ??= []).push(l);
    }
    const tenantId = (n: number): string => `00000000-0000-4000-8000-${String(n + 1).padStart(12, "0")}`;
    world = await startWorld({
      simulator: {
        tenants: groups.map((_, n) => ({ ...defaultTenant(), tenantId: tenantId(n), domains: [`fixtures${n}.example`], backlog: false, subscriptions: ["Audit.General"] })),
      },
    });
    for (const [n, group] of groups.entries()) {
      world.sim.publish(tenantId(n), "Audit.General", group.map((l) => l.record), { contentCreated: new Date(world.sim.now() - HOUR) });
      world.addInput(`real${n}`, { tenant_id: tenantId(n) });
      const r = await world.run(`real${n}`);
      assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
      assert.equal(r.events.length, group.length, `tenant ${n}: one event per line`);
      const byId = new Map(group.map((l) => [String(l.record.Id), l]));
      for (const e of r.events) {
        const line = byId.get(eventId(e));
        assert.ok(line, `tenant ${n}: an event no line holds`);
        assert.equal(e.data, line.text, `${line.origin}: <data> is not the line's bytes`);
        assert.equal(e.sourcetype, expectedSourcetype(line.record.RecordType), `${line.origin}: sourcetype`);
        assert.equal(e.time, FIXTURE_TIMES[String(line.record.CreationTime)], `${line.origin}: time`);
      }
    }
  });

  it("authenticates with a certificate", async () => {
    const cert = createClientCertificate("defender-o365-test");
    const clientId = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const tenant = { ...defaultTenant(), clients: [{ clientId, certificatePem: cert.certPem }] };
    world = await startWorld({ simulator: { tenants: [tenant] } });
    const pem = path.join(world.splunkd.splunkHome, "client.pem");
    fs.writeFileSync(pem, cert.certPem + cert.keyPem, { mode: 0o600 });
    world.addInput("cert", { client_id: clientId, client_secret: "", certificate_path: pem });
    const r = await world.run("cert");
    assert.equal(r.code, 0, r.logs.map((l) => l.raw).join("\n"));
    assert.equal(r.events.length, world.sim.records(DEFAULT_TENANT_ID, "Audit.General").size);
  });

  it("masks the certificate and proxy passwords on the first run and uses the stored ones after", async () => {
    const cert = createClientCertificate("defender-o365-encrypted");
    const clientId = "6b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    world = await startWorld({ simulator: { tenants: [{ ...defaultTenant(), clients: [{ clientId, certificatePem: cert.certPem }] }] } });
    const proxy = await startProxy({ credentials: { user: "collector", password: "proxy-Pass-1" } });
    try {
      const pem = path.join(world.splunkd.splunkHome, "encrypted.pem");
      const encrypted = crypto.createPrivateKey(cert.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "key-Pass-1" });
      fs.writeFileSync(pem, cert.certPem + encrypted.toString(), { mode: 0o600 });
      const proxyUrl = proxy.url.replace("http://", "http://collector@");
      world.addInput("guarded", {
        client_id: clientId,
        client_secret: "",
        certificate_path: pem,
        certificate_password: "key-Pass-1",
        proxy_url: proxyUrl,
        proxy_password: "proxy-Pass-1",
      });
      const first = await world.run("guarded");
      assert.equal(first.code, 0, first.logs.map((l) => l.raw).join("\n"));
      assert.ok(first.events.length > 0);
      const stanza = world.rest.state.inputs.get("guarded")!;
      assert.equal(stanza.certificate_password, "********");
      assert.equal(stanza.proxy_password, "********");
      assert.equal(world.rest.state.passwords.get("defender_o365:guarded#certificate_password:")?.password, "key-Pass-1");
      assert.equal(world.rest.state.passwords.get("defender_o365:guarded#proxy_password:")?.password, "proxy-Pass-1");
      const template = JSON.parse(first.events[0].data) as AuditRecord;
      world.sim.publish(DEFAULT_TENANT_ID, "Audit.General", [{ ...template, Id: "e0000000-0000-4000-8000-000000000001" }], {
        contentCreated: new Date(world.sim.now() - 5 * 60_000),
      });
      const second = await world.run("guarded");
      assert.equal(second.code, 0, second.logs.map((l) => l.raw).join("\n"));
      assert.deepEqual(second.events.map(eventId), ["e0000000-0000-4000-8000-000000000001"]);
      assert.ok(proxy.log.length > 0 && proxy.log.every((e) => e.status === 200), "all traffic went through the authenticating proxy");
      const logs = [...first.logs, ...second.logs].map((l) => l.raw).join("\n");
      assert.ok(!logs.includes("key-Pass-1") && !logs.includes("proxy-Pass-1"));
    } finally {
      await proxy.close();
    }
  });

  it("runs several tenants side by side without sharing state", async () => {
    const second = { ...defaultTenant(), tenantId: "7b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", backlog: { days: 1, blobsPerHour: 2, recordsPerBlob: 5, seed: 7 } };
    world = await startWorld({ simulator: { tenants: [defaultTenant(), second] } });
    world.addInput("one");
    world.addInput("two", { tenant_id: second.tenantId });
    const [a, b] = await Promise.all([world.run("one"), world.run("two")]);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.deepEqual(new Set(a.events.map(eventId)), new Set(world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General")));
    assert.deepEqual(new Set(b.events.map(eventId)), new Set(world.sim.recordIds(second.tenantId, "Audit.General")));
    assert.ok(b.events.every((e) => e.source === `defender_o365:${second.tenantId}:Audit.General`));
    assert.deepEqual(fs.readdirSync(world.checkpointDir).sort(), ["one.ids", "one.json", "two.ids", "two.json"]);
  });

  it("stops on SIGTERM within 5 s and repeats nothing on the next run", async () => {
    world = await startWorld({
      simulator: { tenants: [{ ...defaultTenant(), backlog: { days: 2, blobsPerHour: 6, recordsPerBlob: 30, seed: 3 } }] },
    });
    world.sim.setFaults({ latencyMs: 20 });
    world.addInput("term", { max_concurrency: "2" });
    const handle = world.start("term");
    while (handle.events.length < 50) await new Promise((r) => setTimeout(r, 10));
    const stopAt = Date.now();
    handle.kill("SIGTERM");
    const exit = await handle.exited;
    assert.ok(Date.now() - stopAt < 5000, "exited within 5 s");
    assert.equal(exit.code, 0, handle.logs.map((l) => l.raw).join("\n"));
    world.sim.setFaults({});
    const rest = await world.run("term");
    const all = [...handle.events, ...rest.events];
    assert.deepEqual(repeatedIds(all), []);
    assert.equal(new Set(all.map(eventId)).size, world.sim.recordIds(DEFAULT_TENANT_ID, "Audit.General").size);
  });
});
