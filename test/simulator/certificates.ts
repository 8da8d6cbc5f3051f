// X.509 certificates for the simulator: a throw-away CA, a server certificate for 127.0.0.1 and
// localhost signed by it, and self-signed client certificates (Entra app credentials). Built
// with the DER encoder in ./der and signed with node:crypto (RFC 5280 layout).
import { createHash, generateKeyPair, generateKeyPairSync, KeyObject, randomBytes, sign } from "node:crypto";
import { promisify } from "node:util";
import * as der from "./der";

const generateKeyPairAsync = promisify(generateKeyPair);

const OID = {
  sha256WithRsa: "1.2.840.113549.1.1.11",
  commonName: "2.5.4.3",
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface Issuer extends KeyPair {
  commonName: string;
}

export interface CertificateRequest {
  commonName: string;
  publicKey: KeyObject;
  /** Who signs (for a self-signed certificate: the subject's own name and keys). */
  issuer: Issuer;
  ca: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore: Date;
  notAfter: Date;
}

const name = (commonName: string): Buffer =>
  der.sequence(der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String(commonName))));

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash("sha1").update(publicKey.export({ type: "pkcs1", format: "der" })).digest();
}

/** KeyUsage bits (RFC 5280 4.2.1.3) as a BIT STRING of one byte with unused trailing bits. */
function keyUsage(ca: boolean): Buffer {
  // digitalSignature(0) keyEncipherment(2) for leaves; keyCertSign(5) cRLSign(6) for the CA.
  return ca ? der.tlv(0x03, Buffer.from([0x01, 0x06])) : der.tlv(0x03, Buffer.from([0x05, 0xa0]));
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`only IPv4 SANs are supported: ${ip}`);
  }
  return Buffer.from(parts);
}

/** DER of a certificate built and signed as requested. */
export function buildCertificate(req: CertificateRequest): Buffer {
  const algorithm = der.sequence(der.objectIdentifier(OID.sha256WithRsa), der.nullValue());
  const extensions = [
    extension(OID.basicConstraints, true, der.sequence(...(req.ca ? [der.boolean(true)] : []))),
    extension(OID.keyUsage, true, keyUsage(req.ca)),
    extension(OID.subjectKeyId, false, der.octetString(keyIdentifier(req.publicKey))),
    extension(OID.authorityKeyId, false, der.sequence(der.implicitPrimitive(0, keyIdentifier(req.issuer.publicKey)))),
  ];
  if (!req.ca) {
    extensions.push(
      extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth), der.objectIdentifier(OID.clientAuth))),
    );
  }
  const altNames = [
    ...(req.dnsNames ?? []).map((dns) => der.implicitPrimitive(2, Buffer.from(dns, "ascii"))),
    ...(req.ipAddresses ?? []).map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, der.sequence(...altNames)));

  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive, at most 20 octets (RFC 5280 4.1.2.2)
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(serial),
    algorithm,
    name(req.issuer.commonName),
    der.sequence(der.time(req.notBefore), der.time(req.notAfter)),
    name(req.commonName),
    req.publicKey.export({ type: "spki", format: "der" }),
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, req.issuer.privateKey);
  return der.sequence(tbs, algorithm, der.bitString(signature));
}

export function toPem(derBytes: Buffer, label = "CERTIFICATE"): string {
  const lines = derBytes.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Thumbprints as Entra shows them: hex of SHA-1 / SHA-256 over the certificate's DER. */
export function thumbprints(certDer: Buffer): { sha1: string; sha256: string } {
  return {
    sha1: createHash("sha1").update(certDer).digest("hex").toUpperCase(),
    sha256: createHash("sha256").update(certDer).digest("hex").toUpperCase(),
  };
}

const DAY_MS = 86_400_000;

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  // Back-date an hour so small clock differences between processes never matter.
  return { notBefore: new Date(now.getTime() - 3_600_000), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const rsa = { modulusLength: 2048, publicExponent: 0x10001 } as const;

/** A fresh CA and a server certificate for 127.0.0.1 / localhost (both keys generated now). */
export async function createTlsMaterial(now = new Date()): Promise<TlsMaterial> {
  const [caKeys, serverKeys] = await Promise.all([
    generateKeyPairAsync("rsa", rsa),
    generateKeyPairAsync("rsa", rsa),
  ]);
  const ca: Issuer = { commonName: "Defender O365 simulator CA", ...caKeys };
  const caDer = buildCertificate({ commonName: ca.commonName, publicKey: ca.publicKey, issuer: ca, ca: true, ...validity(now, 30) });
  const serverDer = buildCertificate({
    commonName: "localhost",
    publicKey: serverKeys.publicKey,
    issuer: ca,
    ca: false,
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    ...validity(now, 30),
  });
  return {
    caPem: toPem(caDer),
    certPem: toPem(serverDer),
    keyPem: serverKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  /** Uppercase hex, as the Entra portal lists it. */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

/** A self-signed certificate + key, as an admin uploads to an app registration. */
export function createClientCertificate(commonName: string, now = new Date()): ClientCertificate {
  const keys = generateKeyPairSync("rsa", rsa);
  const self: Issuer = { commonName, ...keys };
  const certDer = buildCertificate({ commonName, publicKey: keys.publicKey, issuer: self, ca: false, ...validity(now, 365) });
  const prints = thumbprints(certDer);
  return {
    certPem: toPem(certDer),
    keyPem: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    thumbprintSha1: prints.sha1,
    thumbprintSha256: prints.sha256,
  };
}
