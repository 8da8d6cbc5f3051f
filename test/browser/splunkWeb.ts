// A Splunk Web stand-in for the browser test: serves the app's `configuration` view the way
// Splunk Web renders a Simple XML dashboard (`window.$C` with SPLUNKD_PATH and
// MRSPARKLE_PORT_NUMBER, the view's `script` from /<locale>/static/app/<app>/, and the <html>
// panel's markup built later in the browser, so the script can run before its panel exists:
// docs/reference/splunk-setup.md), and proxies /<locale>/splunkd/__raw/... to splunkd with the
// session's key. Like Splunk Web it requires, on every state-changing request, the
// X-Splunk-Form-Key header to equal the `splunkweb_csrf_token_<port>` cookie (what
// @splunk/splunk-utils sends; docs/reference/splunk-platform.md 8.2).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { RestDouble } from "../rest-double/restDouble";

export interface SplunkWebOptions {
  splunkd: RestDouble;
  /** The app's view file (default/data/ui/views/configuration.xml). */
  viewFile: string;
  /** Folder served as the app's appserver/static. */
  staticDir: string;
  app?: string;
  locale?: string;
}

export interface SplunkWeb {
  url: string;
  /** /en-US/app/<app>/configuration */
  pageUrl: string;
  /** Proxied requests: method, splunkd path, whether the CSRF check passed. */
  proxied: { method: string; path: string; csrf: boolean }[];
  close(): Promise<void>;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return out;
}

/** The Simple XML view's script attribute and its <html> panel markup. */
export function readView(xml: string): { script: string; label: string; html: string } {
  const root = /<dashboard\b([^>]*)>/.exec(xml)?.[1] ?? "";
  const script = /\bscript="([^"]+)"/.exec(root)?.[1];
  if (!script) throw new Error("the view has no script attribute");
  const label = /<label>([\s\S]*?)<\/label>/.exec(xml)?.[1] ?? "";
  const html = /<html>([\s\S]*?)<\/html>/.exec(xml)?.[1] ?? "";
  return { script, label, html };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startSplunkWeb(opts: SplunkWebOptions): Promise<SplunkWeb> {
  const app = opts.app ?? "defender_o365";
  const locale = opts.locale ?? "en-US";
  const csrf = randomBytes(16).toString("hex");
  const session = randomBytes(16).toString("hex");
  const proxied: SplunkWeb["proxied"] = [];
  let port = 0;

  const page = (): string => {
    const view = readView(readFileSync(opts.viewFile, "utf8"));
    const $C = { SPLUNKD_PATH: `/${locale}/splunkd/__raw`, MRSPARKLE_PORT_NUMBER: String(port), MRSPARKLE_ROOT_PATH: "", LOCALE: locale, APP: app };
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${view.label} | Defender for Office 365 | Splunk</title>
<style>body{margin:0;font-family:"Splunk Platform Sans",Roboto,Helvetica,Arial,sans-serif;background:#f2f4f5}
.bar{background:#171d21;color:#fff;padding:10px 20px;font-size:14px}.app{background:#fff;border-bottom:1px solid #c3cbd4;padding:10px 20px;font-size:14px}
.dashboard-body{padding:0 8px 24px}</style>
<script>window.$C = ${JSON.stringify($C)};</script></head>
<body><div class="bar">splunk&gt;enterprise &nbsp; Apps &#9662;</div><div class="app">Defender for Office 365 &nbsp;|&nbsp; Overview &nbsp; Dashboards &nbsp; <b>${view.label}</b></div>
<div class="dashboard-body"></div>
<script src="/${locale}/static/app/${app}/${view.script}"></script>
<script>setTimeout(() => { document.querySelector(".dashboard-body").innerHTML = ${JSON.stringify(view.html).replace(/</g, "\\u003c")}; }, 300);</script></body></html>`;
  };

  const proxy = async (req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> => {
    const jar = cookies(req);
    const method = req.method ?? "GET";
    const csrfOk = method === "GET" || (req.headers["x-splunk-form-key"] === csrf && jar.get(`splunkweb_csrf_token_${port}`) === csrf);
    proxied.push({ method, path: rest.split("?")[0], csrf: csrfOk });
    if (jar.get(`splunkd_${port}`) !== session) return send(res, 401, { messages: [{ type: "ERROR", text: "Splunk Web session expired: log in again" }] });
    if (!csrfOk) return send(res, 401, { messages: [{ type: "ERROR", text: "CSRF validation failed" }] });
    const body = method === "POST" ? await readBody(req) : undefined;
    const upstream = https.request(`${opts.splunkd.url}/${rest}`, {
      method,
      ca: readFileSync(opts.splunkd.caFile),
      headers: {
        Authorization: `Splunk ${opts.splunkd.sessionKey}`,
        ...(req.headers["content-type"] ? { "Content-Type": req.headers["content-type"] } : {}),
      },
    });
    upstream.on("response", (r) => {
      res.writeHead(r.statusCode ?? 502, { "Content-Type": r.headers["content-type"] ?? "application/json" });
      r.pipe(res);
    });
    upstream.on("error", (e) => send(res, 502, { messages: [{ type: "ERROR", text: `splunkd unreachable: ${e.message}` }] }));
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const pagePath = `/${locale}/app/${app}/`;
    const staticPath = `/${locale}/static/app/${app}/`;
    const rawPath = `/${locale}/splunkd/__raw/`;
    if (url.startsWith(rawPath)) {
      proxy(req, res, url.slice(rawPath.length)).catch((e: Error) => send(res, 500, { messages: [{ type: "ERROR", text: e.message }] }));
    } else if (url.startsWith(staticPath)) {
      const file = path.join(opts.staticDir, path.basename(url.slice(staticPath.length).split("?")[0]));
      try {
        const data = readFileSync(file);
        res.writeHead(200, { "Content-Type": file.endsWith(".js") ? "text/javascript" : "text/plain" });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
    } else if (url.startsWith(pagePath)) {
      res.writeHead(200, {
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": [`splunkweb_csrf_token_${port}=${csrf}; Path=/`, `splunkd_${port}=${session}; Path=/; HttpOnly`],
      });
      res.end(page());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pageUrl: `${url}/${locale}/app/${app}/configuration`,
    proxied,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
