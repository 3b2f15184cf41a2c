/**
 * The world of the Teams send crash tests: the connector as a real process (`src/main.ts`) on SQLite or PostgreSQL, Teams
 * played by the Bot Connector emulator in the test process, an agent's API key, and the helpers to kill the
 * connector at a point of a send, let its outbox claims run out, restart it on the same database, and read what the
 * expert's Teams shows (each card as its automatic refresh makes it).
 */
import SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { agentApiDb } from '../../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import type { SendTables } from '../../src/adapters/store/sql-send-ledger.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { systemClock } from '../../src/ports/clock.js';
import { answerCard, type Card, cardOf } from './adaptive-cards.js';
import type { TestDatabase } from './databases.js';
import {
  eventually,
  postActivity,
  type Replica,
  startReplica,
  TENANT,
  teamsActivity,
  writeConfig,
} from './replicas.js';

/** The expert, and someone else. */
export const ann = { id: 'kw-ann', name: 'Ann Billing' };
export const leo = { id: 'kw-leo', name: 'Leo Legal' };

const yaml = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
    - { id: kw-leo, name: Leo Legal, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - { id: billing, name: Billing Experts, members: { kind: static, ids: [kw-ann] }, strategy: { kind: round-robin }, previewTimeoutMs: 600000, maxOffers: 1 }
teams:
  allowedTenants: ["${TENANT}"]
`;

/** A running world; `close()` kills what is left. */
export interface SendCrashWorld {
  readonly emulator: BotConnectorEmulator;
  readonly connector: () => Replica;
  /** Calls the agent API as Kate. */
  api(path: string, body?: unknown): Promise<Response>;
  /** SIGKILL, then the claims the dead process held run out (the outbox lease, fast-forwarded), then a restart. */
  crashAndRestart(beforeRestart?: () => Promise<void> | void): Promise<void>;
  /** Kills the connector (SIGKILL). */
  kill(): Promise<void>;
  /** Holds every write to the send ledger (a lock) until the returned release is called. */
  lockSends(): Promise<() => Promise<void>>;
  /**
   * Until released, the outbox cannot mark an effect done (a trigger refuses the write): the state a crash leaves
   * between a send's answer being recorded and the outbox's own write.
   */
  holdOutboxDone(): Promise<() => Promise<void>>;
  /** Waits until the send of Teams' latest activity in Ann's chat has been recorded as answered. */
  recordedSend(): Promise<void>;
  /** Waits until the outbox has nothing pending. */
  settled(): Promise<void>;
  /** The activities posted to Ann's chat (not updates), as Teams received them. */
  posted(): Record<string, unknown>[];
  /** An Adaptive Card invoke by `user` (its action as on the card); the answer's card. */
  invoke(user: { id: string; name: string }, action: unknown, trigger: 'manual' | 'automatic'): Promise<Card>;
  /** What a card shows once Teams displays it to Ann: the answer to its refresh. */
  shown(card: Card | undefined): Promise<Card>;
  close(): Promise<void>;
}

/** Runs `statements` on a connection of its own, held open until the returned close. */
async function connection(d: TestDatabase, url: string, statements: string[]) {
  if (d.name === 'sqlite') {
    const conn = new SQLite(url);
    conn.pragma('busy_timeout = 5000');
    for (const st of statements) conn.exec(st);
    return {
      run: async (st: string) => void conn.exec(st),
      close: async () => void conn.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const st of statements) await client.query(st);
  return {
    run: async (st: string) => void (await client.query(st)),
    close: () => client.end(),
  };
}

/** The trigger that refuses marking an outbox effect done, in each dialect. */
const HOLD_OUTBOX_DONE = {
  sqlite: [
    `create trigger hold_outbox_done before update of status on outbox when new.status = 'done'
      begin select raise(abort, 'held by the test'); end`,
  ],
  postgres: [
    `create function hold_outbox_done() returns trigger as $$ begin
      if new.status = 'done' then raise exception 'held by the test'; end if; return new; end $$ language plpgsql`,
    'create trigger hold_outbox_done before update on outbox for each row execute function hold_outbox_done()',
  ],
};
const RELEASE_OUTBOX_DONE = {
  sqlite: ['drop trigger hold_outbox_done'],
  postgres: ['drop trigger hold_outbox_done on outbox', 'drop function hold_outbox_done()'],
};

/** Starts the emulator and the connector on a fresh database of `d`, installs the app for Ann. */
export async function startSendCrashWorld(d: TestDatabase): Promise<SendCrashWorld> {
  const file = await d.create();
  const emulator = await startBotConnectorEmulator({ tenantPerSecond: 1000 });
  const db: OpenDatabase = await openDatabase({ url: file, migrations: connectorMigrations });
  const kate = await new ApiKeyStore(agentApiDb(db.db), systemClock).create({
    contactCenter: 'default',
    agentId: 'agent-kate',
    label: 'Kate desktop',
  });
  const sendsDb = db.db.withTables<SendTables>() as unknown as Kysely<SendTables>;
  const env = { DATABASE_URL: file, CONNECTOR_CONFIG: writeConfig(yaml) };
  let connector = await startReplica('connector', env);
  const install = await postActivity(
    connector.base,
    teamsActivity('installation-update-add', emulator.serviceUrl, ann),
  );
  if (!install.ok) throw new Error(`install answered ${install.status}`);
  const chat = `a:${ann.id}`;

  const invoke: SendCrashWorld['invoke'] = async (user, action, trigger) => {
    const activity = teamsActivity('invoke-adaptive-card-action', emulator.serviceUrl, user, {
      id: `f:${Math.random()}`,
      value: { action, trigger },
    });
    const res = await postActivity(connector.base, activity);
    if (res.status !== 200) throw new Error(`invoke answered ${res.status}`);
    const card = answerCard(await res.json());
    if (!card) throw new Error('the invoke was not answered with a card');
    return card;
  };

  return {
    emulator,
    connector: () => connector,
    api: (p, body) =>
      fetch(`${connector.base}/api/v1${p}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${kate.key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    kill: () => connector.kill(),
    async crashAndRestart(beforeRestart) {
      await connector.kill();
      await beforeRestart?.();
      const now = Date.now();
      await db.db.updateTable('outbox').set({ claimed_until: now }).where('claimed_until', '>', now).execute();
      connector = await startReplica('connector', env);
    },
    async lockSends() {
      const lock = await connection(
        d,
        file,
        d.name === 'sqlite' ? ['begin immediate'] : ['begin', 'lock table teams_sends in exclusive mode'],
      );
      return async () => {
        // PostgreSQL goes on with a statement a killed client sent before it died: the dead connector's write of the
        // answer, queued behind this lock, would commit on release, and the answer would be recorded after all. End
        // those orphaned sessions first, as a crash before the write reached the server leaves it: never recorded.
        if (d.name === 'postgres') {
          await lock.run(
            `select pg_terminate_backend(l.pid, 5000) from pg_locks l
              where l.relation = 'teams_sends'::regclass and not l.granted and l.pid <> pg_backend_pid()`,
          );
        }
        await lock.run('rollback');
        await lock.close();
      };
    },
    async holdOutboxDone() {
      const conn = await connection(d, file, HOLD_OUTBOX_DONE[d.name]);
      return async () => {
        for (const st of RELEASE_OUTBOX_DONE[d.name]) await conn.run(st);
        await conn.close();
      };
    },
    async recordedSend() {
      const latest = emulator.requests.filter((r) => r.conversationId === chat && r.status === 201).at(-1);
      if (!latest?.activityId) throw new Error('Teams has no activity in the chat');
      const activityId = latest.activityId;
      await eventually(`the send of ${activityId} recorded as answered`, async () => {
        const row = await sendsDb
          .selectFrom('teams_sends')
          .select('effect_id')
          .where('activity_id', '=', activityId)
          .executeTakeFirst();
        return row !== undefined;
      });
    },
    settled: async () => {
      await eventually('the outbox to be empty', async () => {
        const pending = await db.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return Number(pending?.n) === 0;
      });
    },
    posted: () =>
      emulator.requests
        .filter((r) => r.method === 'POST' && r.conversationId === chat && r.status === 201)
        .map((r) => r.activity),
    invoke,
    async shown(card) {
      const refresh = card?.refresh as { action?: unknown; userIds?: string[] } | undefined;
      if (!refresh?.action) throw new Error('the card has no refresh');
      return invoke(ann, refresh.action, 'automatic');
    },
    async close() {
      await connector.kill();
      await db.close();
      await emulator.close();
      await d.cleanup();
    },
  };
}

/** The preview cards among activities (cards with an Accept button). */
export function previewCards(activities: Record<string, unknown>[]): Card[] {
  return activities
    .map((a) => cardOf(a))
    .filter((c): c is Card => c !== undefined && JSON.stringify(c.actions ?? []).includes('"verb":"accept"'));
}
