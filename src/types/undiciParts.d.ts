// Types for the undici files src/api/undici.ts loads one by one: each is the same class or
// function undici's index exports (the index re-exports them unchanged).
declare module "undici/lib/dispatcher/agent" {
  import { Agent } from "undici";
  export = Agent;
}

declare module "undici/lib/dispatcher/proxy-agent" {
  import { ProxyAgent } from "undici";
  export = ProxyAgent;
}

declare module "undici/lib/api/api-request" {
  import type { Dispatcher } from "undici";
  /** Dispatcher.prototype.request: called with the dispatcher as `this`. */
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export = request;
}
