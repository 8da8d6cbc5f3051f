import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { CertificateError, loadCertificateCredential } from "../../../src/auth/certificate";
import { makeSelfSignedCert, type TlsMaterial } from "../api/fixtures";

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

/** openssl's own fingerprint (`SHA1 Fingerprint=AB:CD:...`) as lower-case hex. */
function fingerprint(dir: string, digest: "sha1" | "sha256"): string {
  const out = openssl(["x509", "-in", join(dir, "cert.pem"), "-noout", "-fingerprint", `-${digest}`]);
  return out.split("=")[1].trim().replace(/:/g, "").toLowerCase();
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

  it("computes the SHA-1 and SHA-256 thumbprints openssl reports for the certificate", () => {
    const cred = loadCertificateCredential(tls.keyPem + tls.certPem);
    assert.equal(cred.thumbprintSha1, fingerprint(tls.dir, "sha1"));
    assert.equal(cred.thumbprintSha256, fingerprint(tls.dir, "sha256"));
    assert.match(cred.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(cred.certificatePem, /BEGIN CERTIFICATE/);
  });

  it("decrypts a PKCS#8 encrypted key with the certificate password", () => {
    const encrypted = openssl(["pkcs8", "-topk8", "-in", join(tls.dir, "key.pem"), "-v2", "aes-256-cbc", "-passout", "pass:s3cret pass"]);
    assert.match(encrypted, /ENCRYPTED PRIVATE KEY/);
    const cred = loadCertificateCredential(tls.certPem + encrypted, "s3cret pass");
    assert.equal(cred.thumbprintSha1, fingerprint(tls.dir, "sha1"));
    assert.doesNotMatch(cred.privateKeyPem, /ENCRYPTED/);
    assert.throws(() => loadCertificateCredential(tls.certPem + encrypted, "wrong"), /certificate_password is wrong/);
    assert.throws(() => loadCertificateCredential(tls.certPem + encrypted), /encrypted: store its certificate_password/);
  });

  it("decrypts a traditional (Proc-Type) encrypted RSA key", () => {
    const legacy = openssl(["rsa", "-in", join(tls.dir, "key.pem"), "-aes256", "-traditional", "-passout", "pass:pw"]);
    assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
    assert.equal(loadCertificateCredential(legacy + tls.certPem, "pw").thumbprintSha1, fingerprint(tls.dir, "sha1"));
  });

  it("names what is missing or mismatched", () => {
    assert.throws(() => loadCertificateCredential(tls.keyPem), CertificateError);
    assert.throws(() => loadCertificateCredential(tls.keyPem), /holds no certificate/);
    assert.throws(() => loadCertificateCredential(tls.certPem), /holds no private key/);
    assert.throws(() => loadCertificateCredential(tls.certPem + other.keyPem), /does not belong/);
  });
});
