/** The decryption pool: worker threads decrypt notification contents exactly as the in-thread path does. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { DecryptionPool } from '../../../src/adapters/graph/decryption-pool.js';
import { encryptContent, publicKeyOfCertificate } from '../../../src/dev/graph-emulator/encrypt-content.js';

const fixtures = new URL('../../fixtures/graph/', import.meta.url);
const cert = readFileSync(new URL('notification-cert.pem', fixtures), 'utf8').replace(/-----[^-]+-----|\s+/g, '');
const privateKey = createPrivateKey(readFileSync(new URL('notification-key.pem', fixtures), 'utf8'));
const publicKey = publicKeyOfCertificate(cert);

let pool: DecryptionPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('DecryptionPool', () => {
  test('decrypts a batch on two threads, results in item order', async () => {
    pool = new DecryptionPool(new Map([['cert-1', privateKey]]), 2);
    const items = Array.from({ length: 40 }, (_, i) =>
      encryptContent({ id: `user-${i}`, availability: 'Available' }, publicKey, 'cert-1'),
    );
    const [a, b] = await Promise.all([pool.decrypt(items.slice(0, 20)), pool.decrypt(items.slice(20))]);
    const ids = [...(a ?? []), ...(b ?? [])].map((r) => (r.ok ? (r.json as { id: string }).id : r.reason));
    expect(ids).toEqual(items.map((_, i) => `user-${i}`));
  });

  test('a forged signature, a foreign certificate and a garbled key are refused, never thrown', async () => {
    pool = new DecryptionPool(new Map([['cert-1', privateKey]]));
    const good = encryptContent({ id: 'u', availability: 'Away' }, publicKey, 'cert-1');
    const results = await pool.decrypt([
      { ...good, dataSignature: Buffer.alloc(32, 1).toString('base64') },
      { ...good, encryptionCertificateId: 'someone-else' },
      { ...good, dataKey: Buffer.alloc(256, 7).toString('base64') },
      good,
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'bad-signature',
      'unknown-certificate',
      'bad-key',
      'ok',
    ]);
  });

  test('after close, a batch is refused with a clear error', async () => {
    const closing = new DecryptionPool(new Map([['cert-1', privateKey]]));
    await closing.close();
    await expect(closing.decrypt([encryptContent({ id: 'u' }, publicKey, 'cert-1')])).rejects.toThrow(/closed/);
  });
});
