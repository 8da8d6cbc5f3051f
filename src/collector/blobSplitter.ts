// Splits a content blob (a JSON array of audit records, Reference "Retrieving content") into
// the text of each top-level element as the bytes arrive. Blobs have no documented size limit, so
// the collector never holds a whole blob: only the element being read. Returning the element's
// own bytes, decoded as UTF-8 (not a re-serialised copy), keeps the event data exactly as the
// API sent it.

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf]; // a UTF-8 byte order mark may precede the array

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export class BlobFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlobFormatError";
  }
}

type State = "before" | "between" | "element" | "after";

export class JsonArraySplitter {
  private state: State = "before";
  private depth = 0; // nesting inside the current element
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private offset = 0; // bytes consumed so far, for error messages
  private expectComma = false;

  /** Feeds the next chunk; returns the text of the elements completed by it, in order. */
  push(bytes: Uint8Array): string[] {
    // A Buffer view of the same memory (no copy), to decode elements straight from the chunk.
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: string[] = [];
    let i = 0;
    let start = this.state === "element" ? i : -1;
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      switch (this.state) {
        case "before":
          if (isSpace(b) || (this.offset + i < 3 && b === BOM[this.offset + i])) continue;
          if (b !== OPEN_BRACKET) throw this.fail(`blob is not a JSON array (starts with ${JSON.stringify(String.fromCharCode(b))})`, i);
          this.state = "between";
          continue;
        case "between":
          if (isSpace(b)) continue;
          if (b === CLOSE_BRACKET) {
            this.state = "after";
            continue;
          }
          if (this.expectComma) {
            if (b !== COMMA) throw this.fail("expected ',' or ']' between records", i);
            this.expectComma = false;
            continue;
          }
          if (b === COMMA) throw this.fail("unexpected ','", i);
          this.state = "element";
          start = i;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          i--; // scan the element's first byte again in the element state
          continue;
        case "element": {
          if (this.inString) {
            if (this.escaped) {
              this.escaped = false;
              continue;
            }
            // Strings are most of a record's bytes: jump to the next quote natively (memchr)
            // instead of byte by byte; a quote ends the string unless an odd run of
            // backslashes precedes it.
            const quote = chunk.indexOf(QUOTE, i);
            const end = quote < 0 ? chunk.length : quote;
            let slashes = 0;
            while (end - slashes - 1 >= i && chunk[end - slashes - 1] === BACKSLASH) slashes++;
            if (quote < 0 || slashes % 2 === 1) {
              this.escaped = quote < 0 && slashes % 2 === 1; // the chunk ends inside an escape
              i = end; // the loop's i++ moves past the escaped quote, or ends the chunk
              continue;
            }
            i = quote;
            this.inString = false;
            if (this.depth === 0) {
              // a top-level string element ends at its closing quote
              out.push(this.finish(chunk, start, i + 1));
              start = -1;
            }
            continue;
          }
          if (b === QUOTE) this.inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
          else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
            if (this.depth === 0) {
              // a scalar element ended by the array's closing bracket
              out.push(this.finish(chunk, start, i));
              start = -1;
              this.state = "after";
              continue;
            }
            this.depth--;
            if (this.depth === 0) {
              out.push(this.finish(chunk, start, i + 1));
              start = -1;
            }
          } else if (this.depth === 0 && (b === COMMA || isSpace(b))) {
            // a scalar element (number, true, false, null) ended
            out.push(this.finish(chunk, start, i));
            start = -1;
            if (b === COMMA) this.expectComma = false;
          }
          continue;
        }
        case "after":
          if (!isSpace(b)) throw this.fail("data after the end of the array", i);
          continue;
      }
    }
    if (this.state === "element" && start >= 0) this.parts.push(chunk.subarray(start));
    this.offset += chunk.length;
    return out;
  }

  /** Call when the body has ended: throws if the array was not closed (a truncated blob). */
  end(): void {
    if (this.state !== "after") {
      throw new BlobFormatError(`blob ended before its closing ']' after ${this.offset} bytes (truncated)`);
    }
  }

  private finish(chunk: Buffer, start: number, end: number): string {
    // An element within one chunk is decoded in place; one spread over chunks is joined first,
    // so a character split between chunks is decoded whole.
    const element = this.parts.length === 0 ? chunk.toString("utf8", start, end) : Buffer.concat([...this.parts, chunk.subarray(start, end)]).toString("utf8");
    this.parts = [];
    this.state = "between";
    this.expectComma = true;
    return element;
  }

  private fail(message: string, i: number): BlobFormatError {
    return new BlobFormatError(`${message} at byte ${this.offset + i}`);
  }
}
