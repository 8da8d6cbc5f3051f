import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ID_BYTES, IdStore, KeySet, idKey } from "../../../src/collector/dedupe";

describe("idKey", () => {
  it("uses a GUID's own 16 bytes, whatever its case or braces", () => {
    const a = idKey("0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9", "x");
    assert.equal(a.toString("hex"), "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert.deepEqual(idKey("{0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}", "y"), a);
  });
  it("hashes other Ids, and the record text when there is no Id", () => {
    assert.equal(idKey("not-a-guid", "x").length, ID_BYTES);
    assert.notDeepEqual(idKey("not-a-guid", "x"), idKey("not-a-guid2", "x"));
    assert.deepEqual(idKey(undefined, '{"a":1}'), idKey(undefined, '{"a":1}'));
    assert.notDeepEqual(idKey(undefined, '{"a":1}'), idKey(undefined, '{"a":2}'));
  });
});

describe("KeySet", () => {
  it("adds, finds and grows without losing keys", () => {
    const set = new KeySet(4);
    const keys = Array.from({ length: 5000 }, (_, i) => idKey(`id-${i}`, ""));
    for (const k of keys) assert.equal(set.add(k), true);
    for (const k of keys) assert.equal(set.add(k), false);
    assert.equal(set.size, 5000);
    assert.equal(set.has(idKey("id-5000", "")), false);
    for (const k of keys) assert.equal(set.has(k), true);
  });
});

describe("IdStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ids-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("persists 16 bytes per Id and remembers them after a reload", () => {
    const day = new Date("2026-11-20T10:00:00Z");
    const store = IdStore.load(dir, { now: () => day });
    const keys = [idKey("11111111-1111-1111-1111-111111111111", ""), idKey("x", "")];
    for (const k of keys) store.remember(k);
    store.persist(keys);
    assert.equal(fs.statSync(path.join(dir, "2026-11-20.ids")).size, 2 * ID_BYTES);
    const again = IdStore.load(dir, { now: () => day });
    assert.equal(again.size, 2);
    assert.equal(again.remember(keys[0]), false);
  });

  it("forgets days past the retention and deletes their files", () => {
    const old = IdStore.load(dir, { now: () => new Date("2026-11-01T00:00:00Z") });
    const k = idKey("old", "");
    old.remember(k);
    old.persist([k]);
    const later = IdStore.load(dir, { now: () => new Date("2026-11-20T00:00:00Z"), retentionDays: 8 });
    assert.equal(later.has(k), false);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("keeps 7 days of Ids by default", () => {
    const first = IdStore.load(dir, { now: () => new Date("2026-11-13T00:00:00Z") });
    const k = idKey("week", "");
    first.remember(k);
    first.persist([k]);
    assert.equal(IdStore.load(dir, { now: () => new Date("2026-11-20T23:00:00Z") }).has(k), true);
  });

  it("ignores and cuts off a partial key left by a hard kill", () => {
    const now = () => new Date("2026-11-20T00:00:00Z");
    const file = path.join(dir, "2026-11-20.ids");
    const k1 = idKey("one", "");
    fs.writeFileSync(file, Buffer.concat([k1, Buffer.from([1, 2, 3])]));
    const store = IdStore.load(dir, { now });
    assert.equal(store.size, 1);
    const k2 = idKey("two", "");
    store.remember(k2);
    store.persist([k2]);
    assert.equal(fs.statSync(file).size, 2 * ID_BYTES);
    assert.equal(IdStore.load(dir, { now }).has(k2), true);
  });
});
