// ESCU compatibility: after the one macro change of docs/escu.md, ESCU's 13 Defender-related
// detections (reference peers.md 3.1) select our events and find every field they read.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { SOURCETYPES } from "../../../src/collector/sourcetype";
import { cimSamples } from "../../lib/samples";
import { APP_ROOT, searchTimeFields } from "../../lib/searchTime";
import { compileSearch } from "../../lib/spl/searchExpr";

interface Detection {
  name: string;
  /** The detection's own record filter (after the macro). */
  filter: string;
  /** Fields it reads; `x.*` = some field under x. */
  fields: string[];
}

const DETECTIONS: Detection[] = [
  {
    name: "O365 Threat Intelligence Suspicious Email Delivered",
    filter: "Workload=ThreatIntelligence Operation=TIMailData DeliveryAction!=Blocked Directionality=InBound",
    fields: [
      "P2Sender", "P1Sender", "Recipients{}", "DeliveryAction", "SenderIp", "Subject", "SystemOverrides{}.Details", "LatestDeliveryLocation",
      "ThreatsAndDetectionTech{}", "AttachmentData{}.FileName", "AttachmentData{}.FileType", "AttachmentData{}.SHA256", "DetectionMethod",
      "dest", "vendor_account", "vendor_product",
    ],
  },
  {
    name: "O365 Threat Intelligence Suspicious File Detected",
    filter: "Workload=ThreatIntelligence Operation=AtpDetection",
    fields: ["DetectionMethod", "FileData.FileName", "FileData.FilePath", "FileData.FileSize", "FileData.MalwareFamily", "Id", "UserId"],
  },
  { name: "O365 Safe Links Detection", filter: 'Operation=AlertEntityGenerated Name="*a potentially malicious URL*"', fields: ["AlertId", "trc", "ot", "ObjectId", "od", "Name"] },
  {
    name: "O365 ZAP Activity Detection",
    filter: 'Workload=SecurityComplianceCenter Operation=AlertEntityGenerated Name="*messages containing malicious*"',
    fields: ["zu", "zfn", "ms", "ttr", "tsd", "trc"],
  },
  {
    name: "O365 Email Suspicious Behavior Alert",
    filter:
      'Workload=SecurityComplianceCenter Operation=AlertEntityGenerated Name IN ("Suspicious email sending patterns detected", "User restricted from sending email", "Suspicious Email Forwarding Activity", "Email sending limit exceeded")',
    fields: ["AlertId", "ObjectId", "Name"],
  },
  {
    name: "O365 Email Reported By User Found Malicious",
    filter: 'Workload=SecurityComplianceCenter Operation=AlertEntityGenerated Name="Email reported by user as*"',
    fields: ["etps", "ms", "tsd", "AlertEntityId"],
  },
  {
    name: "O365 Email Reported By Admin Found Malicious",
    filter: "Workload=SecurityComplianceCenter Operation=AdminSubmission RescanVerdict IN (Phish, Malware)",
    fields: ["Subject", "RescanVerdict", "SenderIP", "P2Sender", "P1Sender", "Recipients{}", "Id", "Operation", "UserId"],
  },
  {
    name: "O365 Security And Compliance Alert Triggered",
    filter: "Workload=SecurityComplianceCenter Category=ThreatManagement Operation=AlertTriggered",
    fields: ["f3u", "op", "wl", "rid", "ad", "lon", "an", "sev"],
  },
  { name: "O365 PST export alert", filter: 'Category=ThreatManagement Name="eDiscovery search started or exported"', fields: ["Source", "Severity", "AlertEntityId", "Operation", "Name"] },
  { name: "O365 SharePoint Malware Detection", filter: "Operation=FileMalwareDetected", fields: ["SourceFileName", "ObjectId", "VirusInfo", "Workload", "Id", "UserId"] },
  {
    name: "O365 Email Security Feature Changed",
    filter: 'Workload=Exchange Operation IN ("Set-*AntiPhish*", "Set-*SafeLink*", "Set-*SafeAttachment*", "Set-*Malware*", "Disable-*AntiPhish*", "New-*AntiPhish*", "Remove-*AntiPhish*")',
    fields: ["ObjectId", "Id", "UserId", "Operation"],
  },
  { name: "O365 Email Access By Security Administrator", filter: "Workload=SecurityComplianceCenter Operation=AdminMailAccess", fields: ["MailboxId", "InternetMessageId", "UserId"] },
  { name: "O365 DLP Rule Triggered", filter: "Operation=DLPRuleMatch", fields: ["ExchangeMetaData.*", "PolicyDetails{}.Rules{}.*"] },
];

/** The `definition` of the o365_management_activity override in docs/escu.md. */
function documentedMacro(): string {
  const doc = fs.readFileSync(path.join(APP_ROOT, "docs", "escu.md"), "utf8");
  const m = /\[o365_management_activity\]\ndefinition = (.+)\n/.exec(doc);
  assert.ok(m, "docs/escu.md shows the macro override");
  return m[1];
}

describe("knowledge: ESCU compatibility", () => {
  const events = cimSamples().map((s) => {
    const fields = searchTimeFields(s.record, s.sourcetype);
    fields.set("sourcetype", [s.sourcetype]);
    return { ...s, fields };
  });
  const macro = compileSearch(documentedMacro());

  it("the documented macro selects every sourcetype the input writes", () => {
    for (const sourcetype of SOURCETYPES) assert.ok(macro(new Map([["sourcetype", [sourcetype]]])), sourcetype);
    assert.ok(!macro(new Map([["sourcetype", ["o365:reporting:messagetrace"]]])));
  });

  for (const d of DETECTIONS) {
    it(`${d.name}: selects our events and finds every field it reads`, () => {
      const filter = compileSearch(d.filter);
      const hits = events.filter((e) => macro(e.fields) && filter(e.fields));
      assert.ok(hits.length > 0, "no sample record reaches the detection");
      const present = new Set(hits.flatMap((e) => [...e.fields.keys()]));
      const missing = d.fields.filter((f) => (f.endsWith(".*") ? ![...present].some((p) => p.startsWith(f.slice(0, -1))) : !present.has(f)));
      assert.deepEqual(missing, []);
    });
  }
});
