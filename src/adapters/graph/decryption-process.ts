/**
 * Decryption in child processes at a lower OS priority: the RSA work of rich notifications (one private-key operation
 * per item) runs outside the connector's process, so the event loop that answers Graph's POSTs with 202 wins the CPU
 * whenever both want it. A backlog then waits in the inbox rather than in front of the 202s.
 *
 * A process that dies is restarted and the batches it held are sent again; the batch it was working on when it died
 * (the oldest it held: a process answers its batches in order) is given up after {@link MAX_ATTEMPTS} tries, so one
 * poisonous batch cannot keep killing it.
 */

import { type ChildProcess, fork } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { setPriority } from 'node:os';
import type { Logger } from 'pino';
import type { DecryptResult, EncryptedContent } from './decrypt-content.js';
import type { DecryptionChildMessage, DecryptionParentMessage } from './decryption-protocol.js';

/** Tries of one batch (the process died while working on it every time) before it is given up. */
export const MAX_ATTEMPTS = 2;

/** The decryption processes were closed; the batch was not decrypted. */
export class DecryptionClosedError extends Error {
  override readonly name = 'DecryptionClosedError';
  constructor() {
    super('decryption processes closed');
  }
}

/** A decryption process died every time it worked on this batch; the batch is given up. */
export class DecryptionCrashError extends Error {
  override readonly name = 'DecryptionCrashError';
  /** @param exit - How the process ended the last time (exit code or signal). */
  constructor(readonly exit: string) {
    super(`a decryption process died ${MAX_ATTEMPTS} times on this batch (last: ${exit})`);
  }
}

/** Options of {@link DecryptionProcesses}. */
export interface DecryptionProcessOptions {
  /** Child processes; default 1. */
  readonly size?: number | undefined;
  /** Their niceness (0–19, higher is lower priority); default 10. */
  readonly niceness?: number | undefined;
}

/** What the processes report. */
export interface DecryptionProcessDeps {
  /** Warns when a process died and was restarted, a batch was given up, or the priority could not be lowered. */
  readonly logger: Logger;
}

interface Batch {
  readonly id: number;
  readonly items: readonly EncryptedContent[];
  attempts: number;
  readonly resolve: (results: readonly DecryptResult[]) => void;
  readonly reject: (err: Error) => void;
}

interface Child {
  process: ChildProcess;
  /** Batches sent and not answered, in the order sent. */
  readonly batches: Map<number, Batch>;
  /** False from its death until its replacement is started (batches wait in `batches` meanwhile). */
  up: boolean;
  /** Deaths since it last answered a batch (restarts back off with them). */
  deaths: number;
  items: number;
}

const bootstrap = new URL('./process-bootstrap.mjs', import.meta.url);
const entry = new URL('./decryption-child.ts', import.meta.url).href;

/** Decrypts batches of notification content in child processes at a lower priority. */
export class DecryptionProcesses {
  readonly #children: Child[] = [];
  readonly #keys: Record<string, string>;
  #next = 1;
  #closed = false;
  /** Processes restarted after dying. */
  restarts = 0;

  /**
   * @param privateKeys - The certificates' private keys by `encryptionCertificateId` (sent to the children over
   *   their IPC channels, never on a command line or in the environment).
   */
  constructor(
    privateKeys: ReadonlyMap<string, KeyObject>,
    readonly options: DecryptionProcessOptions,
    readonly deps: DecryptionProcessDeps,
  ) {
    this.#keys = Object.fromEntries(
      [...privateKeys].map(([id, key]) => [id, key.export({ type: 'pkcs8', format: 'pem' }).toString()]),
    );
    for (let i = 0; i < Math.max(1, options.size ?? 1); i++) {
      const child = { batches: new Map(), up: false, deaths: 0, items: 0 } as Omit<Child, 'process'> as Child;
      this.#spawn(child);
      this.#children.push(child);
    }
  }

  /** Process ids of the children (for operators and tests). */
  pids(): number[] {
    return this.#children.flatMap((c) => (c.process.pid === undefined ? [] : [c.process.pid]));
  }

  /** Decrypts a batch, spread over the processes; results in item order. */
  async decrypt(items: readonly EncryptedContent[]): Promise<readonly DecryptResult[]> {
    if (this.#closed) throw new DecryptionClosedError();
    if (items.length === 0) return [];
    const parts = Math.min(this.#children.length, items.length);
    const size = Math.ceil(items.length / parts);
    const chunks: Promise<readonly DecryptResult[]>[] = [];
    for (let at = 0; at < items.length; at += size) chunks.push(this.#send(items.slice(at, at + size)));
    return (await Promise.all(chunks)).flat();
  }

  /** Stops the processes; batches not yet answered fail with {@link DecryptionClosedError}. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#children.map(async (c) => {
        for (const b of c.batches.values()) b.reject(new DecryptionClosedError());
        c.batches.clear();
        const p = c.process;
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise<void>((r) => p.once('exit', () => r()));
        if (p.connected) p.disconnect(); // the child exits when its channel closes
        const kill = setTimeout(() => p.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(kill);
      }),
    );
  }

  #send(items: readonly EncryptedContent[]): Promise<readonly DecryptResult[]> {
    const child = this.#children.reduce((a, b) => (b.items < a.items ? b : a));
    return new Promise((resolve, reject) => {
      const batch: Batch = { id: this.#next++, items, attempts: 0, resolve, reject };
      this.#post(child, batch);
    });
  }

  #post(child: Child, batch: Batch): void {
    child.batches.set(batch.id, batch);
    child.items += batch.items.length;
    this.#hold(child);
    if (child.up) this.#transmit(child, batch);
  }

  #transmit(child: Child, batch: Batch): void {
    child.process.send({ type: 'decrypt', id: batch.id, items: batch.items } satisfies DecryptionParentMessage);
  }

  /** A child with work keeps the connector's process alive; an idle one does not. */
  #hold(child: Child): void {
    const idle = child.batches.size === 0;
    const p = child.process;
    if (idle) {
      p.unref();
      p.channel?.unref();
    } else {
      p.ref();
      p.channel?.ref();
    }
  }

  /** Starts a process for `child` and gives it the keys. */
  #spawn(child: Child): void {
    const p = fork(bootstrap, [entry], {
      execArgv: [],
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (p.pid !== undefined) {
      try {
        setPriority(p.pid, this.options.niceness ?? 10);
      } catch (err) {
        this.deps.logger.warn({ error: (err as Error).name }, 'could not lower the priority of the decryption process');
      }
    }
    p.send({ type: 'keys', keys: this.#keys } satisfies DecryptionParentMessage);
    p.on('message', (m: DecryptionChildMessage) => {
      if (m.type !== 'results') return;
      const batch = child.batches.get(m.id);
      if (!batch) return;
      child.batches.delete(m.id);
      child.items -= batch.items.length;
      child.deaths = 0;
      this.#hold(child);
      batch.resolve(m.results);
    });
    let ended = false;
    const end = (exit: string) => {
      if (ended) return;
      ended = true;
      if (!this.#closed && child.process === p) this.#died(child, exit);
    };
    let warned = false;
    p.on('error', (err: NodeJS.ErrnoException) => {
      // A send to a process that just died (its exit follows), or a failed spawn (which may have no exit event).
      if (p.pid === undefined) end(`spawn failed (${err.code ?? err.name})`);
      else if (!warned) this.deps.logger.warn({ error: err.code ?? err.name }, 'decryption process error');
      warned = true;
    });
    p.once('exit', (code, signal) => end(signal ?? `exit code ${code}`));
    child.process = p;
    child.up = true;
    for (const batch of child.batches.values()) this.#transmit(child, batch);
    this.#hold(child);
  }

  #died(child: Child, exit: string): void {
    child.up = false;
    child.deaths++;
    this.restarts++;
    // A process answers its batches in order: the oldest one it held is the one it died on.
    const [suspect] = child.batches.values();
    let givenUp = 0;
    if (suspect && ++suspect.attempts >= MAX_ATTEMPTS) {
      child.batches.delete(suspect.id);
      child.items -= suspect.items.length;
      givenUp = suspect.items.length;
      suspect.reject(new DecryptionCrashError(exit));
    }
    this.deps.logger.warn(
      { exit, batches: child.batches.size, itemsGivenUp: givenUp },
      'a decryption process died; restarted, its batches sent again',
    );
    // The batches it held (and any posted meanwhile) go to its replacement. Dying again and again without answering
    // backs off: 50 ms, 100 ms, … up to 5 s.
    const restart = () => {
      if (!this.#closed) this.#spawn(child);
    };
    const delay = child.deaths <= 1 ? 0 : Math.min(5000, 50 * 2 ** (child.deaths - 2));
    if (delay === 0) restart();
    else setTimeout(restart, delay);
  }
}
