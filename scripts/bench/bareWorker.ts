// P0's reference: the bare minimum a collector of one tenant's backlog must do, as a short script
// would do it. One token, the content listing (NextPageUri followed), then 8 workers, each:
// fetch a blob, JSON.parse it whole, XML-escape each record's JSON, write the events to stdout.
// No validation, no dedupe, no checkpoint, no retry. Bundled by esbuild like the input, so both
// sides pay the same kind of startup. Usage:
//   node bare.js <simulator url> <tenant id> <client id> <client secret> <content type> <start> <end>
import { once } from "node:events";

const WORKERS = 8;

interface Item {
  contentUri: string;
}

const [url, tenant, clientId, secret, contentType, start, end] = process.argv.slice(2);
const publisher = `PublisherIdentifier=${tenant}`;

/** `& < >`, CR, and U+FFFE/U+FFFF (XML 1.0 forbids them; JSON.stringify already escaped the rest). */
const SPECIAL = /[&<>\r\uFFFE\uFFFF]/g;
const REPLACE: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "\uFFFE": "\\ufffe", "\uFFFF": "\\uffff" };
const escape = (text: string): string => text.replace(SPECIAL, (c) => REPLACE[c]);

async function json<T>(target: string, init: RequestInit): Promise<{ body: T; headers: Headers }> {
  const res = await fetch(target, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${target}: HTTP ${res.status} ${await res.text()}`);
  return { body: (await res.json()) as T, headers: res.headers };
}

async function main(): Promise<void> {
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: `${url}/.default` });
  const token = await json<{ access_token: string }>(`${url}/${tenant}/oauth2/v2.0/token`, { method: "POST", body: form });
  const headers = { authorization: `Bearer ${token.body.access_token}` };
  const uris: string[] = [];
  let next: string | null = `${url}/api/v1.0/${tenant}/activity/feed/subscriptions/content?contentType=${contentType}&startTime=${start}&endTime=${end}&${publisher}`;
  while (next) {
    const page: { body: Item[]; headers: Headers } = await json<Item[]>(next, { headers });
    for (const item of page.body) uris.push(`${item.contentUri}?${publisher}`);
    const nextPage = page.headers.get("NextPageUri");
    next = nextPage ? `${nextPage}&${publisher}` : null;
  }
  process.stdout.write("<stream>\n");
  let records = 0;
  const blobs = uris.length;
  const worker = async (): Promise<void> => {
    for (let uri = uris.shift(); uri !== undefined; uri = uris.shift()) {
      const blob = await json<unknown[]>(uri, { headers });
      let out = "";
      for (const record of blob.body) out += `<event stanza="bare"><data>${escape(JSON.stringify(record))}</data></event>\n`;
      records += blob.body.length;
      if (!process.stdout.write(out)) await once(process.stdout, "drain");
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  process.stdout.write("</stream>\n");
  process.stderr.write(`RESULT ${JSON.stringify({ records, blobs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bare script failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
