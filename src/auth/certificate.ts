// Certificate credentials for MSAL's confidential client: a PEM holding the certificate and its
// private key (design.md section 2, `certificate_path`). MSAL wants the key as unencrypted PEM
// and the certificate's thumbprint (hex digest of its DER); the Activity API's documented
// client assertion carries the SHA-1 thumbprint as `x5t` (reference/activity-api.md 1.2).
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from "node:crypto";

export interface CertificateCredential {
  /** Hex SHA-1 of the certificate DER (the `x5t` Entra shows as "Thumbprint"). */
  thumbprintSha1: string;
  /** Hex SHA-256 of the certificate DER (`x5t#S256`). */
  thumbprintSha256: string;
  /** Unencrypted PKCS#8 PEM, for MSAL only; never logged. */
  privateKeyPem: string;
  /** The certificate PEM(s) found, for an optional `x5c` header. */
  certificatePem: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/;

/** Thrown for a certificate file we cannot use; the message says which part is wrong. */
export class CertificateError extends Error {
  override readonly name = "CertificateError";
}

function readKey(pem: string, password: string | undefined): KeyObject {
  const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && !password) {
    throw new CertificateError("the private key in certificate_path is encrypted: store its certificate_password");
  }
  try {
    return createPrivateKey({ key: pem, format: "pem", ...(password ? { passphrase: password } : {}) });
  } catch {
    throw new CertificateError(
      encrypted
        ? "cannot decrypt the private key in certificate_path: the certificate_password is wrong"
        : "the private key in certificate_path cannot be read",
    );
  }
}

export function loadCertificateCredential(pemText: string, password?: string): CertificateCredential {
  const certs = pemText.match(CERT_BLOCK);
  if (!certs) throw new CertificateError("certificate_path holds no PEM certificate (BEGIN CERTIFICATE)");
  const keyPem = pemText.match(KEY_BLOCK)?.[0];
  if (!keyPem) throw new CertificateError("certificate_path holds no PEM private key (BEGIN PRIVATE KEY)");
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certs[0]);
  } catch {
    throw new CertificateError("the certificate in certificate_path cannot be parsed");
  }
  const key = readKey(keyPem, password);
  if (!cert.checkPrivateKey(key)) {
    throw new CertificateError("the private key in certificate_path does not belong to its first certificate");
  }
  return {
    thumbprintSha1: createHash("sha1").update(cert.raw).digest("hex"),
    thumbprintSha256: createHash("sha256").update(cert.raw).digest("hex"),
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    certificatePem: certs.join("\n"),
  };
}
