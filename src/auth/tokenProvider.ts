// App-only access tokens for the Activity API (or, with another scope, Microsoft Graph): one
// MSAL confidential client (client credentials flow, docs/reference/entra-clouds.md 2) per API client, with a client secret or a
// certificate. The token is cached and renewed a few minutes before it expires (Microsoft
// suggests renewing ahead of the ~1 h lifetime); invalidate() forces a new one after a 401.
import { ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import type { Dispatcher } from "undici";
import type { Endpoints } from "./clouds";
import { CertificateError, loadCertificateCredential } from "./certificate";
import { msalNetworkClient } from "./msalNetwork";
import { TokenError, toTokenError } from "./tokenErrors";
import type { Logger } from "../splunk/logger";

export type Credential =
  | { kind: "secret"; secret: string }
  | {
      kind: "certificate";
      /** The PEM text (certificate + private key) read from certificate_path. */
      pem: string;
      password?: string;
      /** Send the certificate chain as `x5c` (needed only for subject-name/issuer auth). */
      sendX5c?: boolean;
    };

export interface TokenProvider {
  /** A valid bearer token (cached until ~5 min before expiry). Throws TokenError. */
  getToken(): Promise<string>;
  /** Forget the cached token: the server refused it (HTTP 401). */
  invalidate(): void;
}

export interface TokenProviderOptions {
  endpoints: Endpoints;
  /** The `<resource>/.default` scope to ask for; default the Activity API's (endpoints.scope). */
  scope?: string;
  clientId: string;
  credential: Credential;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Aborts token requests in flight when the owner shuts down. */
  signal?: AbortSignal;
  /** The proxy in use (origin, no credentials), named in network failures. */
  proxy?: string;
  now?: () => number;
  /** Renew this long before expiry; default 5 minutes. */
  refreshMarginMs?: number;
}

export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Used when the token response does not say when the token expires (Entra sends ~3599 s). */
const ASSUMED_LIFETIME_MS = 55 * 60_000;

function clientCredential(credential: Credential): Pick<Configuration["auth"], "clientSecret" | "clientCertificate"> {
  if (credential.kind === "secret") {
    if (!credential.secret) throw new TokenError("No client secret is stored for this input: re-enter it", "secret_missing");
    return { clientSecret: credential.secret };
  }
  let cert;
  try {
    cert = loadCertificateCredential(credential.pem, credential.password);
  } catch (err) {
    if (err instanceof CertificateError) throw new TokenError(`Cannot use certificate_path: ${err.message}`, "config_invalid");
    throw err;
  }
  // SHA-1 `x5t` with RS256, as the Activity API documents its client assertion; Entra accepts it.
  return {
    clientCertificate: {
      thumbprint: cert.thumbprintSha1,
      privateKey: cert.privateKeyPem,
      ...(credential.sendX5c ? { x5c: cert.certificatePem } : {}),
    },
  };
}

/**
 * OpenID metadata for an authority_url override, built locally so that MSAL makes no discovery
 * call: Entra's v2 endpoint layout under `<authority>`.
 */
export function localAuthorityMetadata(authority: string): string {
  return JSON.stringify({
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    issuer: `${authority}/v2.0`,
    jwks_uri: `${authority}/discovery/v2.0/keys`,
  });
}

export function msalConfiguration(options: TokenProviderOptions): Configuration {
  const { endpoints, logger } = options;
  return {
    auth: {
      clientId: options.clientId,
      authority: endpoints.authority,
      ...clientCredential(options.credential),
      // A known authority needs no instance discovery; a custom one also gets its metadata here.
      knownAuthorities: [endpoints.knownAuthorityHost],
      ...(endpoints.customAuthority ? { authorityMetadata: localAuthorityMetadata(endpoints.authority) } : {}),
    },
    system: {
      networkClient: msalNetworkClient(options.dispatcher, options.signal, options.proxy),
      // Our API client retries with its own backoff and logging.
      disableInternalRetries: true,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => logger.debug("msal", { detail: message }),
      },
    },
  };
}

export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly loginHost: string;
  private cached?: { token: string; renewAt: number };
  private pending?: Promise<string>;

  constructor(private readonly options: TokenProviderOptions) {
    this.app = new ConfidentialClientApplication(msalConfiguration(options));
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
    this.loginHost = options.endpoints.knownAuthorityHost;
  }

  getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return Promise.resolve(this.cached.token);
    // Concurrent callers share one token request.
    this.pending ??= this.acquire().finally(() => (this.pending = undefined));
    return this.pending;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async acquire(): Promise<string> {
    let result;
    try {
      // Our cache decides when to renew, so MSAL's own cache is bypassed.
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.options.scope ?? this.options.endpoints.scope], skipCache: true });
    } catch (err) {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      throw toTokenError(err, this.loginHost);
    }
    if (!result?.accessToken) {
      throw new TokenError(`The login host ${this.loginHost} returned no access token: check the credential`, "auth_failed");
    }
    // MSAL stamps expiresOn with the wall clock; keep only the lifetime, on our clock.
    const lifetime = result.expiresOn ? result.expiresOn.getTime() - Date.now() : ASSUMED_LIFETIME_MS;
    // A token that lives shorter than twice the margin is renewed at half its life instead.
    const renewAt = this.now() + lifetime - Math.min(this.margin, lifetime / 2);
    this.cached = { token: result.accessToken, renewAt };
    this.options.logger.debug("Access token acquired", { expires_in_s: Math.round(lifetime / 1000) });
    return result.accessToken;
  }
}
