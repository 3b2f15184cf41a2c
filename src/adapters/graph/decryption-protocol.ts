/**
 * The messages between the connector and its decryption process (JSON over the IPC channel of `child_process.fork`).
 */
import type { DecryptResult, EncryptedContent } from './decrypt-content.js';

/** From the connector: the private keys (PEM, PKCS#8) by certificate id, then batches to decrypt. */
export type DecryptionParentMessage =
  | { readonly type: 'keys'; readonly keys: Readonly<Record<string, string>> }
  | { readonly type: 'decrypt'; readonly id: number; readonly items: readonly EncryptedContent[] };

/** From the decryption process: each batch's results in item order. */
export interface DecryptionChildMessage {
  readonly type: 'results';
  readonly id: number;
  readonly results: readonly DecryptResult[];
}
