import { strict as assert } from "node:assert";
import * as path from "node:path";
import { confToMap, readConf } from "../../lib/conf";
import { cimSamples, Sample } from "../../lib/samples";
import { eventtypesFor, searchTimeFields } from "../../lib/searchTime";
import { compileSearch, Fields } from "../../lib/spl/searchExpr";
import { expandMacros, splitTopLevel } from "../../lib/splLint";
import { APP_ROOT, loadContext, ownSamples } from "./appContext";

interface Event {
  sample: Sample;
  fields: Fields;
}

/** Sample events as a search sees them: search-time fields, sourcetype, eventtypes, an index. */
function events(): Event[] {
  return [...cimSamples(), ...ownSamples()].map((sample) => {
    const fields = new Map(searchTimeFields(sample.record, sample.sourcetype));
    fields.set("sourcetype", [sample.sourcetype]);
    fields.set("eventtype", eventtypesFor(fields, sample.sourcetype));
    fields.set("index", ["main"]);
    return { sample, fields };
  });
}

/** The events an alert's base search (the part before the first pipe) selects. */
function selected(alert: string, all: Event[]): Event[] {
  const stanza = confToMap(readConf(path.join(APP_ROOT, "default", "savedsearches.conf"))).get(alert);
  assert.ok(stanza, alert);
  const errors: string[] = [];
  const base = splitTopLevel(expandMacros(stanza.get("search") ?? "", loadContext().macros, errors), "|")[0];
  assert.deepEqual(errors, []);
  const matches = compileSearch(base);
  return all.filter((e) => matches(e.fields));
}

const field = (e: Event, name: string) => e.fields.get(name) ?? [];

describe("alerts select the sample events they are about", () => {
  let all: Event[];
  before(() => {
    all = events();
  });

  it("click-through: only BlockPageOverride and PendingDetonationPageOverride clicks", () => {
    const hits = selected("Defender O365 - User clicked through a Safe Links warning", all);
    assert.ok(hits.length > 0);
    for (const e of hits) assert.match(field(e, "url_click_action").join(), /^(BlockPageOverride|PendingDetonationPageOverride)$/);
    const blocked = all.filter((e) => field(e, "url_click_action").includes("BlockPage"));
    assert.ok(blocked.length > 0 && blocked.every((e) => !hits.includes(e)), "plain blocks are not click-throughs");
  });

  it("delivered to inbox: phish and malware emails, whichever eventtype holds them", () => {
    const hits = selected("Defender O365 - Malicious email delivered to inbox and not remediated", all);
    assert.ok(hits.some((e) => field(e, "eventtype").includes("defender_o365_email_malware")));
    assert.ok(hits.some((e) => field(e, "eventtype").includes("defender_o365_email")));
    for (const e of hits) assert.match(field(e, "Verdict").join(), /^(phish|malware)$/i);
    assert.ok(hits.some((e) => field(e, "LatestDeliveryLocation").includes("Inbox")), "the samples include a miss to alert on");
  });

  it("quarantine release: release records and the detections to join them to, not previews or deletes", () => {
    const hits = selected("Defender O365 - Malicious message released from quarantine", all);
    const quarantine = all.filter((e) => e.sample.sourcetype === "o365:defender:quarantine");
    const releases = hits.filter((e) => e.sample.sourcetype === "o365:defender:quarantine");
    assert.ok(releases.length > 0);
    for (const e of releases) assert.match(`${field(e, "Operation")} ${field(e, "RequestType")}`, /QuarantineRelease(Message)? |Release$| 2$/);
    assert.ok(quarantine.some((e) => !hits.includes(e)), "other quarantine actions are left out");
    assert.ok(hits.some((e) => e.sample.sourcetype === "o365:defender:email"));
  });

  it("every detection alert selects some sample events (no dead alert)", () => {
    for (const alert of [
      "Defender O365 - Malicious file in SharePoint, OneDrive or Teams",
      "Defender O365 - Automated investigation pending approval",
      "Defender O365 - Spike in detections against one recipient",
    ]) {
      assert.ok(selected(alert, all).length > 0, alert);
    }
  });
});
