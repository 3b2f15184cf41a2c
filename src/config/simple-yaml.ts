/**
 * A fast reader for the plain, block-style YAML that configuration files are written in, so a directory of 100,000
 * knowledge workers is read in a fraction of a second instead of the ten seconds and more the full YAML library
 * takes for it. It reads block mappings and sequences (also compact, `- key: value`), single-line flow sequences and
 * mappings, quoted and plain scalars with the YAML 1.2 core schema (null, booleans, decimal numbers, strings), and
 * comments. Anything else (anchors, aliases, tags, block or multi-line scalars, multi-line flow collections,
 * directives, several documents, duplicate or unusual keys) makes it answer `undefined`: the caller then parses the
 * text with the `yaml` library, which also gives every error its line. What it answers equals what `yaml` gives for
 * the same text (test/config/simple-yaml.test.ts checks them against each other). Pure.
 */

/** The parsed value, or undefined when the text uses anything beyond the subset read here. */
export function parseSimpleYaml(text: string): { readonly value: unknown } | undefined {
  try {
    const reader = new Reader(text);
    return reader.document();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

/** Thrown (and caught above) as soon as the text leaves the subset. */
const BAIL: unique symbol = Symbol('outside the simple YAML subset');

function bail(): never {
  throw BAIL;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]+|$)/;
const FLOW_KEY = /([A-Za-z_][A-Za-z0-9_.-]*):[ ]+/y;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
const JSON_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);

/** A plain scalar's value in the core schema. */
function resolvePlain(s: string): unknown {
  if (s === '' || NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (INT.test(s) || FLOAT.test(s)) return Number(s);
  const c = s.charCodeAt(0);
  // `.inf`, `.nan`, `0x…`, `0o…` and friends: left to the library.
  if (c === 46 /* . */ || (c >= 48 && c <= 57 && /^0[xo]/i.test(s))) bail();
  return s;
}

class Reader {
  /** Significant lines: indentation and content (comment-only and blank lines dropped). */
  readonly #indent: number[] = [];
  readonly #content: string[] = [];
  #i = 0;

  constructor(text: string) {
    let start = 0;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = n;
      let line = text.slice(start, end);
      start = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      let ind = 0;
      while (ind < line.length && line.charCodeAt(ind) === 32) ind++;
      if (ind === line.length) continue;
      const first = line.charCodeAt(ind);
      if (first === 35 /* # */) continue;
      if (first === 9 /* tab */) bail();
      if (ind === 0 && (line.startsWith('---') || line.startsWith('...') || first === 37) /* % */) bail();
      this.#indent.push(ind);
      this.#content.push(line.slice(ind));
      if (end === n) break;
    }
  }

  document(): { value: unknown } | undefined {
    if (this.#content.length === 0) return undefined;
    if (this.#indent[0] !== 0) bail();
    const value = this.#block(0);
    if (this.#i < this.#content.length) bail();
    return { value };
  }

  /** The block node whose first line is the current one, at indentation `ind`. */
  #block(ind: number): unknown {
    const content = this.#content[this.#i] ?? bail();
    if (isSequenceItem(content)) return this.#sequence(ind);
    if (KEY.test(content)) return this.#mapping(ind);
    bail();
  }

  #mapping(ind: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.#i < this.#content.length) {
      const lineInd = this.#indent[this.#i] ?? 0;
      if (lineInd < ind) break;
      if (lineInd > ind) bail();
      const content = this.#content[this.#i] ?? '';
      if (isSequenceItem(content)) break;
      const m = KEY.exec(content) ?? bail();
      const key = m[1] ?? bail();
      if (unusualKey(key) || Object.hasOwn(out, key)) bail();
      const rest = content.slice(m[0].length);
      this.#i++;
      if (rest === '' || rest.startsWith('#')) {
        out[key] = this.#nested(ind, true);
      } else {
        out[key] = inlineValue(rest);
        // A more indented line after an inline value would continue it (a multi-line scalar): not read here.
        if ((this.#indent[this.#i] ?? -1) > ind) bail();
      }
    }
    return out;
  }

  /** The value of a key or item with nothing after it on its line: a block below, a compact sequence, or null. */
  #nested(ind: number, compactSequence: boolean): unknown {
    if (this.#i >= this.#content.length) return null;
    const nextInd = this.#indent[this.#i] ?? 0;
    if (nextInd > ind) return this.#block(nextInd);
    if (compactSequence && nextInd === ind && isSequenceItem(this.#content[this.#i] ?? '')) return this.#sequence(ind);
    return null;
  }

  #sequence(ind: number): unknown[] {
    const out: unknown[] = [];
    while (this.#i < this.#content.length) {
      const lineInd = this.#indent[this.#i] ?? 0;
      if (lineInd < ind) break;
      if (lineInd > ind) bail();
      const content = this.#content[this.#i] ?? '';
      if (!isSequenceItem(content)) break;
      let after = 1;
      while (content.charCodeAt(after) === 32) after++;
      const rest = content.slice(after);
      if (rest === '' || rest.startsWith('#')) {
        this.#i++;
        out.push(this.#nested(ind, false));
      } else if (isSequenceItem(rest) || KEY.test(rest)) {
        // `- key: value` (or `- - item`): the node starts on this line, at the column after the dash.
        this.#indent[this.#i] = ind + after;
        this.#content[this.#i] = rest;
        out.push(this.#block(ind + after));
      } else {
        this.#i++;
        out.push(inlineValue(rest));
        if ((this.#indent[this.#i] ?? -1) > ind) bail();
      }
    }
    return out;
  }
}

/** Keys the core schema would not read as the same string (`null`, `true`, …), and `__proto__`. */
function unusualKey(key: string): boolean {
  return key === '__proto__' || NULLS.has(key) || TRUES.has(key) || FALSES.has(key);
}

function isSequenceItem(content: string): boolean {
  return content.charCodeAt(0) === 45 /* - */ && (content.length === 1 || content.charCodeAt(1) === 32);
}

/** A value that fills the rest of its line: a quoted or plain scalar, or a flow collection, then maybe a comment. */
function inlineValue(rest: string): unknown {
  const first = rest.charCodeAt(0);
  if (first === 34 /* " */ || first === 39 /* ' */ || first === 91 /* [ */ || first === 123 /* { */) {
    const flow = new Flow(rest);
    const value = flow.value(false);
    flow.end();
    return value;
  }
  // A plain scalar: up to a comment; no indicator at its start, no `: ` inside.
  if (isSequenceItem(rest)) bail();
  if ('&*!|>%@`]},#'.includes(rest.charAt(0))) bail();
  if ((first === 63 /* ? */ || first === 58) /* : */ && (rest.length === 1 || rest.charCodeAt(1) === 32)) bail();
  const hash = rest.indexOf(' #');
  const text = (hash === -1 ? rest : rest.slice(0, hash)).trimEnd();
  if (text.includes(': ') || text.endsWith(':') || text.includes('\t#')) bail();
  return resolvePlain(text);
}

/** Single-line flow values and quoted scalars. */
class Flow {
  #p = 0;
  constructor(readonly s: string) {}

  #spaces(): void {
    while (this.s.charCodeAt(this.#p) === 32) this.#p++;
  }

  /** What follows the value on its line: nothing, or a comment. */
  end(): void {
    this.#spaces();
    if (this.#p < this.s.length && (this.s.charAt(this.#p) !== '#' || this.s.charAt(this.#p - 1) !== ' ')) bail();
  }

  value(inFlow: boolean): unknown {
    this.#spaces();
    const c = this.s.charAt(this.#p);
    if (c === '"') return this.#double();
    if (c === "'") return this.#single();
    if (c === '[') return this.#seq();
    if (c === '{') return this.#map();
    if (!inFlow) bail();
    return resolvePlain(this.#plainInFlow());
  }

  #plainInFlow(): string {
    const start = this.#p;
    if ('&*!|>%@`#,[]{}?:-'.includes(this.s.charAt(start)) && !/^-[0-9.]/.test(this.s.slice(start, start + 2))) bail();
    while (this.#p < this.s.length) {
      const ch = this.s.charAt(this.#p);
      if (ch === ',' || ch === ']' || ch === '}' || ch === '[' || ch === '{') break;
      if (ch === ':' || ch === '#' || ch === '"' || ch === "'") bail();
      this.#p++;
    }
    const text = this.s.slice(start, this.#p).trimEnd();
    if (text === '') bail();
    return text;
  }

  #double(): string {
    const close = this.s.indexOf('"', this.#p + 1);
    let end = close;
    // Escaped quotes: find the closing quote that is not escaped.
    while (end !== -1) {
      let backslashes = 0;
      for (let k = end - 1; this.s.charAt(k) === '\\'; k--) backslashes++;
      if (backslashes % 2 === 0) break;
      end = this.s.indexOf('"', end + 1);
    }
    if (end === -1) bail();
    const raw = this.s.slice(this.#p, end + 1);
    for (let k = raw.indexOf('\\'); k !== -1; k = raw.indexOf('\\', k + 2))
      if (!JSON_ESCAPES.has(raw.charAt(k + 1))) bail();
    this.#p = end + 1;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return bail();
    }
  }

  #single(): string {
    let out = '';
    let k = this.#p + 1;
    for (;;) {
      const q = this.s.indexOf("'", k);
      if (q === -1) bail();
      out += this.s.slice(k, q);
      if (this.s.charAt(q + 1) === "'") {
        out += "'";
        k = q + 2;
        continue;
      }
      this.#p = q + 1;
      return out;
    }
  }

  #seq(): unknown[] {
    this.#p++;
    const out: unknown[] = [];
    this.#spaces();
    if (this.s.charAt(this.#p) === ']') {
      this.#p++;
      return out;
    }
    for (;;) {
      out.push(this.value(true));
      this.#spaces();
      const c = this.s.charAt(this.#p++);
      if (c === ']') return out;
      if (c !== ',') bail();
    }
  }

  #map(): Record<string, unknown> {
    this.#p++;
    const out: Record<string, unknown> = {};
    this.#spaces();
    if (this.s.charAt(this.#p) === '}') {
      this.#p++;
      return out;
    }
    for (;;) {
      this.#spaces();
      FLOW_KEY.lastIndex = this.#p;
      const m = FLOW_KEY.exec(this.s) ?? bail();
      const key = m[1] ?? bail();
      if (unusualKey(key) || Object.hasOwn(out, key)) bail();
      this.#p += m[0].length;
      out[key] = this.value(true);
      this.#spaces();
      const c = this.s.charAt(this.#p++);
      if (c === '}') return out;
      if (c !== ',') bail();
    }
  }
}
