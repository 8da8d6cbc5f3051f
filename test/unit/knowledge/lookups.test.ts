// Codes arrive as integers or as their names (either case): each lookup gives the same answer for
// every form, and the delivery table gives each data model its own action words.
import { strict as assert } from "node:assert";
import { searchTimeFields } from "../../lib/searchTime";

const base = { CreationTime: "2026-11-20T12:00:00", Id: "x", OrganizationId: "t", UserId: "ThreatIntel" };
const field = (record: object, sourcetype: string, name: string) => searchTimeFields({ ...base, ...record }, sourcetype)?.get(name);

describe("knowledge: lookups", () => {
  it("Policy and PolicyAction: int, string and observed misspelling give one name", () => {
    for (const p of [10, "10", "SafeAttachements", "safeattachments"]) assert.deepEqual(field({ RecordType: 28, Policy: p }, "o365:defender:email", "policy_name"), ["SafeAttachments"], String(p));
    for (const a of [0, "MoveToJmf", "MoveToJMF"]) assert.deepEqual(field({ RecordType: 28, PolicyAction: a }, "o365:defender:email", "filter_action"), ["MoveToJmf"], String(a));
    assert.equal(field({ RecordType: 28, Policy: "SomethingNew" }, "o365:defender:email", "policy_name"), undefined, "unknown names stay unmapped");
  });

  it("FileVerdict: 1, \"1\" and Bad are a blocked, high-severity malware file", () => {
    for (const v of [1, "1", "Bad", "bad"]) {
      const f = searchTimeFields({ ...base, RecordType: 47, FileData: { FileVerdict: v, FileName: "a.exe", FilePath: "https://c.sharepoint.com/s/a.exe" } }, "o365:defender:file");
      assert.deepEqual([f.get("file_verdict"), f.get("action"), f.get("severity")], [["Bad"], ["blocked"], ["high"]], String(v));
    }
    assert.deepEqual(field({ RecordType: 47, FileData: { FileVerdict: -3 } }, "o365:defender:file", "action"), ["deferred"]);
  });

  it("SourceWorkload: int and names", () => {
    for (const [v, name] of [[0, "SharePoint"], ["1", "OneDrive"], ["OneDrive for Business", "OneDrive"], [2, "Microsoft Teams"]] as const) {
      assert.deepEqual(field({ RecordType: 47, SourceWorkload: v }, "o365:defender:file", "app"), [name], String(v));
    }
  });

  it("UrlClickAction: int and string forms, either spelling of the key; blocked or allowed", () => {
    const click = (rec: object) => {
      const f = searchTimeFields({ ...base, RecordType: 41, Url: "https://x.example/a", ...rec }, "o365:defender:urlclick");
      return [f.get("url_click_action")?.[0], f.get("action")?.[0]];
    };
    assert.deepEqual(click({ UrlClickAction: 2 }), ["BlockPage", "blocked"]);
    assert.deepEqual(click({ UrlClickAction: "blockpage" }), ["BlockPage", "blocked"]);
    assert.deepEqual(click({ URLClickAction: 4 }), ["BlockPageOverride", "allowed"]);
    assert.deepEqual(click({ UrlClickAction: "PendingDetonationPageOverride" }), ["PendingDetonationPageOverride", "allowed"]);
    assert.deepEqual(click({}), [undefined, "unknown"], "the older shape has no click action");
    assert.deepEqual(click({ UrlClickAction: 99 }), [undefined, undefined], "an unknown code clears the action");
  });

  it("Safe Links URL parts: host and port from the URL", () => {
    const f = searchTimeFields({ ...base, RecordType: 41, URL: "http://user@Host.example:8080/p?q=1" }, "o365:defender:urlclick");
    assert.deepEqual([f.get("url_domain"), f.get("dest"), f.get("dest_port")], [["Host.example"], ["Host.example"], ["8080"]]);
    assert.deepEqual(field({ RecordType: 41, Url: "https://h.example" }, "o365:defender:urlclick", "dest_port"), ["443"]);
  });

  it("delivery action and latest location give Email or Malware action words", () => {
    const action = (rec: object) => field({ RecordType: 28, ...rec }, "o365:defender:email", "action")?.[0];
    assert.equal(action({ DeliveryAction: "Delivered", LatestDeliveryLocation: "Inbox" }), "delivered");
    assert.equal(action({ DeliveryAction: "DeliveredAsSpam", LatestDeliveryLocation: "JunkFolder" }), "delivered");
    assert.equal(action({ DeliveryAction: "Delivered", LatestDeliveryLocation: "Quarantine" }), "quarantined", "ZAP moved it later");
    assert.equal(action({ DeliveryAction: "Blocked", OriginalDeliveryLocation: "Quarantine" }), "quarantined");
    assert.equal(action({ DeliveryAction: "Blocked", LatestDeliveryLocation: "Failed" }), "blocked");
    assert.equal(action({ DeliveryAction: "Delivered", LatestDeliveryLocation: "DeletedFolder" }), "deleted");
    const bad = { AttachmentData: [{ FileName: "a.exe", FileVerdict: 1 }] };
    assert.equal(action({ ...bad, DeliveryAction: "Delivered", LatestDeliveryLocation: "Inbox" }), "allowed");
    assert.equal(action({ ...bad, DeliveryAction: "Delivered", LatestDeliveryLocation: "Quarantine" }), "deferred");
    assert.equal(action({ ...bad, DeliveryAction: "Blocked", LatestDeliveryLocation: "Quarantine" }), "deferred");
    assert.equal(action({ AttachmentData: [{ MalwareFamily: "Malicious Payload", FileVerdict: "2" }], DeliveryAction: "Blocked", LatestDeliveryLocation: "Dropped" }), "blocked");
  });

  it("alert severities become the CIM words; record types get their names", () => {
    assert.deepEqual(field({ RecordType: "40", Severity: "High" }, "o365:defender:alert", "severity"), ["high"]);
    assert.deepEqual(field({ RecordType: 64, Data: '{"Severity":"Medium"}' }, "o365:defender:air", "severity"), ["medium"]);
    assert.deepEqual(field({ RecordType: 89 }, "o365:defender:air", "severity"), ["informational"]);
    assert.deepEqual(field({ RecordType: "40" }, "o365:defender:alert", "record_type_name"), ["SecurityComplianceAlerts"]);
  });
});
