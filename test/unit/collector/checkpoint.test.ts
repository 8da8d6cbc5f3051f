import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkpointPaths, emptyCheckpoint, loadCheckpoint, safeName, saveCheckpoint, validateCheckpoint } from "../../../src/collector/checkpoint";

describe("checkpoint", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names files safely for any input name", () => {
    assert.equal(safeName("contoso"), "contoso");
    assert.equal(safeName("../a b/c"), "%2e.%2fa%20b%2fc");
    assert.deepEqual(checkpointPaths("/cp", "x:y"), { file: "/cp/x%3ay.json", idsDir: "/cp/x%3ay.ids" });
  });

  it("starts fresh, then round-trips what was saved, leaving no temp file", () => {
    const { file } = checkpointPaths(dir, "contoso");
    assert.equal(loadCheckpoint(file, "t1").kind, "fresh");
    const state = emptyCheckpoint("t1");
    state.contentTypes["Audit.General"] = { committedEnd: "2026-11-20T00:00:00.000Z", doneBlobs: { a: 1 }, pending: [] };
    saveCheckpoint(file, state);
    assert.deepEqual(loadCheckpoint(file, "t1"), { kind: "loaded", state });
    assert.deepEqual(fs.readdirSync(dir), ["contoso.json"]);
  });

  it("moves a damaged file aside instead of deleting it", () => {
    const { file } = checkpointPaths(dir, "contoso");
    fs.writeFileSync(file, "{not json");
    const r = loadCheckpoint(file, "t1");
    assert.equal(r.kind, "reset");
    assert.ok(r.kind === "reset" && r.movedTo && fs.readFileSync(r.movedTo, "utf8") === "{not json");
  });

  it("resets when the input now points at another tenant", () => {
    const { file } = checkpointPaths(dir, "contoso");
    saveCheckpoint(file, emptyCheckpoint("t1"));
    const r = loadCheckpoint(file, "t2");
    assert.equal(r.kind, "reset");
    assert.match(r.kind === "reset" ? r.reason : "", /tenant changed/);
  });
});

describe("checkpoint validation", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  const good = () => ({
    version: 1,
    tenantId: "t1",
    clockSkewSeconds: -3,
    contentTypes: {
      "Audit.General": {
        committedEnd: "2026-11-20T11:00:00.000Z",
        doneBlobs: { a: 1_763_000_000_000 },
        pending: [
          {
            contentId: "p",
            contentUri: "https://x/audit/p",
            contentCreated: "2026-11-19T00:00:00.000Z",
            contentExpiration: "2026-11-26T00:00:00.000Z",
            attempts: 4,
            lastError: "garbled",
          },
        ],
      },
    },
  });

  it("accepts a good checkpoint, and one written before pending blobs existed", () => {
    assert.deepEqual(validateCheckpoint(good(), now), { ok: true, state: good() });
    const old = good() as { contentTypes: Record<string, { pending?: unknown }> };
    delete old.contentTypes["Audit.General"].pending;
    const r = validateCheckpoint(old, now);
    assert.ok(r.ok && r.state.contentTypes["Audit.General"].pending.length === 0);
  });

  const damage: [string, (s: ReturnType<typeof good>) => void, RegExp][] = [
    ["committedEnd not a time", (s) => ((s.contentTypes["Audit.General"] as Record<string, unknown>).committedEnd = "yesterday"), /committedEnd is not a time/],
    ["committedEnd far ahead", (s) => (s.contentTypes["Audit.General"].committedEnd = "2027-01-01T00:00:00Z"), /committedEnd is out of range/],
    ["doneBlobs missing", (s) => delete (s.contentTypes["Audit.General"] as Record<string, unknown>).doneBlobs, /doneBlobs is not an object/],
    ["a doneBlobs time negative", (s) => (s.contentTypes["Audit.General"].doneBlobs.a = -1), /doneBlobs\["a"\] is not a time/],
    ["attempts zero", (s) => (s.contentTypes["Audit.General"].pending[0].attempts = 0), /pending\[0\]\.attempts/],
    ["pending uri not a URL", (s) => (s.contentTypes["Audit.General"].pending[0].contentUri = "file:/etc/passwd"), /contentUri is not an http/],
    ["skew not an integer", (s) => (s.clockSkewSeconds = 0.5), /clockSkewSeconds/],
    ["contentTypes an array", (s) => ((s as Record<string, unknown>).contentTypes = []), /contentTypes is not an object/],
    ["version 2", (s) => ((s as Record<string, unknown>).version = 2), /version is not 1/],
  ];
  for (const [what, change, reason] of damage) {
    it(`rejects ${what}, naming the field`, () => {
      const s = good();
      change(s);
      const r = validateCheckpoint(s, now);
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.reason, reason);
    });
  }
});

describe("checkpoint validation: the Graph backfill's jobs", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  const job = () => ({
    start: "2026-11-10T12:00:00.000Z",
    end: "2026-11-13T13:10:00.000Z",
    contentTypes: ["Audit.General"],
    queryId: "168ec429-084b-a489-90d8-504a87846305",
    version: "beta",
    nextLink: "https://graph.microsoft.com/beta/security/auditLog/queries/168ec429-084b-a489-90d8-504a87846305/records?$skiptoken=abc",
    failures: 1,
  });
  const state = (jobs: unknown[]) => ({ version: 1, tenantId: "t1", contentTypes: {}, graph: { jobs } });

  it("accepts jobs before and after their query was created", () => {
    const fresh = { start: "2026-11-10T12:00:00.000Z", end: "2026-11-13T13:10:00.000Z", contentTypes: ["Audit.General", "DLP.All"] };
    assert.deepEqual(validateCheckpoint(state([job(), fresh]), now), { ok: true, state: state([job(), fresh]) });
    assert.ok(validateCheckpoint({ version: 1, tenantId: "t1", contentTypes: {} }, now).ok, "a checkpoint without graph");
  });

  const damage: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ["a start that is no time", (j) => (j.start = "last week"), /graph\.jobs\[0\]\.start is not a time/],
    ["a span that ends before it starts", (j) => (j.end = "2026-11-09T00:00:00.000Z"), /graph\.jobs\[0\] starts after it ends/],
    ["an unknown content type", (j) => (j.contentTypes = ["Audit.Teams"]), /contentTypes is not a list of content types/],
    ["no content type", (j) => (j.contentTypes = []), /contentTypes is not a list of content types/],
    ["an unknown API version", (j) => (j.version = "v2.0"), /version is not v1.0 or beta/],
    ["a query id without its version", (j) => delete j.version, /query id without its version/],
    ["a next link without a query", (j) => (delete j.queryId, delete j.version), /next link without a query/],
    ["a next link that is not https", (j) => (j.nextLink = "http://graph.microsoft.com/x"), /nextLink is not an https URL/],
    ["a negative failure count", (j) => (j.failures = -1), /failures is not an integer/],
  ];
  for (const [what, change, reason] of damage) {
    it(`rejects ${what}, naming the field`, () => {
      const j = job() as Record<string, unknown>;
      change(j);
      const r = validateCheckpoint(state([j]), now);
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.reason, reason);
    });
  }

  it("rejects jobs that are not a list", () => {
    const r = validateCheckpoint({ version: 1, tenantId: "t1", contentTypes: {}, graph: { jobs: {} } }, now);
    assert.match(r.ok ? "" : r.reason, /graph\.jobs is not a list/);
  });
});
