/**
 * Hot reload of the presence mapping rules file (`presence.rulesFile`): the file is watched, and each change is read
 * and checked again. Valid rules are handed on; an invalid edit is logged with its line and the current rules stay;
 * an unreadable file is logged and the current rules stay.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import type { MappingRuleSet } from '../domain/presence/mapping-rules.js';
import { reloadPresenceRules } from './config-files.js';

/** A rules file read and checked: the rules, or what is wrong at which line. */
export type RulesFileRead =
  | { readonly ok: true; readonly rules: MappingRuleSet }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Reads the rules file again ({@link reloadPresenceRules}); throws when it cannot be read. */
export function rereadRulesFile(path: string): RulesFileRead {
  const reload = reloadPresenceRules(path);
  if (reload.ok) return reload;
  const { line, message } = reload.problem;
  if (line === null) throw new Error(message);
  return { ok: false, line, message };
}

/** What {@link watchRulesFile} needs. */
export interface RulesFileWatchOptions {
  readonly path: string;
  /** Reads and checks the file (throws when it cannot be read). Default {@link rereadRulesFile}. */
  readonly read?: ((path: string) => RulesFileRead) | undefined;
  /** Called with the new rules after each valid change; answers how many states changed. */
  readonly onRules: (rules: MappingRuleSet) => number;
  readonly logger: Logger;
  /** How often the file is checked. Default 1 s. */
  readonly intervalMs?: number | undefined;
}

/** Watches the rules file; returns a function that stops watching. */
export function watchRulesFile(options: RulesFileWatchOptions): () => void {
  const { path, logger } = options;
  const listener = () => {
    let next: RulesFileRead;
    try {
      next = (options.read ?? rereadRulesFile)(path);
    } catch (err) {
      logger.error({ err: String(err), path }, 'the presence rules file cannot be read; the current rules stay');
      return;
    }
    if (!next.ok) {
      logger.error(
        { path, line: next.line },
        `presence rules not reloaded: line ${next.line}: ${next.message}; the current rules stay`,
      );
      return;
    }
    const changes = options.onRules(next.rules);
    logger.info({ path, changes }, 'presence rules reloaded');
  };
  watchFile(path, { interval: options.intervalMs ?? 1000 }, listener);
  return () => unwatchFile(path, listener);
}
