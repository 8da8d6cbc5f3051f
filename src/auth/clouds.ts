// Where each Microsoft cloud serves the Activity API and its logins (docs/reference/entra-clouds.md
// 1: API host per plan from Microsoft's Activity API reference; login hosts from Entra's
// national-cloud page; scope = `https://<API host>/.default`), plus the `api_url` and
// `authority_url` overrides (docs/configuration.md).

export interface CloudHosts {
  apiHost: string;
  loginHost: string;
}

/** The clouds an input can name in `cloud`; the list the config parser, scheme and page offer. */
export const CLOUDS = {
  commercial: { apiHost: "manage.office.com", loginHost: "login.microsoftonline.com" },
  // GCC identities live in the commercial Entra cloud.
  gcc: { apiHost: "manage-gcc.office.com", loginHost: "login.microsoftonline.com" },
  gcc_high: { apiHost: "manage.office365.us", loginHost: "login.microsoftonline.us" },
  dod: { apiHost: "manage.protection.apps.mil", loginHost: "login.microsoftonline.us" },
} as const satisfies Record<string, CloudHosts>;

export type Cloud = keyof typeof CLOUDS;
/** The cloud names in the table's order (commercial first: the default). */
export const CLOUD_NAMES = Object.keys(CLOUDS) as readonly Cloud[];

export interface Endpoints {
  /** `<origin>/api/v1.0/<tenant>/activity/feed`, no trailing slash. */
  apiRoot: string;
  /** `<login origin>/<tenant>`, what MSAL calls the authority. */
  authority: string;
  /**
   * Client-credentials scope `<API origin>/.default`. With api_url the override is the API, so
   * it is also the token audience (what the project's simulator, like Entra, checks).
   */
  scope: string;
  /** host[:port] of the authority, given to MSAL as a known authority so it never runs instance discovery. */
  knownAuthorityHost: string;
  /** True when authority_url replaced the cloud's login host. */
  customAuthority: boolean;
}

/** The settings of an input (InputConfig) that decide its endpoints. */
export interface EndpointConfig {
  cloud: Cloud;
  tenantId: string;
  apiUrl?: string;
  authorityUrl?: string;
}

/** scheme://host[:port] of an override, without path or trailing slash. */
function origin(override: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    throw new Error(`${setting} is not a URL: give scheme://host[:port]`);
  }
  // TLS is always on (docs/configuration.md), and MSAL refuses non-https authorities anyway.
  if (url.protocol !== "https:") throw new Error(`${setting} must start with https://`);
  return url.origin;
}

export function endpointsFor(config: EndpointConfig): Endpoints {
  const hosts = CLOUDS[config.cloud];
  const tenant = encodeURIComponent(config.tenantId);
  const apiOrigin = config.apiUrl ? origin(config.apiUrl, "api_url") : `https://${hosts.apiHost}`;
  const loginOrigin = config.authorityUrl ? origin(config.authorityUrl, "authority_url") : `https://${hosts.loginHost}`;
  return {
    apiRoot: `${apiOrigin}/api/v1.0/${tenant}/activity/feed`,
    authority: `${loginOrigin}/${tenant}`,
    scope: `${apiOrigin}/.default`,
    knownAuthorityHost: new URL(loginOrigin).host,
    customAuthority: config.authorityUrl !== undefined && config.authorityUrl !== "",
  };
}
