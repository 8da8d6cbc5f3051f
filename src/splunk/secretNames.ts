// Where each secret of an input lives in storage/passwords (docs/configuration.md). Pure, so the
// configuration page (browser bundle) and the modular input name entries the same way.

export const SECRET_ARGS = ["client_secret", "certificate_password", "proxy_password"] as const;
export type SecretArg = (typeof SECRET_ARGS)[number];

/** Username of one secret: the input name for client_secret, `<input>#<arg>` for the others. */
export function secretUsername(input: string, arg: SecretArg): string {
  return arg === "client_secret" ? input : `${input}#${arg}`;
}

/**
 * Entity name of a storage/passwords entry: `realm:username:`. splunkd separates the parts with
 * colons, so colons inside them are escaped with a backslash (as passwords.conf stanzas are).
 */
export function passwordEntityName(realm: string, username: string): string {
  const esc = (part: string): string => part.replace(/\\/g, "\\\\").replace(/:/g, "\\:");
  return `${esc(realm)}:${esc(username)}:`;
}
