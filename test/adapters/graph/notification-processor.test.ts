/**
 * The notification processor with its decryption elsewhere (child processes): entries are applied strictly in the
 * order they were received, a batch that cannot be decrypted is dropped with a log line and its users polled, and a
 * 3-prime certificate key decrypts like a 2-prime one. A backlog is taken at most 512 items at a time, and what is
 * taken counts as in flight until it is applied.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet } from 'jose';
import { afterEach, describe, expect, onTestFinished, test } from 'vitest';
import {
  type DecryptResult,
  decryptBatch,
  type EncryptedContent,
} from '../../../src/adapters/graph/decrypt-content.js';
import { DecryptionProcesses } from '../../../src/adapters/graph/decryption-process.js';
import { NotificationProcessor } from '../../../src/adapters/graph/notification-processor.js';
import { EmulatorIdentity } from '../../../src/dev/graph-emulator/emulator-identity.js';
import { encryptContent, publicKeyOfCertificate } from '../../../src/dev/graph-emulator/encrypt-content.js';
import { describeState } from '../../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';
import type { StateChange } from '../../../src/domain/presence/state-change.js';
import { createLogger } from '../../../src/logger.js';
import { systemClock } from '../../../src/ports/clock.js';
import { type InboxEntry, MemoryNotificationInbox } from '../../../src/ports/presence/notification-inbox.js';
import { captureLogs } from '../../support/log-capture.js';

const TENANT = '00000000-0000-0000-0000-00000000e1e1';
const APP = '11111111-2222-3333-4444-555555555555';
const fixtures = new URL('../../fixtures/graph/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const certOf = (name: string) => publicKeyOfCertificate(pem(name).replace(/-----[^-]+-----|\s+/g, ''));
const twoPrimes = { key: createPrivateKey(pem('notification-key.pem')), cert: certOf('notification-cert.pem') };
const threePrimes = {
  key: createPrivateKey(pem('notification-key-3-primes.pem')),
  cert: certOf('notification-cert-3-primes.pem'),
};
const identity = new EmulatorIdentity(TENANT);

let processes: DecryptionProcesses | undefined;
let processor: NotificationProcessor | undefined;
afterEach(async () => {
  await processor?.stop();
  await processes?.close();
  processor = undefined;
  processes = undefined;
});

/** A processor draining its own inbox (holding `waiting` first); what it changed, logged and handed to the poller. */
async function start(
  privateKeys: ReadonlyMap<string, KeyObject>,
  decrypt?: Pick<DecryptionProcesses, 'decrypt'>,
  waiting: readonly InboxEntry[] = [],
) {
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 });
  for (const id of ['megan', 'alex']) tracker.track(id, Date.now());
  const inbox = new MemoryNotificationInbox();
  for (const e of waiting) await inbox.enqueue(e);
  const changes: StateChange[] = [];
  const logs = captureLogs('warn');
  const polled: string[] = [];
  processor = new NotificationProcessor(
    { appId: APP, tenantId: TENANT, privateKeys },
    {
      inbox,
      tracker,
      jwks: createLocalJWKSet(await identity.jwks()),
      clock: systemClock,
      onChanges: (c) => void changes.push(...c),
      onBasic: (ids) => void polled.push(...ids),
      logger: logs.logger,
      decrypt: decrypt ? (items) => decrypt.decrypt(items) : undefined,
    },
  );
  processor.start();
  return {
    tracker,
    inbox,
    changes,
    /** The messages the processor logged at warn level. */
    get warnings() {
      return logs.messages();
    },
    polled,
    processor,
  };
}

/** One collection of one encrypted presence. */
async function entry(
  userId: string,
  availability: string,
  seq: number,
  cert = twoPrimes.cert,
  certId = 'cert-1',
): Promise<InboxEntry> {
  const presence = { id: userId, availability, activity: availability, sequenceNumber: String(seq).padStart(12, '0') };
  return {
    items: [
      {
        subscriptionId: 'sub-1',
        resourceData: { id: userId },
        encryptedContent: encryptContent(presence, cert, certId),
      },
    ],
    validationTokens: [await identity.validationToken(APP, Date.now())],
    receivedAt: Date.now(),
  };
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

describe('NotificationProcessor with decryption processes', () => {
  test('a backlog is taken at most 512 items at a time; what is taken counts as in flight until applied', async () => {
    const keys = new Map([['cert-1', twoPrimes.key]]);
    // Decryption that answers only once the test lets it (the real decryption, held back).
    const batches: number[] = [];
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    const held = {
      async decrypt(items: readonly EncryptedContent[]): Promise<readonly DecryptResult[]> {
        batches.push(items.length);
        await released;
        return decryptBatch(items, keys);
      },
    };
    const token = await identity.validationToken(APP, Date.now());
    const firstAt = Date.now() - 1_000;
    let seq = 0;
    const backlog: InboxEntry[] = [];
    for (let e = 0; e < 12; e++) {
      const items = Array.from({ length: 100 }, () => {
        seq++;
        const availability = seq % 2 ? 'Busy' : 'Available';
        const sequenceNumber = String(seq).padStart(12, '0');
        const presence = { id: 'megan', availability, activity: availability, sequenceNumber };
        return {
          subscriptionId: 'sub-1',
          resourceData: { id: 'megan' },
          encryptedContent: encryptContent(presence, twoPrimes.cert, 'cert-1'),
        };
      });
      backlog.push({ items, validationTokens: [token], receivedAt: firstAt + e });
    }
    const p = await start(keys, held, backlog);
    onTestFinished(() => release());

    // Two takes of five collections (500 items) are out for decryption; the rest waits in the inbox.
    await until(() => batches.length === 2);
    expect(batches).toEqual([500, 500]);
    expect(p.processor.inFlight()).toEqual({ items: 1_000, oldestReceivedAt: firstAt });
    expect(p.inbox.items()).toBe(200);

    release();
    await until(() => p.processor.stats.applied + p.processor.stats.ignored === 1_200);
    expect(batches).toEqual([500, 500, 200]);
    await until(() => p.processor.inFlight().items === 0);
    expect(p.processor.inFlight()).toEqual({ items: 0, oldestReceivedAt: undefined });
    expect(p.tracker.stateFor('megan', Date.now()).kind).toBe('ready'); // the 1,200th change: Available
  });

  test('entries are applied in the order received, though two processes decrypt them in parallel', async () => {
    processes = new DecryptionProcesses(
      new Map([['cert-1', twoPrimes.key]]),
      { size: 2 },
      { logger: createLogger('silent') },
    );
    const p = await start(new Map([['cert-1', twoPrimes.key]]), processes);
    const cycle = ['Away', 'Available', 'Busy', 'Available'];
    const sent: string[] = [];
    for (let i = 0; i < 120; i++) {
      const user = i % 3 === 0 ? 'alex' : 'megan';
      const availability = cycle[i % cycle.length] ?? 'Available';
      await p.inbox.enqueue(await entry(user, availability, i + 1));
      sent.push(`${user}:${availability}`);
    }
    await until(() => p.processor.stats.entries === 120);
    // Every notification is newer than the last one of its user, so each one that changes the state is applied.
    const expected: string[] = [];
    const last = new Map<string, string>();
    for (const s of sent) {
      const [user = '', availability = ''] = s.split(':');
      const state = availability === 'Available' ? 'Ready' : `NotReady(${availability})`;
      if (last.get(user) !== state) expected.push(`${user}:${state}`);
      last.set(user, state);
    }
    expect(p.changes.map((c) => `${c.userId}:${describeState(c.to)}`)).toEqual(expected);
    expect(p.processor.stats.applied + p.processor.stats.ignored).toBe(120);
    expect(p.processor.stats.refused).toBe(0);
    expect(p.warnings).toEqual([]);
  });

  test('a batch that cannot be decrypted is dropped with one log line and its users are polled instead', async () => {
    processes = new DecryptionProcesses(new Map([['cert-1', twoPrimes.key]]), {}, { logger: createLogger('silent') });
    await processes.close();
    const p = await start(new Map([['cert-1', twoPrimes.key]]), processes);
    await p.inbox.enqueue(await entry('megan', 'Away', 1));
    await p.inbox.enqueue(await entry('alex', 'Away', 2));
    await until(() => p.polled.length === 2);
    expect(p.polled).toEqual(['megan', 'alex']);
    expect(p.warnings).toEqual(['refused change notification: processing failed (DecryptionClosedError)']);
    expect(p.changes).toEqual([]);
  });

  test('a certificate whose key has 3 primes decrypts in a process and on the event loop alike', async () => {
    const keys = new Map([
      ['cert-1', twoPrimes.key],
      ['cert-3p', threePrimes.key],
    ]);
    processes = new DecryptionProcesses(keys, {}, { logger: createLogger('silent') });
    const inProcess = await start(keys, processes);
    await inProcess.inbox.enqueue(await entry('megan', 'Busy', 1, threePrimes.cert, 'cert-3p'));
    await inProcess.inbox.enqueue(await entry('alex', 'Away', 2, twoPrimes.cert, 'cert-1'));
    await until(() => inProcess.processor.stats.entries === 2);
    expect(inProcess.changes.map((c) => `${c.userId}:${describeState(c.to)}`)).toEqual([
      'megan:NotReady(Busy)',
      'alex:NotReady(Away)',
    ]);
    await inProcess.processor.stop();

    const onLoop = await start(keys);
    await onLoop.inbox.enqueue(await entry('megan', 'DoNotDisturb', 3, threePrimes.cert, 'cert-3p'));
    await until(() => onLoop.processor.stats.entries === 1);
    expect(onLoop.changes.map((c) => `${c.userId}:${describeState(c.to)}`)).toEqual(['megan:NotReady(DoNotDisturb)']);
  });
});
