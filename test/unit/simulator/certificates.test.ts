import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createClientCertificate, createTlsMaterial } from "../../simulator/certificates";
import * as der from "../../simulator/der";

describe("simulator DER encoder", () => {
  it("encodes OIDs with the first two arcs folded and base-128 arcs", () => {
    assert.equal(der.objectIdentifier("1.2.840.113549.1.1.11").toString("hex"), "06092a864886f70d01010b");
    assert.equal(der.objectIdentifier("2.5.29.19").toString("hex"), "0603551d13");
    assert.throws(() => der.objectIdentifier("1"));
  });

  it("uses short and long length forms", () => {
    assert.equal(der.tlv(0x04, Buffer.alloc(127)).subarray(0, 2).toString("hex"), "047f");
    assert.equal(der.tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString("hex"), "0481c8");
    assert.equal(der.tlv(0x04, Buffer.alloc(300)).subarray(0, 4).toString("hex"), "0482012c");
  });

  it("keeps integers positive and minimal", () => {
    assert.equal(der.unsignedInteger(Buffer.from([0x80])).toString("hex"), "02020080");
    assert.equal(der.unsignedInteger(Buffer.from([0, 0, 0x7f])).toString("hex"), "02017f");
    assert.equal(der.smallInteger(0).toString("hex"), "020100");
    assert.equal(der.smallInteger(2).toString("hex"), "020102");
  });

  it("writes UTCTime before 2050 and GeneralizedTime after", () => {
    assert.equal(der.time(new Date("2026-03-09T13:58:12Z")).toString("latin1").slice(2), "260309135812Z");
    assert.equal(der.time(new Date("2026-03-09T13:58:12Z"))[0], 0x17);
    assert.equal(der.time(new Date("2051-01-01T00:00:00Z")).toString("latin1").slice(2), "20510101000000Z");
    assert.equal(der.time(new Date("2051-01-01T00:00:00Z"))[0], 0x18);
  });
});

describe("simulator certificates", () => {
  it("issues a CA and a server certificate for 127.0.0.1 and localhost that Node accepts", async () => {
    const tls = await createTlsMaterial();
    const ca = new X509Certificate(tls.caPem);
    const server = new X509Certificate(tls.certPem);
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca));
    assert.ok(server.verify(ca.publicKey));
    assert.ok(ca.verify(ca.publicKey));
    assert.equal(server.checkHost("localhost"), "localhost");
    assert.equal(server.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(server.checkHost("example.com"), undefined);
    assert.ok(new Date(server.validFrom) < new Date() && new Date(server.validTo) > new Date());
  });

  it("creates self-signed client certificates with Entra-style thumbprints", () => {
    const cert = createClientCertificate("collector");
    const parsed = new X509Certificate(cert.certPem);
    assert.equal(parsed.subject, "CN=collector");
    assert.ok(parsed.verify(parsed.publicKey));
    assert.equal(cert.thumbprintSha1, parsed.fingerprint.replace(/:/g, ""));
    assert.equal(cert.thumbprintSha256, parsed.fingerprint256.replace(/:/g, ""));
    assert.match(cert.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  });
});
