// Certificate credentials for MSAL's confidential client: a PEM holding the certificate and its
// private key (docs/configuration.md, `certificate_path`). MSAL wants the key as unencrypted PEM
// and the certificate's thumbprint (hex digest of its DER); the Activity API's documented
// client assertion carries the SHA-1 thumbprint as `x5t` (docs/reference/entra-clouds.md 2).
// The same reading serves --validate-arguments (checkCertificateFile) and the token provider.
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from "node:crypto";
import * as fs from "node:fs";

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
/** A certificate file larger than this is not a PEM certificate and key. */
const MAX_CERT_BYTES = 1024 * 1024;
const FIX = "give the full path of a PEM file on this host that holds the application's certificate and its private key";

/** Thrown for a certificate file we cannot use; `problem` says which part is wrong and how to fix it. */
export class CertificateError extends Error {
  override readonly name = "CertificateError";
  constructor(readonly problem: string) {
    super(`certificate_path ${problem}`);
  }
}

interface PemParts {
  cert: X509Certificate;
  certs: string[];
  keyPem: string;
  encrypted: boolean;
}

function pemParts(pemText: string): PemParts {
  const certs = pemText.match(CERT_BLOCK);
  const keyPem = KEY_BLOCK.exec(pemText)?.[0];
  if (!keyPem) throw new CertificateError(`holds no private key (-----BEGIN PRIVATE KEY-----): ${FIX}`);
  if (!certs) throw new CertificateError(`holds no certificate (-----BEGIN CERTIFICATE-----): ${FIX}`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certs[0]);
  } catch {
    throw new CertificateError("holds a certificate that cannot be parsed: export it again as PEM");
  }
  return { cert, certs, keyPem, encrypted: /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyPem) };
}

function readKey(parts: PemParts, password: string | undefined): KeyObject {
  if (parts.encrypted && !password) {
    throw new CertificateError("has its private key encrypted: store its certificate_password");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: parts.keyPem, format: "pem", ...(password ? { passphrase: password } : {}) });
  } catch {
    throw new CertificateError(
      parts.encrypted
        ? "holds a private key that cannot be decrypted: the certificate_password is wrong"
        : "holds a private key that cannot be parsed: export it again as PEM",
    );
  }
  if (!parts.cert.checkPrivateKey(key)) throw new CertificateError("holds a private key that does not belong to its first certificate");
  return key;
}

export function loadCertificateCredential(pemText: string, password?: string): CertificateCredential {
  const parts = pemParts(pemText);
  const key = readKey(parts, password);
  return {
    thumbprintSha1: createHash("sha1").update(parts.cert.raw).digest("hex"),
    thumbprintSha256: createHash("sha256").update(parts.cert.raw).digest("hex"),
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    certificatePem: parts.certs.join("\n"),
  };
}

/**
 * The --validate-arguments check of `certificate_path`: the file exists, is small, and holds a
 * certificate with its private key. An encrypted key is matched only at run time, with the
 * certificate_password from storage/passwords. Returns the problem, or undefined.
 */
export function checkCertificateFile(path: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    return `certificate_path "${path}" does not exist or cannot be read by Splunk: ${FIX}`;
  }
  if (!stat.isFile()) return `certificate_path "${path}" is not a file: ${FIX}`;
  if (stat.size > MAX_CERT_BYTES) return `certificate_path "${path}" is ${stat.size} bytes, too large for a PEM certificate: ${FIX}`;
  let pem: string;
  try {
    pem = fs.readFileSync(path, "utf8");
  } catch {
    return `certificate_path "${path}" cannot be read by the user Splunk runs as: check the file's permissions`;
  }
  try {
    const parts = pemParts(pem);
    if (!parts.encrypted) readKey(parts, undefined);
    return undefined;
  } catch (err) {
    if (err instanceof CertificateError) return `certificate_path "${path}" ${err.problem}`;
    throw err;
  }
}
