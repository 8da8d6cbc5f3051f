// The parts of undici this program uses (Agent, ProxyAgent, request), each loaded from its own
// file. undici's index loads every feature it has (fetch, WebSocket, cookies, caches, mock
// agents) on require: measured on this project's bundle, 125 ms of every start against 62 ms for
// these parts (docs/performance.md, "Startup"). The versions are pinned by package-lock.json;
// test/unit/api/undici.test.ts checks each part is what the index exports.
import type { Dispatcher as DispatcherType } from "undici";
import Agent from "undici/lib/dispatcher/agent";
import api from "undici/lib/api";
import Dispatcher from "undici/lib/dispatcher/dispatcher";
import ProxyAgent from "undici/lib/dispatcher/proxy-agent";

// What the index does when loaded, and undici's own dispatchers rely on (a ProxyAgent opens
// its tunnel with `connect`): every dispatcher gets the request, stream, pipeline, upgrade and
// connect methods.
Object.assign(Dispatcher.prototype, api);

export { Agent, ProxyAgent };

export type RequestOptions = Omit<DispatcherType.RequestOptions, "origin" | "path"> & { dispatcher: DispatcherType };

/**
 * undici's `request(url, options)` for a given dispatcher, as its index builds it: the origin
 * and the path with its query come from the URL, the rest of the options pass through.
 */
export function request(url: string | URL, options: RequestOptions): Promise<DispatcherType.ResponseData> {
  const target = typeof url === "string" ? new URL(url) : url;
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
