// The Id store's day files (docs/collector.md, "Exactly once"): `<YYYY-MM-DD>.ids` per UTC day of
// writing, kept for the retention and deleted after it; nothing else in the folder is touched.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IdStore, idKey } from "../../../src/collector/dedupe";

const at = (iso: string) => () => new Date(iso);

describe("collector/dedupe: IdStore day files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ids-days-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(day: string, ...ids: string[]): Buffer[] {
    const store = IdStore.load(dir, { now: at(`${day}T12:00:00Z`) });
    const keys = ids.map((id) => idKey(id, ""));
    for (const k of keys) store.remember(k);
    store.persist(keys);
    return keys;
  }

  it("appends each day's keys to that day's file and reads all of them back", () => {
    const [a, b] = write("2026-11-18", "a", "b");
    const [c] = write("2026-11-19", "c");
    const [d] = write("2026-11-19", "d");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["2026-11-18.ids", "2026-11-19.ids"]);
    assert.deepEqual(fs.readFileSync(path.join(dir, "2026-11-18.ids")), Buffer.concat([a, b]));
    assert.deepEqual(fs.readFileSync(path.join(dir, "2026-11-19.ids")), Buffer.concat([c, d]));
    const store = IdStore.load(dir, { now: at("2026-11-20T00:00:00Z") });
    assert.equal(store.size, 4);
    for (const k of [a, b, c, d]) assert.equal(store.has(k), true);
    assert.equal(store.has(idKey("e", "")), false);
  });

  it("keeps the file of the oldest retained day and deletes the day before it", () => {
    // 2026-11-20T00:00Z minus 8 days is 2026-11-12T00:00Z: that day is kept, the 11th is not.
    const [old] = write("2026-11-11", "old");
    const [edge] = write("2026-11-12", "edge");
    const [recent] = write("2026-11-19", "recent");
    const store = IdStore.load(dir, { now: at("2026-11-20T00:00:00Z"), retentionDays: 8 });
    assert.deepEqual(fs.readdirSync(dir).sort(), ["2026-11-12.ids", "2026-11-19.ids"]);
    assert.equal(store.has(old), false);
    assert.equal(store.has(edge), true);
    assert.equal(store.has(recent), true);
    assert.equal(store.size, 2);
  });

  it("honours a shorter retention", () => {
    write("2026-11-18", "two days");
    const [yesterday] = write("2026-11-19", "yesterday");
    const store = IdStore.load(dir, { now: at("2026-11-20T06:00:00Z"), retentionDays: 1 });
    assert.deepEqual(fs.readdirSync(dir), ["2026-11-19.ids"]);
    assert.equal(store.size, 1);
    assert.equal(store.has(yesterday), true);
  });

  it("neither reads nor deletes files that are not day files", () => {
    const key = idKey("foreign", "");
    const foreign = ["2026-11-19.ids.bak", "copy-2026-11-19.ids", "notes", "2020-01-01.ids~", "x2020-01-01.ids"];
    for (const name of foreign) fs.writeFileSync(path.join(dir, name), key);
    const store = IdStore.load(dir, { now: at("2026-11-20T00:00:00Z") });
    assert.equal(store.size, 0);
    assert.equal(store.has(key), false);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...foreign].sort());
  });

  it("reads whole keys of every file when one of them ends in a partial key", () => {
    const [a] = write("2026-11-18", "a");
    fs.appendFileSync(path.join(dir, "2026-11-18.ids"), Buffer.from([9, 9, 9, 9, 9]));
    const [b, c] = write("2026-11-19", "b", "c");
    const store = IdStore.load(dir, { now: at("2026-11-20T00:00:00Z") });
    assert.equal(store.size, 3);
    for (const k of [a, b, c]) assert.equal(store.has(k), true);
  });

  it("writes no file for an empty batch", () => {
    IdStore.load(dir, { now: at("2026-11-20T00:00:00Z") }).persist([]);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("names the file by the real UTC day when no clock is given", () => {
    const before = new Date().toISOString().slice(0, 10);
    const store = IdStore.load(dir);
    const k = idKey("today", "");
    store.remember(k);
    store.persist([k]);
    const after = new Date().toISOString().slice(0, 10);
    const [name] = fs.readdirSync(dir);
    assert.ok(name === `${before}.ids` || name === `${after}.ids`, name);
    assert.equal(IdStore.load(dir).has(k), true);
  });

  it("creates its folder", () => {
    const nested = path.join(dir, "a", "b.ids");
    const store = IdStore.load(nested, { now: at("2026-11-20T00:00:00Z") });
    const k = idKey("n", "");
    store.remember(k);
    store.persist([k]);
    assert.deepEqual(fs.readdirSync(nested), ["2026-11-20.ids"]);
  });
});
