// A Splunk eval-expression evaluator for tests: exactly the functions our props.conf EVALs and the
// CIM validity expressions use, each implemented as the SPL reference (Splunk 10.2 Search
// Reference, evaluation functions) describes it. Anything else throws, so props cannot drift
// outside what the tests can check.
//
// Values: null, string, number, boolean, or a multivalue (string[]). Event fields are strings;
// like Splunk, a field whose text is a number counts as a number in isnum/isstr, arithmetic and
// comparisons. String literals: `\"` is a quote, `\\` a backslash, other backslashes stay (so
// regexes such as "\d+" and replacements such as "\1" read as in Splunk). Field names containing
// other characters than letters, digits and `_` are single-quoted: 'Recipients{}'.
// Operators: OR, AND, NOT (any case), = == != < <= > >=, + - * / %, `.` (concatenation).

export type EvalValue = null | boolean | number | string | string[];

/** Field name -> values (absent = null). */
export type FieldLookup = (name: string) => string[] | undefined;

type Node =
  | { kind: "literal"; value: EvalValue }
  | { kind: "field"; name: string }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "unary"; op: "NOT" | "-"; arg: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

interface Token {
  type: "num" | "str" | "field" | "ident" | "op";
  text: string;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && (src[i + 1] === '"' || src[i + 1] === "\\")) i++;
        text += src[i++];
      }
      if (src[i] !== '"') throw new Error(`eval: unterminated string in ${src}`);
      i++;
      tokens.push({ type: "str", text });
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Error(`eval: unterminated field name in ${src}`);
      tokens.push({ type: "field", text: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/\d/.test(c)) {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i))!;
      tokens.push({ type: "num", text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ type: "ident", text: m[0] });
      i += m[0].length;
    } else {
      const op = ["==", "!=", "<=", ">="].find((o) => src.startsWith(o, i)) ?? c;
      if (!"==!=<=>=<>+-*/%.(),".includes(op)) throw new Error(`eval: unexpected ${op} in ${src}`);
      tokens.push({ type: "op", text: op });
      i += op.length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const node = this.or();
    if (this.pos < this.tokens.length) throw new Error(`eval: unexpected ${this.tokens[this.pos].text} in ${this.src}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.type === "ident" && t.text.toUpperCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private op(...ops: string[]): string | undefined {
    const t = this.peek();
    if (t?.type === "op" && ops.includes(t.text)) {
      this.pos++;
      return t.text;
    }
    return undefined;
  }

  private expect(op: string): void {
    if (!this.op(op)) throw new Error(`eval: expected ${op} in ${this.src}`);
  }

  private or(): Node {
    let left = this.and();
    while (this.keyword("OR")) left = { kind: "binary", op: "OR", left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.keyword("AND")) left = { kind: "binary", op: "AND", left, right: this.not() };
    return left;
  }

  private not(): Node {
    if (this.keyword("NOT")) return { kind: "unary", op: "NOT", arg: this.not() };
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.additive();
    const op = this.op("=", "==", "!=", "<", "<=", ">", ">=");
    return op ? { kind: "binary", op: op === "=" ? "==" : op, left, right: this.additive() } : left;
  }

  private additive(): Node {
    let left = this.multiplicative();
    for (let op = this.op("+", "-", "."); op; op = this.op("+", "-", ".")) left = { kind: "binary", op, left, right: this.multiplicative() };
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    for (let op = this.op("*", "/", "%"); op; op = this.op("*", "/", "%")) left = { kind: "binary", op, left, right: this.unary() };
    return left;
  }

  private unary(): Node {
    if (this.op("-")) return { kind: "unary", op: "-", arg: this.unary() };
    return this.primary();
  }

  private primary(): Node {
    const t = this.tokens[this.pos++];
    if (!t) throw new Error(`eval: unexpected end of ${this.src}`);
    if (t.type === "num") return { kind: "literal", value: Number(t.text) };
    if (t.type === "str") return { kind: "literal", value: t.text };
    if (t.type === "field") return { kind: "field", name: t.text };
    if (t.type === "op" && t.text === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (t.type === "ident") {
      if (this.op("(")) {
        const args: Node[] = [];
        if (!this.op(")")) {
          do args.push(this.or());
          while (this.op(","));
          this.expect(")");
        }
        return { kind: "call", name: t.text.toLowerCase(), args };
      }
      return { kind: "field", name: t.text };
    }
    throw new Error(`eval: unexpected ${t.text} in ${this.src}`);
  }
}

// ---- values -------------------------------------------------------------------------------

function isNumeric(v: EvalValue): boolean {
  return typeof v === "number" || (typeof v === "string" && NUMERIC.test(v));
}

function single(v: EvalValue, fn: string): Exclude<EvalValue, string[]> {
  if (Array.isArray(v)) throw new Error(`eval: ${fn} on a multivalue is outside the supported subset`);
  return v;
}

function text(v: EvalValue, fn: string): string | null {
  const s = single(v, fn);
  if (s === null) return null;
  if (typeof s === "boolean") throw new Error(`eval: ${fn} on a boolean`);
  return String(s);
}

function truth(v: EvalValue, where: string): boolean {
  if (v === null) return false;
  if (typeof v !== "boolean") throw new Error(`eval: ${where} needs a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function values(v: EvalValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  return [String(v)];
}

/** A PCRE pattern as a JS RegExp: only a leading (?i) flag needs translating for our patterns. */
export function pcre(pattern: string, flags = ""): RegExp {
  const m = /^\(\?([imsx]+)\)/.exec(pattern);
  if (m) {
    if (m[1].includes("x")) throw new Error("eval: (?x) is outside the supported subset");
    return new RegExp(pattern.slice(m[0].length), flags + m[1]);
  }
  return new RegExp(pattern, flags);
}

// ---- spath(<value>, <path>) on JSON text ---------------------------------------------------

/**
 * Bytes of input spath() reads (limits.conf [spath] extraction_cutoff, see test/lib/searchTime.ts).
 * Cautious model: a longer input gives nothing, so knowledge objects must not rely on it.
 */
export const spathLimit = { bytes: Infinity };

/** Follows an spath path (`a.b{}.c`, `{n}` 1-based) through parsed JSON. */
function spathValues(json: unknown, path: string): string[] {
  let current: unknown[] = [json];
  for (const segment of path.split(".")) {
    const m = /^([^{}]*)((?:\{\d*\})*)$/.exec(segment);
    if (!m) throw new Error(`eval: spath path ${path} is outside the supported subset`);
    const next: unknown[] = [];
    for (const node of current) {
      if (m[1] === "") next.push(node);
      else if (node !== null && typeof node === "object" && !Array.isArray(node) && m[1] in node) next.push((node as Record<string, unknown>)[m[1]]);
    }
    current = next;
    for (const brace of m[2].match(/\{\d*\}/g) ?? []) {
      const index = brace.slice(1, -1);
      current = current.flatMap((node) => (Array.isArray(node) ? (index === "" ? node : node.slice(Number(index) - 1, Number(index))) : []));
    }
  }
  return current.filter((v) => v !== null && v !== undefined).map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));
}

// ---- functions ----------------------------------------------------------------------------

type Evaluate = (node: Node, env: FieldLookup) => EvalValue;

interface EvalFunction {
  /** The syntax line of the SPL reference this implements (checked against test/data/spl-eval-functions.json). */
  syntax: string;
  minArgs: number;
  maxArgs: number;
  call(args: Node[], env: FieldLookup, evaluate: Evaluate): EvalValue;
}

const eager =
  (fn: (...vals: EvalValue[]) => EvalValue) =>
  (args: Node[], env: FieldLookup, evaluate: Evaluate): EvalValue =>
    fn(...args.map((a) => evaluate(a, env)));

export const EVAL_FUNCTIONS: Readonly<Record<string, EvalFunction>> = {
  // Comparison and conditional
  case: {
    syntax: "case(<condition>,<value>,...)",
    minArgs: 2,
    maxArgs: 100,
    call(args, env, evaluate) {
      if (args.length % 2) throw new Error("eval: case() takes condition/value pairs");
      for (let i = 0; i < args.length; i += 2) if (truth(evaluate(args[i], env), "case()")) return evaluate(args[i + 1], env);
      return null;
    },
  },
  coalesce: {
    syntax: "coalesce(<values>)",
    minArgs: 1,
    maxArgs: 100,
    call(args, env, evaluate) {
      for (const a of args) {
        const v = evaluate(a, env);
        if (v !== null) return v;
      }
      return null;
    },
  },
  if: {
    syntax: "if(<predicate>,<true_value>,<false_value>)",
    minArgs: 3,
    maxArgs: 3,
    call: (args, env, evaluate) => evaluate(truth(evaluate(args[0], env), "if()") ? args[1] : args[2], env),
  },
  match: {
    syntax: "match(<str>, <regex>)",
    minArgs: 2,
    maxArgs: 2,
    call: eager((s, re) => {
      const str = text(s, "match()");
      return str === null ? null : pcre(text(re, "match()") ?? "").test(str);
    }),
  },
  null: { syntax: "null()", minArgs: 0, maxArgs: 0, call: () => null },
  nullif: {
    syntax: "nullif(<field1>, <field2>)",
    minArgs: 2,
    maxArgs: 2,
    call: eager((a, b) => (a !== null && b !== null && String(single(a, "nullif()")) === String(single(b, "nullif()")) ? null : a)),
  },
  // Informational
  isnotnull: { syntax: "isnotnull(<value>)", minArgs: 1, maxArgs: 1, call: eager((v) => v !== null) },
  isnum: { syntax: "isnum(<value>)", minArgs: 1, maxArgs: 1, call: eager((v) => !Array.isArray(v) && isNumeric(v)) },
  isstr: { syntax: "isstr(<value>)", minArgs: 1, maxArgs: 1, call: eager((v) => typeof v === "string" && !isNumeric(v)) },
  // Text
  len: {
    syntax: "len(<str>)",
    minArgs: 1,
    maxArgs: 1,
    call: eager((s) => {
      const str = text(s, "len()");
      return str === null ? null : [...str].length;
    }),
  },
  replace: {
    syntax: "replace(<str>,<regex>,<replacement>)",
    minArgs: 3,
    maxArgs: 3,
    call: eager((s, re, rep) => {
      const str = text(s, "replace()");
      if (str === null) return null;
      // PCRE back-references \1..\9 -> JS $1..$9; a literal $ must not be read as one.
      const replacement = (text(rep, "replace()") ?? "").replace(/\$/g, "$$$$").replace(/\\(\d)/g, "$$$1");
      return str.replace(pcre(text(re, "replace()") ?? "", "g"), replacement);
    }),
  },
  spath: {
    syntax: "spath(<value>,<path>)",
    minArgs: 2,
    maxArgs: 2,
    call: eager((v, p) => {
      const str = text(v, "spath()");
      if (str === null || Buffer.byteLength(str) > spathLimit.bytes) return null;
      let json: unknown;
      try {
        json = JSON.parse(str);
      } catch {
        return null;
      }
      const found = spathValues(json, text(p, "spath()") ?? "");
      return found.length === 0 ? null : found.length === 1 ? found[0] : found;
    }),
  },
  // Multivalue
  mvcount: { syntax: "mvcount(<mv>)", minArgs: 1, maxArgs: 1, call: eager((v) => (v === null ? null : values(v).length)) },
  mvdedup: {
    syntax: "mvdedup(<mv>)",
    minArgs: 1,
    maxArgs: 1,
    call: eager((v) => {
      if (v === null) return null;
      const unique = [...new Set(values(v))];
      return unique.length === 1 ? unique[0] : unique;
    }),
  },
  mvfind: {
    syntax: "mvfind(<mv>,<regex>)",
    minArgs: 2,
    maxArgs: 2,
    call: eager((v, re) => {
      const pattern = pcre(text(re, "mvfind()") ?? "");
      const i = values(v).findIndex((x) => pattern.test(x));
      return i < 0 ? null : i;
    }),
  },
  mvindex: {
    syntax: "mvindex(<mv>,<start>,<end>)",
    minArgs: 2,
    maxArgs: 3,
    call: eager((v, start, end?: EvalValue) => {
      const list = values(v);
      if (start === null || list.length === 0) return null;
      const at = (i: EvalValue): number => {
        const n = Number(single(i, "mvindex()"));
        return n < 0 ? list.length + n : n;
      };
      const from = at(start);
      const to = end === undefined ? from : at(end);
      const picked = list.slice(from, to + 1);
      return picked.length === 0 ? null : picked.length === 1 ? picked[0] : picked;
    }),
  },
  mvmap: {
    syntax: "mvmap(<mv>,<expression>)",
    minArgs: 2,
    maxArgs: 2,
    call(args, env, evaluate) {
      const field = args[0];
      if (field.kind !== "field") throw new Error("eval: mvmap() needs a field as its first argument");
      const list = env(field.name);
      if (!list) return null;
      const out = list.flatMap((value) => values(evaluate(args[1], (name) => (name === field.name ? [value] : env(name)))));
      return out.length === 0 ? null : out.length === 1 ? out[0] : out;
    },
  },
  split: {
    syntax: "split(<str>,<delim>)",
    minArgs: 2,
    maxArgs: 2,
    call: eager((s, d) => {
      const str = text(s, "split()");
      if (str === null) return null;
      const parts = str.split(text(d, "split()") ?? "");
      return parts.length === 1 ? parts[0] : parts;
    }),
  },
};

// ---- evaluation ---------------------------------------------------------------------------

function compare(op: string, a: EvalValue, b: EvalValue): boolean {
  const x = single(a, op);
  const y = single(b, op);
  if (x === null || y === null) return false;
  let cmp: number;
  if (isNumeric(x) && isNumeric(y)) cmp = Number(x) - Number(y);
  else cmp = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  switch (op) {
    case "==":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    default:
      return cmp >= 0;
  }
}

function arithmetic(op: string, a: EvalValue, b: EvalValue): EvalValue {
  const x = single(a, op);
  const y = single(b, op);
  if (x === null || y === null) return null;
  if (op === ".") return `${x}${y}`;
  if (op === "+" && !(isNumeric(x) && isNumeric(y))) return `${x}${y}`;
  if (!isNumeric(x) || !isNumeric(y)) return null;
  const [m, n] = [Number(x), Number(y)];
  return op === "+" ? m + n : op === "-" ? m - n : op === "*" ? m * n : op === "/" ? m / n : m % n;
}

const evaluate: Evaluate = (node, env) => {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "field": {
      const v = env(node.name);
      return v === undefined || v.length === 0 ? null : v.length === 1 ? v[0] : v;
    }
    case "unary":
      if (node.op === "NOT") return !truth(evaluate(node.arg, env), "NOT");
      return arithmetic("-", 0, evaluate(node.arg, env));
    case "binary":
      if (node.op === "OR") return truth(evaluate(node.left, env), "OR") || truth(evaluate(node.right, env), "OR");
      if (node.op === "AND") return truth(evaluate(node.left, env), "AND") && truth(evaluate(node.right, env), "AND");
      if (["==", "!=", "<", "<=", ">", ">="].includes(node.op)) return compare(node.op, evaluate(node.left, env), evaluate(node.right, env));
      return arithmetic(node.op, evaluate(node.left, env), evaluate(node.right, env));
    case "call": {
      const fn = EVAL_FUNCTIONS[node.name];
      if (!fn) throw new Error(`eval: function ${node.name}() is outside the supported subset`);
      if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) throw new Error(`eval: ${node.name}() takes ${fn.minArgs}..${fn.maxArgs} arguments`);
      return fn.call(node.args, env, evaluate);
    }
  }
};

export interface CompiledEval {
  source: string;
  /** Names of the eval functions the expression calls. */
  functions: string[];
  run(env: FieldLookup): EvalValue;
}

function calledFunctions(node: Node, out: Set<string>): Set<string> {
  if (node.kind === "call") {
    out.add(node.name);
    node.args.forEach((a) => calledFunctions(a, out));
  } else if (node.kind === "unary") calledFunctions(node.arg, out);
  else if (node.kind === "binary") {
    calledFunctions(node.left, out);
    calledFunctions(node.right, out);
  }
  return out;
}

export function compileEval(source: string): CompiledEval {
  const ast = new Parser(tokenize(source), source).parse();
  return { source, functions: [...calledFunctions(ast, new Set())], run: (env) => evaluate(ast, env) };
}

/** The field values an EVAL-<field> result gives (null or an empty multivalue removes the field). */
export function toFieldValues(v: EvalValue): string[] | undefined {
  if (typeof v === "boolean") throw new Error("eval: a calculated field cannot hold a boolean");
  const list = values(v);
  return list.length === 0 ? undefined : list;
}
