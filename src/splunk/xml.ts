// XML 1.0 text escaping for everything this program writes to splunkd (scheme, errors, events).
// splunkd reads our stdout with an XML parser, so the text must always be well-formed XML 1.0
// (https://www.w3.org/TR/xml/#charsets): Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
// [#xE000-#xFFFD] | [#x10000-#x10FFFF]. Anything else cannot be written at all, not even as
// a character reference.

/** Characters XML 1.0 forbids: C0 controls but tab/LF/CR, lone surrogates, U+FFFE, U+FFFF. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Everything that needs work in text content: markup characters, CR, forbidden characters. */
const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
/** Candidates for FORBIDDEN, as one quick test. */
const MAYBE_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

function jsonEscape(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}

/** `\uXXXX` (JSON's escape) for every character XML 1.0 forbids; other characters unchanged. */
export function replaceForbidden(text: string): string {
  return text.replace(FORBIDDEN, jsonEscape);
}

/**
 * Escapes text for element content: `& < >`, CR as `&#13;` (a raw CR would be normalised to
 * LF by the reader), and forbidden characters as `\uXXXX`. For JSON data this keeps the value:
 * JSON allows those characters only inside strings, where `\uXXXX` means the same character.
 */
export function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text; // the common case: nothing to do, no copy
  return escapeMarkup(MAYBE_FORBIDDEN.test(text) ? replaceForbidden(text) : text);
}

/** Characters JSON text may hold raw that XML 1.0 forbids: surrogates (when lone), U+FFFE, U+FFFF. */
const MAYBE_FORBIDDEN_IN_JSON = /[\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * escapeText for text that JSON.parse accepted. JSON allows no raw C0 control but tab, LF and
 * CR (RFC 8259 sections 2 and 7), so the only forbidden characters left to look for are above
 * U+D7FF, and a regular expression of those fails at once on one-byte (Latin-1) text. Profiled:
 * escapeText's character-class scans were a third of the cost of writing an event; `indexOf`
 * finds markup characters natively.
 */
export function escapeJsonText(text: string): string {
  return escapeMarkup(MAYBE_FORBIDDEN_IN_JSON.test(text) ? replaceForbidden(text) : text);
}

/** `& < >` and CR as references; each pass only when needed (most texts hold only `&`, in URLs). */
function escapeMarkup(text: string): string {
  let out = text;
  if (out.includes("&")) out = out.replace(/&/g, "&amp;");
  if (out.includes("<")) out = out.replace(/</g, "&lt;");
  if (out.includes(">")) out = out.replace(/>/g, "&gt;");
  if (out.includes("\r")) out = out.replace(/\r/g, "&#13;");
  return out;
}

/** Escapes text for a double-quoted attribute value (also `"` and tab/LF, which attributes normalise). */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}

/** `<name>escaped text</name>`. */
export function element(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`;
}
