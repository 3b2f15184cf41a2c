/**
 * The decryption process's program (started by {@link DecryptionProcess}): receives the certificates' private keys
 * once, then batches of encrypted contents over the IPC channel, and answers each batch's results in order, one
 * batch at a time. It exits when its parent goes away.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { decryptBatch } from './decrypt-content.js';
import type { DecryptionChildMessage, DecryptionParentMessage } from './decryption-protocol.js';

const keys = new Map<string, KeyObject>();

process.on('message', (message: DecryptionParentMessage) => {
  if (message.type === 'keys') {
    keys.clear();
    for (const [id, pem] of Object.entries(message.keys)) keys.set(id, createPrivateKey(pem));
    return;
  }
  const reply: DecryptionChildMessage = { type: 'results', id: message.id, results: decryptBatch(message.items, keys) };
  if (process.connected) process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
