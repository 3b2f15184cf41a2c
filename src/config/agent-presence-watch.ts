/**
 * Hot reload of the agents' presence mapping file (`presence.write.agents.mappingFile`): each change is read and
 * checked again; a valid mapping is handed on, an invalid edit is logged with its line and the current mapping stays.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import type { AgentPresenceRule } from '../domain/presence/agent-presence.js';
import { reloadAgentPresenceMapping } from './config-files.js';

/** Watches the mapping file; returns a function that stops watching. */
export function watchAgentPresenceMapping(options: {
  readonly path: string;
  readonly onRules: (rules: readonly AgentPresenceRule[]) => void;
  readonly logger: Logger;
  /** How often the file is checked. Default 1 s. */
  readonly intervalMs?: number | undefined;
}): () => void {
  const { path, logger } = options;
  const listener = () => {
    const next = reloadAgentPresenceMapping(path);
    if (!next.ok) {
      const where = next.problem.line === null ? '' : `line ${next.problem.line}: `;
      logger.error(
        { path },
        `agent presence mapping not reloaded: ${where}${next.problem.message}; the current one stays`,
      );
      return;
    }
    options.onRules(next.rules);
    logger.info({ path }, 'agent presence mapping reloaded');
  };
  watchFile(path, { interval: options.intervalMs ?? 1000 }, listener);
  return () => unwatchFile(path, listener);
}
