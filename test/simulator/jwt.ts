// JSON Web Tokens (RFC 7519) as far as the simulator needs them: access tokens it issues
// (HS256 with a key only the simulator holds; real Entra signs RS256, but nobody outside the
// simulator verifies these) and client assertions it receives (RFC 7523: RS256 with an `x5t`
// SHA-1 thumbprint header, or PS256 with `x5t#S256`, as MSAL Node sends for thumbprintSha256).
import { constants, createHmac, KeyObject, timingSafeEqual, verify } from "node:crypto";

export type JsonObject = { [key: string]: unknown };

export const base64url = (bytes: Buffer | string): string => Buffer.from(bytes).toString("base64url");

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  signingInput: string;
  signature: Buffer;
}

function parseSegment(segment: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and parses a compact JWS; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  const header = parseSegment(parts[0]);
  const payload = parseSegment(parts[1]);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
}

export function signHs256(payload: JsonObject, key: Buffer): string {
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(createHmac("sha256", key).update(signingInput).digest())}`;
}

/** The payload when the HS256 signature is ours; undefined otherwise (expiry is the caller's). */
export function verifyHs256(token: string, key: Buffer): JsonObject | undefined {
  const jwt = decodeJwt(token);
  if (!jwt || jwt.header.alg !== "HS256") return undefined;
  const expected = createHmac("sha256", key).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature) ? jwt.payload : undefined;
}

/** Verifies an RS256 or PS256 signature with the given public key. */
export function verifyRsaSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const input = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === "RS256") return verify("sha256", input, publicKey, jwt.signature);
  if (jwt.header.alg === "PS256") {
    return verify("sha256", input, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
  }
  return false;
}
