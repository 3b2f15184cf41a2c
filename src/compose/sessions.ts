/**
 * The session-load feature: how many sessions each knowledge worker is connected to (the connector's own load).
 * Seeded from the database; follows every command committed here and, with replicas (PostgreSQL), the summaries of
 * sessions other replicas' commits carry (applied without reading the database); when those may have been lost (the
 * listening connection dropped), or a replica names knowledge workers without a summary, they are re-read.
 * Each change in a count is handed to `onLoad` (the presence engine turns "at the session limit" into Busy). */
import { createSqlActiveSessions } from '../adapters/store/sql-active-sessions.js';
import { SessionLoad } from '../services/session-load.js';
import type { Feature, Infrastructure } from './feature.js';
import type { Interactions } from './interactions.js';
import type { ScaleOut } from './scale-out.js';

/** The built session-load feature. */
export interface Sessions extends Feature {
  readonly load: SessionLoad;
}

/** Builds the session load, seeded from the database. */
export async function createSessions(
  infra: Infrastructure,
  interactions: Interactions,
  scaleOut: ScaleOut | null,
  onLoad: ((knowledgeWorkerId: string, activeSessions: number) => void) | null,
): Promise<Sessions> {
  const { logger } = infra;
  const load = new SessionLoad(createSqlActiveSessions(infra.database), (id, active) => onLoad?.(id, active));
  const refresh = (ids: readonly string[] | null) => {
    load.refresh(ids).catch((error: unknown) => logger.warn({ err: error }, 'could not re-read session load'));
  };
  interactions.commands.onCommitted((info) => load.observe(info.interactions));
  scaleOut?.signals.on('sessionSummaries', (summaries) => load.apply(summaries));
  scaleOut?.signals.on('sessions', refresh);
  await load.seed();
  return { name: 'sessions', load };
}
