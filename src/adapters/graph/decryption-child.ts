/**
 * The decryption process's program (started by {@link DecryptionProcess}): receives the certificates' private keys
 * once, then batches of encrypted contents over the IPC channel, and answers each batch's results in order, one
 * batch at a time. It exits when its parent goes away, and only then: a Ctrl-C in a terminal reaches the whole
 * process group, and the parent closes its decryption processes itself once its own work is done.
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
// The parent owns this process's life (it disconnects to end it): signals meant for the group are left to it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
