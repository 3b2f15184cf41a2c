/**
 * Hot reload of the presence mapping rules file, on a real temp file checked every few milliseconds: a valid edit
 * hands the new rules on and logs "presence rules reloaded" with how many states changed; an invalid edit is logged
 * with its line and the current rules stay (nothing is handed on); a file that cannot be read is logged; once the
 * returned function is called, edits are no longer picked up.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type RulesFileRead, watchRulesFile } from '../../src/config/presence-rules-watch.js';
import { notReady, READY } from '../../src/domain/presence/agent-state.js';
import { type MappingRuleSet, mapPresence } from '../../src/domain/presence/mapping-rules.js';
import { parseRulesFile } from '../../src/domain/presence/rules-file.js';
import { captureLogs } from '../support/log-capture.js';

const INTERVAL_MS = 10;

const original = `rules:
  - availability: Available
    state: Ready
`;

/** In a call, Busy counts as Ready (a pool that takes chats during calls). */
const callsAreReady = `rules:
  - availability: Busy
    activity: InACall
    state: Ready
  - availability: Available
    state: Ready
`;

/** Line 3 names a state that does not exist. */
const invalid = `rules:
  - availability: Busy
    state: Sleeping
`;

/** Replaces the file in one step, as editors save (the watcher never sees it half written). */
function save(file: string, text: string): void {
  const next = `${file}.${process.pid}.tmp`;
  writeFileSync(next, text);
  renameSync(next, file);
}

/** Reads and checks a rules file as the presence feature does. */
function read(file: string): RulesFileRead {
  const parsed = parseRulesFile(readFileSync(file, 'utf8'));
  return parsed.ok ? { ok: true, rules: parsed.rules } : parsed;
}

describe('watchRulesFile', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /**
   * A rules file watched by {@link watchRulesFile}. Node keeps one stat watcher per file and calls all its listeners
   * on each change it sees; a probe listener attached first makes sure that watcher has taken its first look at the
   * file before the test edits it (an edit made before would go unseen), and tells when a later edit was seen.
   */
  async function watched(onRulesAnswer = 3) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ucc-rules-')), 'presence-rules.yaml');
    save(file, original);
    const probe = { changes: 0 };
    const count = () => {
      probe.changes++;
    };
    watchFile(file, { interval: INTERVAL_MS }, count);
    cleanups.push(() => unwatchFile(file, count));
    await vi.waitFor(
      () => {
        if (probe.changes === 0) save(file, original);
        expect(probe.changes).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 5 },
    );

    const { logger, records: lines } = captureLogs();
    const handed: MappingRuleSet[] = [];
    const stop = watchRulesFile({
      path: file,
      read,
      onRules: (rules) => {
        handed.push(rules);
        return onRulesAnswer;
      },
      logger,
      intervalMs: INTERVAL_MS,
    });
    cleanups.push(stop);

    /** Edits the file and waits until the watcher has seen the edit (every listener still attached was called). */
    const editSeen = async (text: string) => {
      const before = probe.changes;
      save(file, text);
      await vi.waitFor(() => expect(probe.changes).toBeGreaterThan(before), { timeout: 5_000, interval: 5 });
    };
    return { file, lines, handed, stop, editSeen };
  }

  test('a valid edit hands the new rules on and logs the reload', async () => {
    const { file, lines, handed } = await watched(3);
    save(file, callsAreReady);

    await vi.waitFor(() => expect(handed).toHaveLength(1), { timeout: 5_000, interval: 5 });
    const rules = handed[0] as MappingRuleSet;
    expect(mapPresence(rules, 'Busy', 'InACall')).toEqual(READY);
    expect(mapPresence(rules, 'Busy', 'Presenting')).toEqual(notReady('Presenting'));
    await vi.waitFor(() =>
      expect(lines.filter((l) => l.msg === 'presence rules reloaded')).toEqual([
        expect.objectContaining({ level: 30, path: file, changes: 3 }),
      ]),
    );
  });

  test('an invalid edit is logged with its line and the current rules stay; a later valid edit is taken', async () => {
    const { file, lines, handed } = await watched();
    save(file, invalid);

    await vi.waitFor(() => expect(lines.filter((l) => l.level === 50)).toHaveLength(1), {
      timeout: 5_000,
      interval: 5,
    });
    const [error] = lines.filter((l) => l.level === 50);
    expect(error).toMatchObject({ path: file, line: 3 });
    expect(error?.msg).toMatch(/^presence rules not reloaded: line 3: .*state.*; the current rules stay$/);
    expect(handed).toEqual([]);
    expect(lines.filter((l) => l.msg === 'presence rules reloaded')).toEqual([]);

    save(file, callsAreReady);
    await vi.waitFor(() => expect(handed).toHaveLength(1), { timeout: 5_000, interval: 5 });
    expect(mapPresence(handed[0] as MappingRuleSet, 'Busy', 'InACall')).toEqual(READY);
  });

  test('a file that cannot be read is logged and nothing is handed on', async () => {
    const { file, lines, handed } = await watched();
    rmSync(file);

    await vi.waitFor(
      () =>
        expect(lines.filter((l) => l.level === 50)).toEqual([
          expect.objectContaining({
            msg: 'the presence rules file cannot be read; the current rules stay',
            path: file,
          }),
        ]),
      { timeout: 5_000, interval: 5 },
    );
    expect(handed).toEqual([]);
  });

  test('after the returned function is called, edits are not picked up', async () => {
    const { lines, handed, stop, editSeen } = await watched();
    await editSeen(callsAreReady);
    expect(handed).toHaveLength(1);

    stop();
    await editSeen(`${original}  - availability: Offline\n    state: LoggedOut\n`);
    await editSeen(invalid);
    expect(handed).toHaveLength(1);
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
    expect(lines.filter((l) => l.msg === 'presence rules reloaded')).toHaveLength(1);
  });
});
