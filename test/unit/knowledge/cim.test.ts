// CIM compliance without Splunk: each eventtype maps to one data model (or, for the three
// declared below, to none), and on every sample record (real, synthetic, simulator) our props give
// every required field of the datasets the event falls in, with an allowed value.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { SOURCETYPES, DEFAULT_SOURCETYPE } from "../../../src/collector/sourcetype";
import { CIM, datasetsFor, fieldProblems, modelsFor } from "../../lib/cimModels";
import { cimSamples, type Sample } from "../../lib/samples";
import { confToMap, readConf } from "../../lib/conf";
import { APP_ROOT, eventtypesFor, searchTimeFields, tagsFor } from "../../lib/searchTime";
import { flattenJson } from "../../lib/splunkJson";

/** Eventtype -> its data model (contract: docs/architecture.md, docs/fields.md). */
const MODEL: Record<string, string | null> = {
  defender_o365_email: "Email",
  defender_o365_email_malware: "Malware",
  defender_o365_urlclick: "Web",
  defender_o365_file: "Malware",
  defender_o365_alert: "Alerts",
  defender_o365_air: "Alerts",
  // No model fits (docs/fields.md, "Eventtypes without a data model").
  defender_o365_quarantine: null,
  defender_o365_submission: null,
  defender_o365_attacksim: null,
};

/**
 * Required fields the source does not carry, per eventtype (docs/fields.md, "Known gaps"); the
 * check proves each is really missing and nothing else is.
 */
const KNOWN_GAPS: Record<string, string[]> = {
  // Safe Links logs the click, not the HTTP exchange.
  defender_o365_urlclick: ["bytes", "bytes_in", "bytes_out", "http_method", "http_user_agent", "http_user_agent_length", "status"],
  // CIM needs an SMTP status code when protocol=smtp; TIMailData reports verdicts, not SMTP replies.
  defender_o365_email: ["status_code"],
  // An attachment has a name and a hash but no path.
  defender_o365_email_malware: ["file_path"],
};

/** Fields we add that no data model defines (docs/fields.md lists them per sourcetype). */
const VENDOR_FIELDS = [
  // ExtendedProperties pairs ESCU reads as fields (docs/escu.md).
  "InternetMessageId",
  "MailboxId",
  "RescanVerdict",
  "additional_actions",
  "alert_category",
  "alert_description",
  "alert_entity_type",
  "alert_id",
  "alert_name",
  "alert_provider",
  "alert_status",
  "attachment_malicious",
  "attachments",
  "auth_methods",
  "auth_results",
  "delivery_location",
  "document_id",
  "file_verdict",
  "file_verdict_code",
  "malware_family",
  "policy_code",
  "policy_feature",
  "policy_name",
  "record_type_name",
  "src_ip", // the Splunk Add-on for Microsoft Office 365's name for the client address
  "url_click_action",
  "url_click_action_code",
  "vendor_severity",
];

interface Evaluated extends Sample {
  fields: Map<string, string[]>;
  eventtypes: string[];
  tags: string[];
}

describe("knowledge: CIM mapping", function () {
  let samples: Evaluated[];
  before(() => {
    samples = cimSamples().map((s) => {
      const fields = searchTimeFields(s.record, s.sourcetype);
      const eventtypes = eventtypesFor(fields, s.sourcetype);
      return { ...s, fields, eventtypes, tags: tagsFor(eventtypes) };
    });
  });

  it("gives every Defender record exactly one eventtype, and every eventtype has samples", () => {
    for (const s of samples) {
      if (s.sourcetype === DEFAULT_SOURCETYPE) assert.deepEqual(s.eventtypes, [], s.origin);
      else assert.equal(s.eventtypes.length, 1, `${s.origin} (${s.sourcetype}): ${s.eventtypes.join(", ")}`);
    }
    const seen = new Set(samples.flatMap((s) => s.eventtypes));
    assert.deepEqual([...seen].sort(), Object.keys(MODEL).sort());
    assert.deepEqual([...new Set(samples.map((s) => s.sourcetype))].sort(), [...SOURCETYPES].sort(), "samples cover every sourcetype");
  });

  it("maps each eventtype to exactly its one data model through CIM tags", () => {
    for (const [eventtype, model] of Object.entries(MODEL)) {
      const tags = tagsFor([eventtype]);
      for (const tag of tags) assert.ok(CIM.tags.includes(tag), `${eventtype}: ${tag} is not a CIM tag`);
      assert.deepEqual(modelsFor(tags), model ? [model] : [], eventtype);
    }
  });

  it("gives every required field of the event's datasets, with an allowed value, on every sample", () => {
    const missingByEventtype = new Map<string, Set<string>>();
    const failures: string[] = [];
    let checked = 0;
    for (const s of samples) {
      const datasets = datasetsFor(s.tags, s.fields);
      if (datasets.length === 0) continue;
      checked++;
      const eventtype = s.eventtypes[0];
      const gaps = KNOWN_GAPS[eventtype] ?? [];
      for (const [field, problem] of fieldProblems(s.fields, datasets)) {
        if (gaps.includes(field) && problem.startsWith("missing")) {
          const seen = missingByEventtype.get(eventtype) ?? new Set<string>();
          missingByEventtype.set(eventtype, seen.add(field));
        } else failures.push(`${s.origin} ${eventtype}: ${field} ${problem}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 100, `only ${checked} samples reached a data model`);
    for (const [eventtype, gaps] of Object.entries(KNOWN_GAPS)) {
      assert.deepEqual([...(missingByEventtype.get(eventtype) ?? [])].sort(), [...gaps].sort(), `${eventtype}: the known gaps are stale`);
    }
  });

  it("adds only CIM field names, the Data keys of alerts, and the documented vendor fields", () => {
    // Catches a misspelt CIM name (a typo in an optional field would otherwise pass unseen).
    const props = confToMap(readConf(path.join(APP_ROOT, "default", "props.conf")));
    const dataKeys = new Set<string>();
    for (const settings of props.values()) {
      for (const [key, value] of settings) {
        const name = key.slice(5);
        if (key.startsWith("EVAL-") && (value === `spath(Data, "${name}")` || new RegExp(`_data_${name}\\b`).test(value))) dataKeys.add(name);
      }
    }
    const cimNames = new Set([...CIM.datasets.flatMap((d) => d.cimFields), "vendor_product", "vendor_account"]);
    const unexpected = new Set<string>();
    for (const s of samples) {
      const raw = flattenJson(s.record);
      // defender_o365_<...>: a value as the regex extractions found it in _raw (docs/fields.md).
      for (const name of s.fields.keys()) {
        if (!raw.has(name) && !cimNames.has(name) && !dataKeys.has(name) && !VENDOR_FIELDS.includes(name) && !name.startsWith("defender_o365_")) unexpected.add(name);
      }
    }
    assert.deepEqual([...unexpected], []);
  });

  it("never makes the literal ThreatIntel the Email user; the user is the recipient", () => {
    for (const s of samples.filter((x) => x.sourcetype === "o365:defender:email")) {
      assert.ok(!(s.fields.get("user") ?? []).includes("ThreatIntel"), s.origin);
      assert.deepEqual(s.fields.get("user"), s.fields.get("recipient"), s.origin);
    }
  });

  it("splits email detections by malicious attachment, with each model's own action words", () => {
    const email = samples.filter((s) => s.sourcetype === "o365:defender:email");
    const malware = email.filter((s) => s.eventtypes[0] === "defender_o365_email_malware");
    assert.ok(malware.length > 0 && malware.length < email.length);
    for (const s of malware) assert.match(s.fields.get("action")?.[0] ?? "", /^(allowed|blocked|deferred)$/, s.origin);
    for (const s of email.filter((x) => !malware.includes(x))) assert.match(s.fields.get("action")?.[0] ?? "", /^(delivered|blocked|quarantined|deleted)$/, s.origin);
  });
});
