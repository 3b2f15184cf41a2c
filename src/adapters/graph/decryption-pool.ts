/**
 * A pool of worker threads that decrypt rich notifications, so the RSA work (one private-key operation per
 * notification) runs off the event loop that answers Graph's POSTs: the 202 stays immediate under load, and
 * decryption uses every core the pool is given.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { DecryptResult, EncryptedContent } from './decrypt-content.js';
import type { DecryptReply, DecryptRequest } from './decryption-worker.js';

interface PoolWorker {
  readonly worker: Worker;
  inFlight: number;
}

/** Decrypts batches of notification content on worker threads. */
export class DecryptionPool {
  readonly #workers: PoolWorker[] = [];
  readonly #pending = new Map<number, { resolve: (r: readonly DecryptResult[]) => void; reject: (e: Error) => void }>();
  #next = 1;
  #closed = false;
  readonly #spawn: () => PoolWorker;

  /**
   * @param privateKeys - The certificates' private keys by `encryptionCertificateId`.
   * @param size - Worker threads; default 1 (the event loop keeps a core for HTTP).
   */
  constructor(privateKeys: ReadonlyMap<string, KeyObject>, size = 1) {
    const keys = Object.fromEntries(
      [...privateKeys].map(([id, key]) => [id, key.export({ type: 'pkcs8', format: 'pem' }).toString()]),
    );
    this.#spawn = () => {
      const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
        workerData: { entry: new URL('./decryption-worker.ts', import.meta.url).href, keys },
      });
      const w: PoolWorker = { worker, inFlight: 0 };
      worker.on('message', (reply: DecryptReply) => {
        w.inFlight--;
        if (w.inFlight === 0) worker.unref(); // an idle pool does not keep the process alive
        const p = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        p?.resolve(reply.results);
      });
      // A worker that dies fails the batches in flight (the poller fills the gap) and is replaced.
      worker.on('error', (err) => {
        this.#failAll(err);
        const at = this.#workers.indexOf(w);
        if (at >= 0 && !this.#closed) this.#workers.splice(at, 1, this.#spawn());
      });
      worker.unref();
      return w;
    };
    for (let i = 0; i < Math.max(1, size); i++) this.#workers.push(this.#spawn());
  }

  /** Decrypts a batch; results in the same order. */
  decrypt(items: readonly EncryptedContent[]): Promise<readonly DecryptResult[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.#closed) return Promise.reject(new Error('decryption pool closed'));
    const w = this.#workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.#next++;
    w.inFlight++;
    w.worker.ref(); // pending work does
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      w.worker.postMessage({ id, items } satisfies DecryptRequest);
    });
  }

  /** Stops the workers; pending batches fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
    this.#failAll(new Error('decryption pool closed'));
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
