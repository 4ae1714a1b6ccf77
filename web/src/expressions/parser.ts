// A small parser for the subset of rhai that flow authors write in conditions and `{{ }}`
// templates: paths (`trigger.body.email`, `steps.x["first name"]`, `items[0]`), literals, the
// arithmetic, comparison and logical operators, `??`, function calls and method calls. The
// condition builder reads its rows back from this tree and the live preview evaluates it; the
// engine (rhai) stays the authority: anything outside the subset is reported, never guessed.

export type Node =
  | { type: 'lit'; value: string | number | boolean | null; float?: boolean; raw?: string; pos: number }
  | { type: 'var'; name: string; pos: number }
  | { type: 'member'; object: Node; name: string; optional: boolean; pos: number }
  | { type: 'index'; object: Node; index: Node; optional: boolean; pos: number }
  | { type: 'call'; name: string; args: Node[]; pos: number }
  | { type: 'method'; object: Node; name: string; args: Node[]; pos: number }
  | { type: 'unary'; op: '!' | '-'; arg: Node; pos: number }
  | { type: 'binary'; op: BinaryOp; left: Node; right: Node; pos: number }
  | { type: 'paren'; inner: Node; pos: number }
  | { type: 'array'; items: Node[]; pos: number };

export type BinaryOp = '||' | '&&' | '??' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';

/** A problem with an expression, in plain words, with where it is (0-based offset). */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'num'; text: string; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'end'; pos: number };

const PUNCT = ['?.', '?[', '??', '==', '!=', '<=', '>=', '&&', '||', '.', '[', ']', '(', ')', ',', '+', '-', '*', '/', '%', '<', '>', '!'];

/** Reads a rhai string literal starting at `start` (the opening quote); returns its value and end. */
export function readString(src: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let out = '';
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\\') {
      const n = src[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", '0': '\0' };
      if (n !== undefined && simple[n] !== undefined) {
        out += simple[n];
        i += 2;
        continue;
      }
      const width = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
      const hex = src.slice(i + 2, i + 2 + width);
      if (width && /^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 2 + width;
        continue;
      }
      throw new ExprError(`"\\${n ?? ''}" is not a known escape in text`, i);
    }
    out += c;
    i++;
  }
  throw new ExprError('This text is not closed: a " is missing', start);
}

/** A rhai string literal for `value` (what the condition builder writes). */
export function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch.charCodeAt(0) < 0x20) out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      tokens.push({ kind: 'num', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(src, i);
      tokens.push({ kind: 'str', value, pos: i });
      i = end;
      continue;
    }
    if (c === '`') throw new ExprError('Text in backticks (`…`) is not supported by the preview', i);
    if (c === "'") throw new ExprError('Write text in double quotes ("…"), not single quotes', i);
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) throw new ExprError(`Unexpected "${c}"`, i);
    tokens.push({ kind: 'punct', text: p, pos: i });
    i += p.length;
  }
  tokens.push({ kind: 'end', pos: src.length });
  return tokens;
}

// rhai's precedence: || < && < == != < comparisons < ?? < + - < * / %.
const LEVELS: BinaryOp[][] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['??'], ['+', '-'], ['*', '/', '%']];

/** Parses one expression (the whole of `src`); throws an `ExprError` in plain words. */
export function parse(src: string): Node {
  const tokens = tokenize(src);
  let k = 0;
  const peek = () => tokens[k]!;
  const isPunct = (text: string) => {
    const t = peek();
    return t.kind === 'punct' && t.text === text;
  };
  const expect = (text: string, what: string) => {
    if (!isPunct(text)) throw new ExprError(`Expected ${what}`, peek().pos);
    k++;
  };

  const binary = (level: number): Node => {
    if (level >= LEVELS.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      if (t.kind === 'punct' && (LEVELS[level] as string[]).includes(t.text)) {
        k++;
        const right = binary(level + 1);
        left = { type: 'binary', op: t.text as BinaryOp, left, right, pos: t.pos };
      } else return left;
    }
  };

  const unary = (): Node => {
    const t = peek();
    if (t.kind === 'punct' && (t.text === '!' || t.text === '-')) {
      k++;
      return { type: 'unary', op: t.text, arg: unary(), pos: t.pos };
    }
    return postfix(primary());
  };

  const args = (): Node[] => {
    const list: Node[] = [];
    if (isPunct(')')) {
      k++;
      return list;
    }
    for (;;) {
      list.push(binary(0));
      if (isPunct(',')) {
        k++;
        continue;
      }
      expect(')', 'a ")" to close the list of arguments');
      return list;
    }
  };

  const postfix = (node: Node): Node => {
    for (;;) {
      const t = peek();
      if (t.kind !== 'punct') return node;
      if (t.text === '.' || t.text === '?.') {
        k++;
        const name = peek();
        if (name.kind !== 'ident') throw new ExprError(`Expected a field name after "${t.text}"`, name.pos);
        k++;
        if (isPunct('(') && t.text === '.') {
          k++;
          node = { type: 'method', object: node, name: name.text, args: args(), pos: name.pos };
        } else node = { type: 'member', object: node, name: name.text, optional: t.text === '?.', pos: name.pos };
      } else if (t.text === '[' || t.text === '?[') {
        k++;
        const index = binary(0);
        expect(']', 'a "]"');
        node = { type: 'index', object: node, index, optional: t.text === '?[', pos: t.pos };
      } else return node;
    }
  };

  const primary = (): Node => {
    const t = peek();
    if (t.kind === 'num') {
      k++;
      const text = t.text.replace(/_/g, '');
      const float = /[.eE]/.test(text);
      return { type: 'lit', value: Number(text), float, raw: t.text, pos: t.pos };
    }
    if (t.kind === 'str') {
      k++;
      return { type: 'lit', value: t.value, pos: t.pos };
    }
    if (t.kind === 'ident') {
      k++;
      if (t.text === 'true' || t.text === 'false') return { type: 'lit', value: t.text === 'true', pos: t.pos };
      if (t.text === 'null') return { type: 'lit', value: null, pos: t.pos };
      if (isPunct('(')) {
        k++;
        return { type: 'call', name: t.text, args: args(), pos: t.pos };
      }
      return { type: 'var', name: t.text, pos: t.pos };
    }
    if (t.kind === 'punct' && t.text === '(') {
      k++;
      if (isPunct(')')) {
        k++;
        return { type: 'lit', value: null, pos: t.pos };
      }
      const inner = binary(0);
      expect(')', 'a ")"');
      return { type: 'paren', inner, pos: t.pos };
    }
    if (t.kind === 'punct' && t.text === '[') {
      k++;
      const items: Node[] = [];
      while (!isPunct(']')) {
        items.push(binary(0));
        if (isPunct(',')) k++;
        else if (!isPunct(']')) throw new ExprError('Expected "," or "]" in the list', peek().pos);
      }
      k++;
      return { type: 'array', items, pos: t.pos };
    }
    if (t.kind === 'end') throw new ExprError('The expression ends too early', t.pos);
    throw new ExprError(`Unexpected "${t.text}"`, t.pos);
  };

  const node = binary(0);
  const rest = peek();
  if (rest.kind !== 'end') throw new ExprError('Unexpected text after the end of the expression (a missing operator?)', rest.pos);
  return node;
}
