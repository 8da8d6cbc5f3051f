// KeySet.addMany has a key-by-key path for big-endian hosts (its word views assume little-endian
// byte order). This host is little-endian, so the module is loaded afresh with os.endianness
// answering "BE" to run that path: it must keep the same keys as the fast one.
import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import * as os from "node:os";
import type * as Dedupe from "../../../src/collector/dedupe";

const load = createRequire(__filename);

function bigEndianDedupe(): typeof Dedupe {
  const modulePath = load.resolve("../../../src/collector/dedupe");
  const osModule = load("node:os") as { endianness: () => "BE" | "LE" };
  const real = osModule.endianness;
  delete load.cache[modulePath];
  osModule.endianness = () => "BE";
  try {
    return load(modulePath) as typeof Dedupe;
  } finally {
    osModule.endianness = real;
    delete load.cache[modulePath];
  }
}

describe("collector/dedupe: KeySet.addMany on a big-endian host", () => {
  it("adds every whole key of every chunk once, beside keys added before", () => {
    assert.equal(os.endianness(), "LE");
    const { KeySet, idKey } = bigEndianDedupe();
    const keys = Array.from({ length: 300 }, (_, i) => idKey(`be-${i}`, ""));
    const set = new KeySet();
    for (const k of keys.slice(0, 50)) set.add(k);
    // key 199 ends the first chunk exactly; the second repeats 100-149 and ends in a torn key
    const torn = Buffer.concat([...keys.slice(100, 150), ...keys.slice(200, 300), Buffer.from([1, 2, 3])]);
    set.addMany(350, [Buffer.concat(keys.slice(0, 200)), torn]);
    assert.equal(set.size, 300);
    for (const k of keys) assert.equal(set.has(k), true);
    assert.equal(set.has(idKey("be-300", "")), false);
    assert.equal(set.has(Buffer.alloc(16)), false);
  });
});
