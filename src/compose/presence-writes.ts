/**
 * The presence-writes feature: the contact center's state shown in Teams. An expert in a session (accepted preview,
 * transfer, conference, consultation) shows `presence.write.experts` (Busy/InACall by default) through the
 * connector's own application presence session, kept alive while the session lasts and cleared when it ends, on
 * every way it ends and after a crash and restart too (the written presences are kept in the database).
 *
 * It follows the session load, which follows the committed-event spine (`InteractionService.onCommitted`; with
 * replicas, the database re-read after any replica's commit), and writes for the people whose presence shard this
 * process holds: one replica writes a given person's presence. Writes take a share of the presence quota ahead of
 * polls, in the one Graph client.
 */
import { createGraphPresenceWriteGateway } from '../adapters/graph/presence-write-gateway.js';
import type { PresenceWriteOptions } from '../adapters/graph/presence-write-options.js';
import { createSqlPresenceWriteStore } from '../adapters/store/sql-presence-writes.js';
import { CallWindow } from '../domain/presence/call-window.js';
import type { ShownPresence } from '../domain/presence/presence-write.js';
import { PresenceWriter } from '../services/presence-writer.js';
import type { Feature, Infrastructure } from './feature.js';
import type { GraphAccess } from './graph.js';
import type { Presence } from './presence.js';

/** Graph's presence quota: calls per window, and the window. */
const QUOTA_CALLS = 1500;
const QUOTA_WINDOW_MS = 30_000;

/** The built presence-writes feature. */
export interface PresenceWrites extends Feature {
  readonly writer: PresenceWriter;
  /** Writes per quota window the writer may take ahead of polls. */
  readonly writesPerWindow: number;
  /** A knowledge worker's count of active sessions changed: what Teams shows for them follows. */
  sessionLoad(knowledgeWorkerId: string, activeSessions: number): void;
}

/** What the feature is built from besides its settings. */
export interface PresenceWritesParts {
  readonly graph: GraphAccess;
  readonly presence: Presence;
  /** The app registration's id: the application presence session's id. */
  readonly clientId: string;
  /** The connector's share of the presence quota (`presence.quotaShare`). */
  readonly quotaShare: number;
}

/** Builds the feature (nothing is written until `start`). */
export function createPresenceWrites(
  options: PresenceWriteOptions,
  infra: Infrastructure,
  parts: PresenceWritesParts,
): PresenceWrites {
  const log = infra.logger.child({ part: 'presence-writes' });
  const writesPerWindow = Math.max(1, Math.floor(options.writeShare * parts.quotaShare * QUOTA_CALLS));
  const writer = new PresenceWriter(
    { expirationMinutes: options.expirationMinutes },
    {
      store: createSqlPresenceWriteStore(infra.database),
      gateway: createGraphPresenceWriteGateway(parts.graph.client, parts.clientId),
      clock: infra.clock,
      owns: (id) => parts.presence.shards.holdsUser(id),
      budget: new CallWindow(writesPerWindow, QUOTA_WINDOW_MS),
      logger: log,
    },
  );
  parts.presence.shards.onAcquired((ids) => {
    writer
      .takeOver(ids)
      .catch((err: unknown) => log.warn({ err: String(err) }, 'could not read the presences written for a shard'));
  });
  const inSession: ShownPresence = {
    availability: options.experts.availability,
    activity: options.experts.activity,
    statusMessage: options.experts.statusMessage ?? null,
  };
  return {
    name: 'presence-writes',
    writer,
    writesPerWindow,
    sessionLoad: (id, active) => writer.want(id, active > 0 ? inSession : null),
    start() {
      writer.start();
      log.info(
        { shows: `${inSession.availability}/${inSession.activity}`, writesPerWindow },
        'presence writes started: experts in a session show in Teams',
      );
    },
    stop: () => writer.stop(),
  };
}
