// Types for the undici files src/api/undici.ts loads one by one: each is the same class or
// object undici's index exports (the index re-exports them unchanged).
declare module "undici/lib/dispatcher/agent" {
  import { Agent } from "undici";
  export = Agent;
}

declare module "undici/lib/dispatcher/proxy-agent" {
  import { ProxyAgent } from "undici";
  export = ProxyAgent;
}

declare module "undici/lib/dispatcher/dispatcher" {
  import { Dispatcher } from "undici";
  export = Dispatcher;
}

declare module "undici/lib/api" {
  /** The request, stream, pipeline, upgrade and connect methods of every dispatcher. */
  const api: Record<"request" | "stream" | "pipeline" | "upgrade" | "connect", (...args: never[]) => unknown>;
  export = api;
}
