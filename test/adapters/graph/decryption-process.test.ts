/**
 * The decryption processes: child processes at a lower priority decrypt notification contents exactly as the
 * in-thread path does, survive their own death, and give up a batch that kills them every time.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import {
  DecryptionClosedError,
  DecryptionCrashError,
  DecryptionProcesses,
} from '../../../src/adapters/graph/decryption-process.js';
import { encryptContent, publicKeyOfCertificate } from '../../../src/dev/graph-emulator/encrypt-content.js';
import { captureLogs } from '../../support/log-capture.js';

const fixtures = new URL('../../fixtures/graph/', import.meta.url);
const cert = readFileSync(new URL('notification-cert.pem', fixtures), 'utf8').replace(/-----[^-]+-----|\s+/g, '');
const privateKey = createPrivateKey(readFileSync(new URL('notification-key.pem', fixtures), 'utf8'));
const publicKey = publicKeyOfCertificate(cert);
const keys = new Map([['cert-1', privateKey]]);
const presences = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    encryptContent({ id: `user-${from + i}`, availability: 'Available' }, publicKey, 'cert-1'),
  );
const idsOf = (results: readonly { ok: boolean; json?: unknown; reason?: string }[]) =>
  results.map((r) => (r.ok ? (r.json as { id: string }).id : r.reason));

let processes: DecryptionProcesses | undefined;
let logs = captureLogs('warn');
/** What the processes logged at warn level. */
const warnings = () => logs.records.filter((r) => r.level === 40);
const open = (size = 1) => {
  processes = new DecryptionProcesses(keys, { size }, { logger: logs.logger });
  return processes;
};
afterEach(async () => {
  await processes?.close();
  processes = undefined;
  logs = captureLogs('warn');
});

/** Resolves once the processes' pids differ from `before` (a dead one was replaced). */
async function replaced(p: DecryptionProcesses, before: readonly number[]): Promise<number[]> {
  while (p.pids().every((pid, i) => pid === before[i])) await new Promise((r) => setTimeout(r, 2));
  return p.pids();
}

describe('DecryptionProcesses', () => {
  test('decrypt a batch over two processes at niceness 10; results in item order', async () => {
    const p = open(2);
    const items = presences(41);
    const results = await p.decrypt(items);
    expect(idsOf(results)).toEqual(items.map((_, i) => `user-${i}`));
    expect(p.pids()).toHaveLength(2);
    for (const pid of p.pids()) expect(getPriority(pid)).toBe(10);
  });

  test('forged, foreign, garbled and malformed contents are refused, never thrown; the process carries on', async () => {
    const p = open();
    const [good] = presences(1);
    if (!good) throw new Error('no item');
    const results = await p.decrypt([
      { ...good, dataSignature: Buffer.alloc(32, 1).toString('base64') },
      { ...good, encryptionCertificateId: 'someone-else' },
      { ...good, dataKey: Buffer.alloc(256, 7).toString('base64') },
      { ...good, data: 42 as unknown as string },
      good,
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'bad-signature',
      'unknown-certificate',
      'bad-key',
      'bad-data',
      'ok',
    ]);
    expect(idsOf(await p.decrypt(presences(2, 7)))).toEqual(['user-7', 'user-8']);
    expect(p.restarts).toBe(0);
  });

  test('a Ctrl-C to the process group leaves the process to its parent: it carries on until closed', async () => {
    const p = open();
    expect(idsOf(await p.decrypt(presences(1)))).toEqual(['user-0']);
    const [pid] = p.pids();
    process.kill(pid ?? 0, 'SIGINT');
    process.kill(pid ?? 0, 'SIGTERM');
    expect(idsOf(await p.decrypt(presences(2, 3)))).toEqual(['user-3', 'user-4']);
    expect(p.pids()).toEqual([pid]);
    expect(p.restarts).toBe(0);
    await p.close();
    expect(() => process.kill(pid ?? 0, 0)).toThrow(/ESRCH/);
  });

  test('a process that dies is restarted and the batch it held is done again', async () => {
    const p = open();
    const [pid] = p.pids();
    const items = presences(30);
    const pending = p.decrypt(items);
    process.kill(pid ?? 0, 'SIGKILL');
    expect(idsOf(await pending)).toEqual(items.map((_, i) => `user-${i}`));
    expect(p.restarts).toBe(1);
    expect(p.pids()).not.toEqual([pid]);
    expect(warnings().map((w) => w.msg)).toEqual(['a decryption process died; restarted, its batches sent again']);
    expect(warnings()[0]).toMatchObject({ exit: 'SIGKILL', batches: 1, itemsGivenUp: 0 });
  });

  test('a batch the process dies on twice is given up with a log line; the next batch is decrypted', async () => {
    const p = open();
    const pending = p.decrypt(presences(400));
    pending.catch(() => {});
    const first = p.pids();
    process.kill(first[0] ?? 0, 'SIGKILL');
    const second = await replaced(p, first);
    process.kill(second[0] ?? 0, 'SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(DecryptionCrashError);
    expect(warnings().at(-1)).toMatchObject({ exit: 'SIGKILL', batches: 0, itemsGivenUp: 400 });
    expect(idsOf(await p.decrypt(presences(3)))).toEqual(['user-0', 'user-1', 'user-2']);
    expect(p.restarts).toBe(2);
  });

  test('close fails the batches in flight, refuses new ones and ends the processes', async () => {
    const p = open();
    const [pid] = p.pids();
    const pending = p.decrypt(presences(200));
    pending.catch(() => {});
    await p.close();
    await expect(pending).rejects.toBeInstanceOf(DecryptionClosedError);
    await expect(p.decrypt(presences(1))).rejects.toBeInstanceOf(DecryptionClosedError);
    expect(() => process.kill(pid ?? 0, 0)).toThrow(/ESRCH/);
  });
});
