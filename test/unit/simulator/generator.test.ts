import assert from "node:assert/strict";
import { CONTENT_TYPES } from "../../../src/config/inputConfig";
import { DEFENDER_RECORD_TYPES, generateLargeBlob, generateTenant, type GeneratedBlob } from "../../simulator/generator/generate";
import { HOSTILE_TEXTS } from "../../simulator/generator/hostile";
import type { AuditRecord } from "../../simulator/generator/values";

const now = new Date("2026-03-10T12:00:00Z");
const options = { tenantId: "3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c", now, days: 0.5, blobsPerHour: 2, recordsPerBlob: 25, seed: 11 };

function texts(blobs: GeneratedBlob[]): string[] {
  return blobs.flatMap((b) => Array.from({ length: b.records.count }, (_, i) => b.records.text(i)));
}

const records = (blobs: GeneratedBlob[]): AuditRecord[] => texts(blobs).map((t) => JSON.parse(t) as AuditRecord);

describe("simulator tenant generator", () => {
  const blobs = generateTenant(options);
  const general = blobs.filter((b) => b.contentType === "Audit.General");
  const all = records(blobs);

  it("is deterministic for a seed and differs for another", () => {
    assert.deepEqual(texts(generateTenant(options)), texts(blobs));
    assert.notDeepEqual(texts(generateTenant({ ...options, seed: 12 })), texts(blobs));
  });

  it("spreads blobs over the backlog before `now`, sorted by contentCreated, for every content type", () => {
    assert.equal(blobs.length, CONTENT_TYPES.length * 24);
    for (const ct of CONTENT_TYPES) assert.equal(blobs.filter((b) => b.contentType === ct).length, 24);
    for (let i = 1; i < blobs.length; i++) assert.ok(blobs[i - 1].created <= blobs[i].created);
    assert.ok(blobs.every((b) => b.created < now.getTime() && b.created >= now.getTime() - 12 * 3_600_000));
    assert.equal(new Set(blobs.map((b) => b.contentId)).size, blobs.length);
    assert.ok(blobs.every((b) => b.contentId.split("$").length === 5));
  });

  it("holds every Defender record type in Audit.General", () => {
    const types = new Set(records(general).map((r) => Number(r.RecordType)));
    for (const t of DEFENDER_RECORD_TYPES) assert.ok(types.has(t), `RecordType ${t}`);
    assert.ok(records(general).some((r) => r.Workload === "MicrosoftTeams" || r.Workload === "PowerBI"));
  });

  it("gives the other content types their own workloads", () => {
    const workloads = (ct: string): Set<unknown> => new Set(records(blobs.filter((b) => b.contentType === ct)).map((r) => r.Workload));
    assert.deepEqual([...workloads("Audit.Exchange")], ["Exchange"]);
    assert.ok([...workloads("Audit.SharePoint")].every((w) => w === "SharePoint" || w === "OneDrive"));
    assert.deepEqual([...workloads("Audit.AzureActiveDirectory")], ["AzureActiveDirectory"]);
    assert.ok(records(blobs.filter((b) => b.contentType === "DLP.All")).every((r) => r.Operation === "DlpRuleMatch"));
  });

  it("writes the wire shapes: bare CreationTime, GUID Ids, string Policy, JSON-text Data, int click actions", () => {
    for (const r of all) {
      assert.match(String(r.CreationTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.match(String(r.Id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(r.OrganizationId, options.tenantId);
    }
    const byType = (t: number): AuditRecord[] => all.filter((r) => Number(r.RecordType) === t);
    for (const r of byType(28)) {
      assert.ok(Array.isArray(r.ThreatsAndDetectionTech));
      if ("Policy" in r) assert.equal(typeof r.Policy, "string");
      if ("PolicyAction" in r) assert.equal(typeof r.PolicyAction, "string");
      assert.ok(String(r.EventDeepLink).startsWith("https://security.microsoft.com/"));
    }
    for (const r of byType(41)) assert.equal(typeof (r.UrlClickAction ?? r.URLClickAction), "number");
    for (const r of [...byType(64), ...byType(86), ...byType(89), ...byType(40)]) {
      assert.equal(typeof r.Data, "string");
      assert.equal(typeof JSON.parse(String(r.Data)), "object");
    }
    for (const r of byType(64)) assert.ok(String(r.DeepLinkUrl).includes(String(r.InvestigationId)));
  });

  it("includes every hostile text, and serialises lone surrogates as escapes", () => {
    const subjects = new Set(all.filter((r) => r.RecordType === 28).map((r) => r.Subject));
    for (const text of HOSTILE_TEXTS) assert.ok(subjects.has(text), JSON.stringify(text.slice(0, 40)));
    const raw = texts(general).join("\n");
    assert.ok(raw.includes("\\ud83d"));
    assert.ok(raw.includes("</data>"));
  });

  it("repeats some records in a later blob, byte for byte, with the same Id", () => {
    const dense = generateTenant({ ...options, duplicateRate: 0.2, contentTypes: ["Audit.General"] });
    const seen = new Map<string, string>();
    let repeats = 0;
    for (const blob of dense) {
      for (let i = 0; i < blob.records.count; i++) {
        const id = blob.records.id(i);
        const text = blob.records.text(i);
        assert.equal((JSON.parse(text) as AuditRecord).Id, id);
        if (seen.has(id)) {
          repeats++;
          assert.equal(text, seen.get(id));
        }
        seen.set(id, text);
      }
    }
    assert.ok(repeats > 10, `repeats ${repeats}`);
  });

  it("sizes a large blob from its record pool, every record with its own Id", () => {
    const blob = generateLargeBlob({ tenantId: options.tenantId, contentType: "Audit.General", created: now, bytes: 2_000_000, seed: 3 });
    let bytes = 2;
    const ids = new Set<string>();
    for (let i = 0; i < blob.records.count; i++) {
      const text = blob.records.text(i);
      bytes += Buffer.byteLength(text) + 1;
      const record = JSON.parse(text) as AuditRecord;
      assert.equal(record.Id, blob.records.id(i));
      ids.add(String(record.Id));
    }
    assert.ok(bytes > 1_800_000 && bytes < 2_400_000, `bytes ${bytes}`);
    assert.equal(ids.size, blob.records.count);
  });
});
