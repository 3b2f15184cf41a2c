/**
 * The body of a decryption worker thread: holds the notification certificates' private keys and decrypts batches
 * of `encryptedContent` (see {@link decryptContent}) posted by the {@link DecryptionPool}.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { type DecryptResult, decryptContent, type EncryptedContent } from './decrypt-content.js';

/** A batch to decrypt. */
export interface DecryptRequest {
  readonly id: number;
  readonly items: readonly EncryptedContent[];
}

/** The results of a batch, in order. */
export interface DecryptReply {
  readonly id: number;
  readonly results: readonly DecryptResult[];
}

const keys = new Map<string, KeyObject>(
  Object.entries((workerData as { keys: Record<string, string> }).keys).map(([id, pem]) => [id, createPrivateKey(pem)]),
);

parentPort?.on('message', (req: DecryptRequest) => {
  const results = req.items.map((c): DecryptResult => {
    const key = keys.get(String(c.encryptionCertificateId ?? ''));
    return key ? decryptContent(c, key) : { ok: false, reason: 'unknown-certificate' };
  });
  parentPort?.postMessage({ id: req.id, results } satisfies DecryptReply);
});
