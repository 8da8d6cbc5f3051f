// Matches events against the subset of Splunk search syntax our eventtypes.conf searches and the
// tests' filters use:
//   field=value  field!=value  field=*  field IN (v1, "v 2", ...)
//   values bare or double-quoted, `*` as a wildcard; terms side by side mean AND;
//   AND, OR, NOT (upper case, as in SPL) and parentheses.
// As in Splunk, values match without regard to case, field names with regard to case, a
// multivalue field matches when any value does, and field!=value needs the field to exist.
// Anything else (free text, macros, comparisons such as <) throws.

export type Fields = ReadonlyMap<string, readonly string[]>;

type Term =
  | { kind: "match"; field: string; values: string[]; negated: boolean }
  | { kind: "not"; arg: Term }
  | { kind: "and" | "or"; args: Term[] };

function tokenize(search: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|,|!=|=|[^\s()=!,"]+)/y;
  let end = 0;
  for (let m = re.exec(search); m; m = re.exec(search)) {
    tokens.push(m[1]);
    end = re.lastIndex;
  }
  if (search.slice(end).trim() !== "") throw new Error(`search: cannot read ${search}`);
  return tokens;
}

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, "$1") : token;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: string[],
    private readonly src: string,
  ) {}

  parse(): Term {
    const term = this.or();
    if (this.pos < this.tokens.length) throw new Error(`search: unexpected ${this.tokens[this.pos]} in ${this.src}`);
    return term;
  }

  private or(): Term {
    const args = [this.and()];
    while (this.tokens[this.pos] === "OR") {
      this.pos++;
      args.push(this.and());
    }
    return args.length === 1 ? args[0] : { kind: "or", args };
  }

  private and(): Term {
    const args: Term[] = [];
    while (this.pos < this.tokens.length && this.tokens[this.pos] !== ")" && this.tokens[this.pos] !== "OR") {
      if (this.tokens[this.pos] === "AND") this.pos++;
      args.push(this.not());
    }
    if (args.length === 0) throw new Error(`search: empty expression in ${this.src}`);
    return args.length === 1 ? args[0] : { kind: "and", args };
  }

  private not(): Term {
    if (this.tokens[this.pos] === "NOT") {
      this.pos++;
      return { kind: "not", arg: this.not() };
    }
    if (this.tokens[this.pos] === "(") {
      this.pos++;
      const inner = this.or();
      if (this.tokens[this.pos++] !== ")") throw new Error(`search: missing ) in ${this.src}`);
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Term {
    const field = this.tokens[this.pos++];
    const op = this.tokens[this.pos++];
    if (field.startsWith("`")) throw new Error(`search: macros are outside the supported subset (${this.src})`);
    if (op === "=" || op === "!=") return { kind: "match", field: unquote(field), values: [unquote(this.tokens[this.pos++] ?? "")], negated: op === "!=" };
    if (op === "IN" && this.tokens[this.pos++] === "(") {
      const values: string[] = [];
      for (let t = this.tokens[this.pos++]; t !== ")"; t = this.tokens[this.pos++]) {
        if (t === undefined) throw new Error(`search: missing ) in ${this.src}`);
        if (t !== ",") values.push(unquote(t));
      }
      return { kind: "match", field: unquote(field), values, negated: false };
    }
    throw new Error(`search: only field=value, field!=value and field IN (...) are supported, not "${field} ${op ?? ""}" in ${this.src}`);
  }
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "is");
}

function evaluate(term: Term, fields: Fields): boolean {
  switch (term.kind) {
    case "and":
      return term.args.every((t) => evaluate(t, fields));
    case "or":
      return term.args.some((t) => evaluate(t, fields));
    case "not":
      return !evaluate(term.arg, fields);
    case "match": {
      const present = fields.get(term.field) ?? [];
      if (present.length === 0) return false;
      const hit = term.values.some((v) => present.some((p) => wildcard(v).test(p)));
      return term.negated ? !hit : hit;
    }
  }
}

export function compileSearch(search: string): (fields: Fields) => boolean {
  const term = new Parser(tokenize(search), search).parse();
  return (fields) => evaluate(term, fields);
}
