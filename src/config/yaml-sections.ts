/**
 * Cuts whole entries out of a block-style YAML mapping before it is parsed, so a command that does not need a large
 * section (the directory's knowledge workers, the routing points) does not read it at all. Works on the text's
 * lines: an entry runs from its key's line to the next key at the same indentation. When the layout is anything else
 * (flow style, directives, several documents, a line it cannot place) it answers `undefined` and the caller reads
 * the whole file, which is always right, only slower. Pure.
 */

/** A key path: `['routing']`, `['directory', 'knowledgeWorkers']`. */
export type SectionPath = readonly [string] | readonly [string, string];

const KEY_AT = /^( *)([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]|$)/;

/**
 * The text without the entries named by `paths` (top-level keys, or a key of a top-level block mapping; a section
 * left empty goes too), their lines emptied so the others keep their numbers; entries that are absent are fine.
 * Undefined when the layout is not one this can cut safely.
 */
export function omitSections(text: string, paths: readonly SectionPath[]): string | undefined {
  const lines = text.split('\n');
  const drop = new Uint8Array(lines.length);
  const top = entriesAt(lines, 0, 0, lines.length);
  if (top === undefined) return undefined;
  for (const path of paths) {
    const entry = top.get(path[0]);
    if (entry === undefined) continue;
    if (path.length === 1) {
      drop.fill(1, entry.from, entry.to);
      continue;
    }
    // A key of the section's block mapping: its children's indentation is that of its first significant line.
    if ((lines[entry.from] ?? '').replace(/#.*$/, '').trim() !== `${path[0]}:`) return undefined;
    const first = nextSignificant(lines, entry.from + 1, entry.to);
    if (first === undefined) continue;
    const indent = indentOf(lines[first] ?? '');
    if (indent === 0) return undefined;
    const children = entriesAt(lines, indent, entry.from + 1, entry.to);
    const child = children?.get(path[1]);
    if (children === undefined) return undefined;
    if (child === undefined) continue;
    drop.fill(1, child.from, child.to);
    // Nothing left under the section's key: drop the key too (an empty value would be null, not the default).
    let left = false;
    for (let i = entry.from + 1; i < entry.to && !left; i++) left = drop[i] === 0 && !isBlankOrComment(lines[i] ?? '');
    if (!left) drop.fill(1, entry.from, entry.to);
  }
  // Dropped lines become empty lines, so the lines of what is left keep their numbers (for problems' lines).
  return lines.map((line, i) => (drop[i] === 0 ? line : '')).join('\n');
}

interface Entry {
  /** First line (the key's). */
  readonly from: number;
  /** One past the last line. */
  readonly to: number;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

function nextSignificant(lines: readonly string[], from: number, to: number): number | undefined {
  for (let i = from; i < to; i++) if (!isBlankOrComment(lines[i] ?? '')) return i;
  return undefined;
}

/**
 * The entries of a block mapping whose keys sit at `indent`, between lines `from` and `to`. Lines indented deeper
 * belong to the entry above; at the same indentation only keys and (a compact sequence under the key above) `- `
 * items may appear; a tab, a directive or a document marker gives up.
 */
function entriesAt(lines: readonly string[], indent: number, from: number, to: number): Map<string, Entry> | undefined {
  const entries = new Map<string, Entry>();
  let current: { key: string; from: number } | undefined;
  const close = (end: number) => {
    if (current) entries.set(current.key, { from: current.from, to: end });
  };
  for (let i = from; i < to; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.includes('\t') && line.trim() !== '' && /^\s*\t/.test(line)) return undefined;
    if (isBlankOrComment(line)) continue;
    const ind = indentOf(line);
    if (ind < indent) return undefined;
    if (ind > indent) {
      if (current === undefined) return undefined;
      continue;
    }
    if (indent === 0 && /^(---|\.\.\.|%)/.test(line)) return undefined;
    if (line.startsWith('- ', ind) || line.length === ind + 1) {
      if (current === undefined || line.charAt(ind) !== '-') return undefined;
      continue;
    }
    const m = KEY_AT.exec(line);
    if (!m?.[2] || entries.has(m[2]) || current?.key === m[2]) return undefined;
    close(i);
    current = { key: m[2], from: i };
  }
  close(to);
  return entries;
}
