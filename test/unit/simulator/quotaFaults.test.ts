import assert from "node:assert/strict";
import { FaultState } from "../../simulator/faults";
import { MinuteQuota } from "../../simulator/quota";

describe("simulator quota", () => {
  it("allows `limit` requests per sliding minute and counts rejected ones too", () => {
    const quota = new MinuteQuota(3);
    assert.deepEqual([0, 1, 2, 3].map((t) => quota.take(t)), [true, true, true, false]);
    // Four requests were counted; the window frees up only as they age out.
    assert.equal(quota.take(60_000), false);
    assert.equal(quota.take(60_002), true);
  });
});

describe("simulator faults", () => {
  it("fires a counted fault for the next N matching requests only", () => {
    const faults = new FaultState({ internalErrors: { count: 2, on: ["blob"] } });
    assert.equal(faults.fires("internalErrors", "content"), false);
    assert.deepEqual([1, 2, 3].map(() => faults.fires("internalErrors", "blob")), [true, true, false]);
  });

  it("applies to every Activity API request by default, never to the token endpoint", () => {
    const faults = new FaultState({ throttle: { count: 10 } });
    assert.equal(faults.fires("throttle", "token"), false);
    assert.equal(faults.fires("throttle", "list"), true);
    assert.equal(faults.fires("throttle", "blob"), true);
  });

  it("limits blob faults to blob GETs and page loops to listings unless told otherwise", () => {
    const faults = new FaultState({ truncatedBlobs: { count: 5 }, nextPageLoop: { count: 5 } });
    assert.equal(faults.fires("truncatedBlobs", "content"), false);
    assert.equal(faults.fires("truncatedBlobs", "blob"), true);
    assert.equal(faults.fires("nextPageLoop", "blob"), false);
    assert.equal(faults.fires("nextPageLoop", "content"), true);
  });

  it("fires a fraction of requests reproducibly for a seed", () => {
    const run = (seed: number): boolean[] => {
      const faults = new FaultState({ resets: { fraction: 0.3 } }, seed);
      return Array.from({ length: 200 }, () => faults.fires("resets", "blob"));
    };
    const first = run(4);
    assert.deepEqual(run(4), first);
    const hits = first.filter(Boolean).length;
    assert.ok(hits > 30 && hits < 90, `hits ${hits}`);
    assert.notDeepEqual(run(5), first);
  });

  it("reports clock skew in milliseconds", () => {
    assert.equal(new FaultState({ clockSkewSeconds: -90 }).clockSkewMs, -90_000);
    assert.equal(new FaultState({}).clockSkewMs, 0);
  });
});
