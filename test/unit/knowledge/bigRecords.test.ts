// Fields that survive big records: auto-KV (KV_MODE = json) reads only the first 5,000 bytes and
// 100 fields of an event (limits.conf defaults, docs/reference/splunk-search-limits.md). Every
// field a dashboard, alert, macro, eventtype or CIM mapping uses, and every field the app adds,
// must be the same on a record past those limits as if Splunk read every byte: on the real AIR
// fixtures over 5,000 bytes, on synthetic 20 kB+ records of every Defender sourcetype whose used
// keys all stand past byte 10,240 (an email to 300 recipients with 50 attachments), and on
// records whose used keys come after 120 others; with JSON escapes the way Microsoft writes them
// (\u0026, \u0027, \", non-ASCII as \uXXXX).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CIM } from "../../lib/cimModels";
import { confToMap, readConf } from "../../lib/conf";
import { flattenJson } from "../../lib/splunkJson";
import { APP_ROOT, eventtypesFor, NO_LIMITS, searchTimeFields, SPLUNK_DEFAULT_LIMITS } from "../../lib/searchTime";

const FIXTURES = path.join(APP_ROOT, "test", "fixtures");

/** Every name the shipped SPL mentions: dashboard queries, saved searches, macros, eventtypes. */
function splWords(): Set<string> {
  const views = path.join(APP_ROOT, "default", "data", "ui", "views");
  const spl = [
    ...fs.readdirSync(views).flatMap((f) => [...fs.readFileSync(path.join(views, f), "utf8").matchAll(/"query":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)),
    ...["savedsearches.conf", "eventtypes.conf"].flatMap((f) => [...confToMap(readConf(path.join(APP_ROOT, "default", f))).values()].map((s) => s.get("search") ?? "")),
    ...[...confToMap(readConf(path.join(APP_ROOT, "default", "macros.conf"))).values()].map((s) => s.get("definition") ?? ""),
  ];
  assert.ok(spl.filter((q) => q.includes("InvestigationId")).length >= 2, "dashboard and alert searches are read");
  return new Set(spl.flatMap((t) => [...t.matchAll(/[A-Za-z_][A-Za-z0-9_.{}]*/g)].map((m) => m[0])));
}

/** JSON text as .NET writes it: `&`, `'`, `<`, `>` and every non-ASCII character as \uXXXX. */
function dotnetJson(value: unknown): string {
  return JSON.stringify(value).replace(/[&'<>\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const PADDING = `Zürich "quoted" \\ back-slashed & <tagged> l'été `.repeat(300); // ~15 kB once escaped

/** A Security & Compliance alert of ~20 kB: every used key after a long Comments and AlertLinks. */
function bigAlert(): string {
  const data = {
    etps: PADDING,
    an: "Suspicious forwarding & \"rule\"",
    ad: "Mail from l'été <ops> was forwarded \\ outside",
    trc: "megan.bowen@contoso.example",
    tsd: "attacker@example.org",
    sip: "2001:db8::25",
    f3u: "adele.vance@contoso.example",
  };
  return dotnetJson({
    CreationTime: "2026-11-20T10:00:00",
    Comments: PADDING,
    AlertLinks: [{ AlertLinkHref: `https://security.microsoft.com/alerts?x=${"a&b".repeat(100)}` }],
    Data: JSON.stringify(data),
    Status: "Investigating",
    Category: "ThreatManagement",
    Severity: "High",
    Name: "Email forwarding to an \"external\" domain & more",
    AlertId: "d6e7f809-0000-4000-8000-000000000bbb",
    PolicyId: "6f708192-0000-4000-8000-000000000ccc",
    AlertEntityId: "megan.bowen@contoso.example",
    EntityType: "User",
    OrganizationId: "11111111-2222-3333-4444-555555555555",
    Operation: "AlertTriggered",
    Workload: "SecurityComplianceCenter",
    RecordType: 40,
  });
}

/** An investigation of ~20 kB whose Data (the triggering alert) and own keys stand past byte 5,000. */
function bigInvestigation(): string {
  const data = {
    Version: "3.0",
    Comments: PADDING,
    AlertDisplayName: "User-reported message & \"phish\"",
    Description: "Reported by l'équipe <soc>",
    Status: "InProgress",
    Category: "ThreatManagement",
    ProviderName: "OATP",
    ProviderAlertId: "a1b2c3d4-0000-4000-8000-000000000ddd",
    Severity: "Medium",
    Entities: [
      { $id: "1", Type: "mailbox", Upn: "megan.bowen@contoso.example" },
      { $id: "2", Type: "mailMessage", Recipient: "megan.bowen@contoso.example", SenderIP: "2001:db8::25" },
      { $id: "3", Type: "ip", Address: "192.0.2.44" },
    ],
  };
  return dotnetJson({
    CreationTime: "2026-11-20T10:00:00",
    Actions: [{ $id: "1", ActionId: "a-1", InvestigationId: "urn:UrlInvestigation:00000000000000000000000000000001", ActionType: "SoftDelete", ActionStatus: "Pending", Description: PADDING }],
    Data: JSON.stringify(data),
    Status: "Pending Approval",
    StartTimeUtc: "2026-11-20T09:58:00",
    InvestigationId: "urn:UrlInvestigation:00000000000000000000000000000001",
    InvestigationName: "Email reported by user as \"phish\" & malware",
    InvestigationType: "UserReportedInvestigation",
    DeepLinkUrl: "https://security.microsoft.com/airinvestigation/urn:x?tid=1&s=2",
    RunningTime: "120",
    OrganizationId: "11111111-2222-3333-4444-555555555555",
    Operation: "AirInvestigationData",
    Workload: "AirInvestigation",
    Id: "f0e1d2c3-0000-4000-8000-000000000eee",
    RecordType: 64,
  });
}

/** A record of our test data by RecordType (the shapes Microsoft writes), parsed. */
function fixture(file: string, recordType: number): Record<string, unknown> {
  const line = fs
    .readFileSync(path.join(FIXTURES, file), "utf8")
    .split("\n")
    .find((l) => l !== "" && (JSON.parse(l) as { RecordType: number }).RecordType === recordType);
  assert.ok(line, `${file} has a RecordType ${recordType} record`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** The record without the given keys. */
function without(record: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

/**
 * A message to 300 recipients with 50 attachments (~40 kB): the shape of the synthetic TIMailData
 * record, AuthDetails as in the real one, the arrays first so that every used key ends past every
 * limit, and the auto-KV cut falling in the middle of Recipients.
 */
function bigEmail(): string {
  const mail = fixture("synthetic/records.ndjson", 28);
  const real = fixture("real/recordtype-28.ndjson", 28);
  const recipients = Array.from({ length: 300 }, (_, i) => `rcpt${i}.zoë@contoso${i % 7}.example`);
  const attachments = Array.from({ length: 50 }, (_, i) => ({
    FileName: `invoice "${i}" & l'été.docm`,
    FileType: "docm",
    FileVerdict: i % 10 === 3 ? 1 : 0,
    ...(i % 10 === 3 ? { MalwareFamily: `TrojanDownloader:O97M/Donoff.${i}` } : {}),
    SHA256: `${i.toString(16).padStart(4, "0")}${"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F0".slice(0, 60)}`,
  }));
  return dotnetJson({
    Recipients: recipients,
    AttachmentData: attachments,
    AuthDetails: real.AuthDetails,
    SystemOverrides: [{ Details: "Exchange transport rule", FinalOverride: "No", Source: "Tenant", Result: "Block" }],
    AdditionalActionsAndResults: ["OriginalDelivery: [N/A]", "Zap: [Success: Moved to quarantine]"],
    ThreatsAndDetectionTech: ["Malware: [File detonation, Antimalware protection]", "Phish: [Spoof DMARC]"],
    ...without(mail, "AttachmentData", "Recipients"),
    Subject: `Überfällige "Rechnung" & <Mahnung>`,
    P2Sender: `Büro Müller <billing@example.org>`,
  });
}

/** Other sourcetypes: the synthetic record behind 300 ExtendedProperties pairs (~22 kB). */
function bigRecord(record: Record<string, unknown>): string {
  const pairs = Array.from({ length: 300 }, (_, i) => ({ Name: `Property${i}`, Value: `value "${i}" & l'été` }));
  const ext = Array.isArray(record.ExtendedProperties) ? (record.ExtendedProperties as unknown[]) : [];
  return dotnetJson({ ExtendedProperties: [...pairs, ...ext], ...without(record, "ExtendedProperties") });
}

/** The same under 5,000 bytes but behind 120 other keys, past [kv] limit's 100 fields. */
function wideRecord(record: Record<string, unknown>): string {
  const keys = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`Extra${i}`, i]));
  return dotnetJson({ ...keys, ...record });
}

interface Big {
  origin: string;
  raw: string;
  sourcetype: string;
  kind: "real" | "big" | "wide";
}

/** Records of every Defender sourcetype, big and wide, from the synthetic fixtures' shapes. */
const SHAPES: [string, number][] = [
  ["o365:defender:alert", 40],
  ["o365:defender:air", 86],
  ["o365:defender:email", 28],
  ["o365:defender:urlclick", 41],
  ["o365:defender:file", 47],
  ["o365:defender:submission", 29],
  ["o365:defender:quarantine", 65],
  ["o365:defender:attacksim", 85],
];

/** A submission whose RescanVerdict is only an ExtendedProperties pair (Value written first). */
function submissionByPair(): Record<string, unknown> {
  return { ...without(fixture("synthetic/records.ndjson", 29), "RescanResult"), Recipients: "[adele.vance@contoso.example, alex.wilber@contoso.example]", ExtendedProperties: [{ Value: "Phish", Name: "RescanVerdict" }] };
}

function bigRecords(): Big[] {
  const real = fs
    .readFileSync(path.join(FIXTURES, "real", "recordtype-64.ndjson"), "utf8")
    .split("\n")
    .map((raw, i): Big => ({ origin: `real/recordtype-64.ndjson:${i + 1}`, raw, sourcetype: "o365:defender:air", kind: "real" }))
    .filter((b) => Buffer.byteLength(b.raw) > SPLUNK_DEFAULT_LIMITS.extractionCutoffBytes);
  const others = SHAPES.flatMap(([sourcetype, recordType]): Big[] => {
    const record = fixture("synthetic/records.ndjson", recordType);
    return [
      { origin: `synthetic big RecordType ${recordType}`, raw: bigRecord(record), sourcetype, kind: "big" },
      { origin: `synthetic wide RecordType ${recordType}`, raw: wideRecord(record), sourcetype, kind: "wide" },
    ];
  });
  return [
    ...real,
    { origin: "synthetic 20 kB alert", raw: bigAlert(), sourcetype: "o365:defender:alert", kind: "big" },
    { origin: "synthetic 20 kB investigation", raw: bigInvestigation(), sourcetype: "o365:defender:air", kind: "big" },
    { origin: "synthetic 40 kB email, 300 recipients, 50 attachments", raw: bigEmail(), sourcetype: "o365:defender:email", kind: "big" },
    { origin: "synthetic big submission, verdict in ExtendedProperties", raw: bigRecord(submissionByPair()), sourcetype: "o365:defender:submission", kind: "big" },
    { origin: "synthetic wide submission, verdict in ExtendedProperties", raw: wideRecord(submissionByPair()), sourcetype: "o365:defender:submission", kind: "wide" },
    ...others,
  ];
}

/** Data is JSON text: equal when it parses to the same document. */
function same(field: string, a: string[] | undefined, b: string[] | undefined): boolean {
  if (field === "Data" && a && b && a.length === 1 && b.length === 1) return JSON.stringify(JSON.parse(a[0])) === JSON.stringify(JSON.parse(b[0]));
  return JSON.stringify(a) === JSON.stringify(b);
}

describe("knowledge: fields that survive records over 5,000 bytes", () => {
  const records = bigRecords();
  const used = new Set([...splWords(), ...CIM.datasets.flatMap((d) => d.cimFields)]);

  it("has real AIR fixtures over 5,000 bytes, 20 kB synthetic records past every limit and records past 100 fields", () => {
    assert.ok(records.filter((r) => r.kind === "real").length >= 2);
    assert.deepEqual(new Set(records.filter((r) => r.kind === "big").map((r) => r.sourcetype)), new Set(SHAPES.map(([s]) => s)));
    assert.deepEqual(new Set(records.filter((r) => r.kind === "wide").map((r) => r.sourcetype)), new Set(SHAPES.map(([s]) => s)));
    for (const r of records.filter((x) => x.kind === "big")) {
      assert.ok(Buffer.byteLength(r.raw) > 2 * SPLUNK_DEFAULT_LIMITS.kvMaxChars - 1000, `${r.origin}: ${Buffer.byteLength(r.raw)} bytes`);
      assert.ok(r.raw.indexOf('"OrganizationId"') > SPLUNK_DEFAULT_LIMITS.kvMaxChars, `${r.origin}: the used keys stand past every limit`);
    }
    for (const r of records.filter((x) => x.kind === "wide")) {
      assert.ok(Buffer.byteLength(r.raw) < SPLUNK_DEFAULT_LIMITS.extractionCutoffBytes, `${r.origin}: ${Buffer.byteLength(r.raw)} bytes`);
      assert.ok(Object.keys(JSON.parse(r.raw) as object).indexOf("OrganizationId") > SPLUNK_DEFAULT_LIMITS.kvLimit, `${r.origin}: the used keys stand past 100 fields`);
    }
  });

  /** A value eval's spath() cannot decode: longer than [spath] extraction_cutoff (docs/fields.md). */
  const undecodable = (values: string[]) => values.some((v) => Buffer.byteLength(v) > SPLUNK_DEFAULT_LIMITS.extractionCutoffBytes);

  it("gives every used field, and every field the app adds, the value it has when Splunk reads every byte", () => {
    const wrong: string[] = [];
    let compared = 0;
    for (const r of records) {
      const limited = searchTimeFields(r.raw, r.sourcetype);
      const full = searchTimeFields(r.raw, r.sourcetype, APP_ROOT, NO_LIMITS);
      const raw = flattenJson(JSON.parse(r.raw));
      for (const [field, values] of full) {
        if (!used.has(field) && (raw.has(field) || undecodable(values))) continue;
        compared++;
        if (!same(field, limited.get(field), values)) wrong.push(`${r.origin}: ${field} = ${JSON.stringify(limited.get(field))}, not ${JSON.stringify(values)}`);
      }
      assert.deepEqual(eventtypesFor(limited, r.sourcetype), eventtypesFor(full, r.sourcetype), `${r.origin}: eventtypes`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared > 700, `only ${compared} fields compared`);
  });

  it("decodes JSON escapes in the record and, twice, in Data", () => {
    const alert = searchTimeFields(bigAlert(), "o365:defender:alert");
    assert.deepEqual(alert.get("signature"), ['Email forwarding to an "external" domain & more']);
    assert.deepEqual(alert.get("description"), ["Mail from l'été <ops> was forwarded \\ outside"]);
    assert.deepEqual([alert.get("user"), alert.get("src"), alert.get("severity")], [["megan.bowen@contoso.example"], ["2001:db8::25"], ["high"]]);
    const air = searchTimeFields(bigInvestigation(), "o365:defender:air");
    assert.deepEqual(air.get("signature"), ['User-reported message & "phish"']);
    assert.deepEqual(air.get("InvestigationName"), ['Email reported by user as "phish" & malware']);
    assert.deepEqual(air.get("DeepLinkUrl"), ["https://security.microsoft.com/airinvestigation/urn:x?tid=1&s=2"]);
    assert.deepEqual(air.get("alert_entity_type"), ["mailbox", "mailMessage", "ip"]);
    assert.deepEqual(air.get("user"), ["megan.bowen@contoso.example"]);
    assert.deepEqual(air.get("Status"), ["Pending Approval"]);
  });

  it("keeps every item of an email's arrays, in order, decoded, and each attachment's own members", () => {
    const mail = searchTimeFields(bigEmail(), "o365:defender:email");
    assert.equal(mail.get("recipient")?.length, 300);
    assert.deepEqual(mail.get("recipient")?.slice(298), ["rcpt298.zoë@contoso4.example", "rcpt299.zoë@contoso5.example"]);
    assert.deepEqual(mail.get("recipient_count"), ["300"]);
    assert.equal(mail.get("recipient_domain")?.length, 7);
    assert.equal(mail.get("file_name")?.length, 50);
    assert.equal(mail.get("file_name")?.[3], `invoice "3" & l'été.docm`);
    assert.equal(mail.get("attachments")?.length, 50);
    assert.deepEqual(JSON.parse(mail.get("attachments")![3]), { FileName: `invoice "3" & l'été.docm`, FileType: "docm", FileVerdict: 1, MalwareFamily: "TrojanDownloader:O97M/Donoff.3", SHA256: mail.get("file_hash")![3] });
    assert.equal(mail.get("file_verdict")?.filter((v) => v === "Bad").length, 5);
    assert.deepEqual(mail.get("signature")?.length, 5);
    assert.deepEqual(mail.get("auth_methods"), ["SPF", "DKIM", "DMARC", "Comp Auth"]);
    assert.deepEqual(mail.get("additional_actions"), ["OriginalDelivery: [N/A]", "Zap: [Success: Moved to quarantine]"]);
    assert.deepEqual([mail.get("subject"), mail.get("src_user"), mail.get("src_user_domain")], [[`Überfällige "Rechnung" & <Mahnung>`], ["billing@example.org"], ["example.org"]]);
    assert.deepEqual(eventtypesFor(mail, "o365:defender:email"), ["defender_o365_email_malware"]);
  });
});
