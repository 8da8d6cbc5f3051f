// A connection that failed before any HTTP answer, said the way an admin behind a firewall needs
// it: which host was tried, the OS (or TLS, or undici) error code, the proxy in use, and the rule
// or setting that fixes it. Codes as Node and undici document them (docs/reference/network-errors.md).

export interface NetworkFailure {
  /** host[:port] the request was for (with a proxy: the target, not the proxy). */
  host: string;
  /** ENOTFOUND, ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, DEPTH_ZERO_SELF_SIGNED_CERT, ...; undefined if none was given. */
  code: string | undefined;
  /** The proxy's origin without credentials, when proxy_url is set. */
  proxy: string | undefined;
  /** The underlying error's own text. */
  detail: string;
}

type Kind = "dns" | "dns_temporary" | "refused" | "no_answer" | "reset" | "unreachable" | "certificate" | "proxy" | "other";

const KINDS: Record<string, Kind> = {
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns_temporary",
  ECONNREFUSED: "refused",
  ETIMEDOUT: "no_answer",
  UND_ERR_CONNECT_TIMEOUT: "no_answer",
  UND_ERR_HEADERS_TIMEOUT: "no_answer",
  UND_ERR_BODY_TIMEOUT: "no_answer",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EADDRNOTAVAIL: "unreachable",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate",
  UNABLE_TO_GET_ISSUER_CERT: "certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate",
  CERT_HAS_EXPIRED: "certificate",
  CERT_NOT_YET_VALID: "certificate",
  CERT_UNTRUSTED: "certificate",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate",
  UND_ERR_PRX_TLS: "proxy",
};

const MEANING: Record<Kind, string> = {
  dns: "the name does not resolve",
  dns_temporary: "DNS did not answer in time",
  refused: "connection refused",
  no_answer: "no answer",
  reset: "the connection was cut",
  unreachable: "no route to the host",
  certificate: "its TLS certificate is not trusted",
  proxy: "the proxy failed the request",
  other: "no response",
};

function kindOf(code: string | undefined): Kind {
  if (code === undefined) return "other";
  if (code.startsWith("PROXY_")) return "proxy";
  return KINDS[code] ?? "other";
}

function port(host: string): string {
  return /:(\d+)$/.exec(host)?.[1] ?? "443";
}

function bare(host: string): string {
  return host.replace(/:\d+$/, "");
}

/** The rule or setting that fixes this failure. */
export function networkFix(failure: Pick<NetworkFailure, "host" | "code" | "proxy">): string {
  const { host, proxy } = failure;
  const name = bare(host);
  const rule = proxy
    ? `let the proxy ${proxy} CONNECT to ${name}:${port(host)}`
    : `allow outbound HTTPS (TCP ${port(host)}) from this host to ${name}, or set proxy_url`;
  switch (kindOf(failure.code)) {
    case "dns":
      return proxy
        ? `the proxy ${proxy} does not resolve: check proxy_url and this host's DNS`
        : `check this host's DNS resolves ${name} (and api_url/authority_url if set); behind a proxy, set proxy_url`;
    case "dns_temporary":
      return `check the DNS servers this host uses (they must resolve ${name})${proxy ? "" : ", or set proxy_url"}`;
    case "refused":
      return proxy ? `check proxy_url: nothing accepts connections at ${proxy}` : `${rule} (a firewall rejects it, or nothing listens there)`;
    case "no_answer":
    case "unreachable":
      return `${rule} (a firewall drops the traffic)`;
    case "reset":
      return `${rule}; a firewall or inspecting proxy may cut the connection`;
    case "certificate":
      return `a TLS-inspecting proxy or firewall replaces ${name}'s certificate: exempt ${name} from inspection, or add its CA to NODE_EXTRA_CA_CERTS`;
    case "proxy":
      return `check proxy_url and its password, and that the proxy allows CONNECT to ${name}:${port(host)}`;
    case "other":
      return rule;
  }
}

/** One sentence naming host, code, proxy and fix, e.g. for the connection test and log lines. */
export function describeNetworkFailure(failure: NetworkFailure): string {
  const kind = kindOf(failure.code);
  const code = failure.code ? `${failure.code}: ${MEANING[kind]}` : failure.detail;
  const via = failure.proxy ? `through the proxy ${failure.proxy}` : "without a proxy";
  return `cannot reach ${failure.host} ${via} (${code}): ${networkFix(failure)}`;
}

/** The error code of a transport failure: its own, or its cause's (undici and fetch wrap them). */
export function errorCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR" && code !== "UND_ERR_ABORTED") return code;
    // undici's ProxyAgent reports a refused CONNECT only in its message.
    const proxyStatus = /Proxy response \((\d{3})\)/.exec(String((e as { message?: unknown }).message ?? ""));
    if (proxyStatus) return `PROXY_${proxyStatus[1]}`;
  }
  return undefined;
}

/** What went wrong on a request to `url` that got no HTTP response. */
export function networkFailureOf(err: unknown, url: string, proxy: string | undefined): NetworkFailure {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the text as given
  }
  return { host, code: errorCodeOf(err), proxy, detail: err instanceof Error ? err.message : String(err) };
}

/** A proxy URL fit for messages: origin only, never the user or password. */
export function proxyForMessages(proxyUrl: string | undefined): string | undefined {
  if (!proxyUrl) return undefined;
  try {
    return new URL(proxyUrl).origin;
  } catch {
    return "(proxy_url unreadable)";
  }
}
