import assert from "node:assert/strict";
import { constants, generateKeyPairSync, sign } from "node:crypto";
import { base64url, decodeJwt, signHs256, verifyHs256, verifyRsaSignature } from "../../simulator/jwt";

describe("simulator JWT helpers", () => {
  const key = Buffer.alloc(32, 7);

  it("round-trips HS256 tokens and rejects tampering or another key", () => {
    const token = signHs256({ tid: "t", exp: 5 }, key);
    assert.deepEqual(verifyHs256(token, key), { tid: "t", exp: 5 });
    const [h, , s] = token.split(".");
    const forged = `${h}.${base64url(JSON.stringify({ tid: "other", exp: 5 }))}.${s}`;
    assert.equal(verifyHs256(forged, key), undefined);
    assert.equal(verifyHs256(token, Buffer.alloc(32, 8)), undefined);
    assert.equal(verifyHs256("not-a-jwt", key), undefined);
  });

  it("verifies RS256 and PS256 signatures against the given public key only", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    const make = (alg: string, signature: (input: Buffer) => Buffer): string => {
      const input = `${base64url(JSON.stringify({ alg }))}.${base64url(JSON.stringify({ sub: "x" }))}`;
      return `${input}.${base64url(signature(Buffer.from(input)))}`;
    };
    const rs = decodeJwt(make("RS256", (i) => sign("sha256", i, privateKey)));
    const ps = decodeJwt(make("PS256", (i) => sign("sha256", i, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })));
    const none = decodeJwt(make("none", () => Buffer.alloc(0)));
    assert.ok(rs && ps && none);
    assert.equal(verifyRsaSignature(rs, publicKey), true);
    assert.equal(verifyRsaSignature(ps, publicKey), true);
    assert.equal(verifyRsaSignature(rs, other), false);
    assert.equal(verifyRsaSignature(none, publicKey), false);
  });
});
