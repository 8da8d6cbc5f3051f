// --check for HEC: reaches the URL, proves the token, and that acknowledgement is on when the
// config wants it, without indexing anything (docs/reference/hec.md 2, 3.4): with ack on, an
// ack query for no Ids (200 = token and ack fine; code 14 = ack off); with ack off, an empty
// event POST, which a valid token answers with code 5 "No data".
import { randomUUID } from "node:crypto";
import { judgeEventReply, parseReply } from "./reply";
import type { Transport } from "./transport";

/** Undefined when HEC works as configured, else what to fix. */
export async function checkHec(transport: (channel: string) => Transport, ack: boolean, url: string): Promise<string | undefined> {
  const t = transport(randomUUID());
  try {
    const answer = ack ? await t.post("/services/collector/ack", '{"acks":[]}') : await t.post("/services/collector/event", "");
    if (ack && answer.status === 200) return undefined;
    if (!ack && answer.status === 400 && parseReply(answer.body).code === 5) return undefined;
    const verdict = judgeEventReply(answer.status, answer.body);
    if (verdict.kind === "fatal") return verdict.message;
    return `HEC at ${url} answered HTTP ${answer.status} (${answer.body.slice(0, 200)}): check that hec.url is the HTTP Event Collector and that it is up`;
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    const code = e.cause?.code ?? e.code;
    return `cannot reach HEC at ${url} (${code ?? e.message}): check hec.url, the network path and, for a private certificate, hec.ca_file`;
  } finally {
    await t.close();
  }
}
