// splunkd's JSON envelopes for `output_mode=json` (Atom feed translated to JSON): a feed with
// `entry[]`, each entry with `name`, `id`, `links`, `author`, `acl` and `content`, plus `paging`
// and `messages`. Errors carry `messages: [{type: "ERROR", text}]`. Shapes as documented in
// "REST API: basic concepts" (output_mode) and as splunk-sdk / @splunk/splunk-utils read them
// (`entry[0].content`, `messages[0].text`).

export type Content = Record<string, string | boolean | number | string[] | null>;

export interface Entry {
  name: string;
  id: string;
  updated: string;
  links: Record<string, string>;
  author: string;
  acl: Record<string, unknown>;
  content: Content;
}

export interface Feed {
  links: Record<string, string>;
  origin: string;
  updated: string;
  generator: { build: string; version: string };
  entry: Entry[];
  paging: { total: number; perPage: number; offset: number };
  messages: { type: string; text: string }[];
}

export const GENERATOR = { build: "test-double", version: "10.2.3" };

function acl(app: string): Record<string, unknown> {
  return {
    app,
    can_change_perms: true,
    can_list: true,
    can_share_app: true,
    can_share_global: true,
    can_share_user: false,
    can_write: true,
    modifiable: true,
    owner: "nobody",
    perms: { read: ["*"], write: ["admin", "power"] },
    removable: true,
    sharing: "app",
  };
}

/** One entry; `collection` is the feed path (e.g. `/servicesNS/nobody/app/storage/passwords`). */
export function entry(base: string, collection: string, name: string, app: string, content: Content): Entry {
  const self = `${collection}/${encodeURIComponent(name)}`;
  return {
    name,
    id: `${base}${self}`,
    updated: new Date().toISOString(),
    links: { alternate: self, list: self, edit: self, remove: self },
    author: "nobody",
    acl: acl(app),
    content: { ...content, "eai:acl": null },
  };
}

export function feed(base: string, collection: string, entries: Entry[]): Feed {
  return {
    links: { create: `${collection}/_new`, _reload: `${collection}/_reload` },
    origin: `${base}${collection}`,
    updated: new Date().toISOString(),
    generator: GENERATOR,
    entry: entries,
    paging: { total: entries.length, perPage: 30, offset: 0 },
    messages: [],
  };
}

export function errorBody(text: string, type = "ERROR"): { messages: { type: string; text: string }[] } {
  return { messages: [{ type, text }] };
}
