// Entity names of storage/passwords entries as splunkd forms them (docs/reference/splunk-storage-passwords.md):
// `realm:username:`; inside each part a backslash is written `\\` and a colon `\:`; a lookup
// may leave out the trailing colon. Written from that documented behaviour, not from the
// product's naming code, so a round trip through the double checks the product's escaping.

const escapePart = (part: string): string => part.replace(/\\/g, "\\\\").replace(/:/g, "\\:");

export function entityName(realm: string, username: string): string {
  return `${escapePart(realm)}:${escapePart(username)}:`;
}

/** The realm and username of an entity name (with or without its trailing colon). */
export function parseEntityName(name: string): { realm: string; username: string } {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === "\\" && i + 1 < name.length) current += name[++i];
    else if (ch === ":") {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current !== "" || parts.length === 1) parts.push(current);
  return parts.length >= 2 ? { realm: parts[0], username: parts[1] } : { realm: "", username: parts[0] ?? "" };
}
