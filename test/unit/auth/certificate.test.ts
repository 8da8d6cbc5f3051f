import { strict as assert } from "node:assert";
import forge from "node-forge";
import { CertificateError, loadCertificateCredential } from "../../../src/auth/certificate";
import { makeSelfSignedCert, type TlsMaterial } from "../api/fixtures";

/** The certificate's fingerprint as node-forge computes it over its DER, in lower-case hex. */
function fingerprint(certPem: string, digest: "sha1" | "sha256"): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes();
  return forge.md[digest].create().update(der).digest().toHex();
}

describe("auth/certificate", () => {
  let tls: TlsMaterial;
  let other: TlsMaterial;
  before(() => {
    tls = makeSelfSignedCert();
    other = makeSelfSignedCert();
  });
  after(() => {
    tls.cleanup();
    other.cleanup();
  });

  it("computes the SHA-1 and SHA-256 thumbprints of the certificate's DER", () => {
    const cred = loadCertificateCredential(tls.keyPem + tls.certPem);
    assert.equal(cred.thumbprintSha1, fingerprint(tls.certPem, "sha1"));
    assert.equal(cred.thumbprintSha256, fingerprint(tls.certPem, "sha256"));
    assert.match(cred.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(cred.certificatePem, /BEGIN CERTIFICATE/);
  });

  it("decrypts a PKCS#8 encrypted key with the certificate password", () => {
    const key = forge.pki.privateKeyFromPem(tls.keyPem);
    const encrypted = forge.pki.encryptRsaPrivateKey(key, "s3cret pass", { algorithm: "aes256" });
    assert.match(encrypted, /ENCRYPTED PRIVATE KEY/);
    const cred = loadCertificateCredential(tls.certPem + encrypted, "s3cret pass");
    assert.equal(cred.thumbprintSha1, fingerprint(tls.certPem, "sha1"));
    assert.doesNotMatch(cred.privateKeyPem, /ENCRYPTED/);
    assert.throws(() => loadCertificateCredential(tls.certPem + encrypted, "wrong"), /certificate_password is wrong/);
    assert.throws(() => loadCertificateCredential(tls.certPem + encrypted), /encrypted: store its certificate_password/);
  });

  it("decrypts a traditional (Proc-Type) encrypted RSA key", () => {
    const legacy = forge.pki.encryptRsaPrivateKey(forge.pki.privateKeyFromPem(tls.keyPem), "pw", { algorithm: "aes256", legacy: true });
    assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
    assert.equal(loadCertificateCredential(legacy + tls.certPem, "pw").thumbprintSha1, fingerprint(tls.certPem, "sha1"));
  });

  it("names what is missing or mismatched", () => {
    assert.throws(() => loadCertificateCredential(tls.keyPem), CertificateError);
    assert.throws(() => loadCertificateCredential(tls.keyPem), /holds no certificate/);
    assert.throws(() => loadCertificateCredential(tls.certPem), /holds no private key/);
    assert.throws(() => loadCertificateCredential(tls.certPem + other.keyPem), /does not belong/);
  });
});
