/**
 * API keys: generated with 256 bits of randomness, shown once, stored as a SHA-256 hash, revocable. Each belongs to
 * one contact center; an agent key acts as one agent, a platform key (no agent) acts for the agent it names. A
 * revocation is announced to listeners (the event streams the key opened close), here or, through
 * {@link ApiKeyStore.noticeRevoked}, from another replica.
 *
 * Replicas (PostgreSQL) keep the keys they have verified in memory ({@link ApiKeyStore.cacheWhile}), by hash, so a
 * request costs no database read: a revocation here or on any replica (through its notification) removes the key at
 * once, and while notifications cannot be heard (the listening connection is down) every key is read from the
 * database. A process that cannot hear revocations (SQLite: the command line revokes in another process) keeps no
 * cache.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import type { AgentApiDb } from './agent-api-schema.js';

/** Who a key speaks for. */
export interface ApiKeyIdentity {
  readonly keyId: string;
  readonly contactCenter: string;
  /** The agent the key is bound to; null for a platform key. */
  readonly agentId: string | null;
}

/** A key as listed (never the secret). */
export interface ApiKeyInfo extends ApiKeyIdentity {
  readonly label: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** A new key: `key` is shown once and never stored. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly key: string;
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Told that a key was revoked: `remote` when another replica revoked it. */
export type KeyRevokedListener = (keyId: string, remote: boolean) => void;

/** How many verified keys a replica keeps in memory (the oldest are dropped first). */
const CACHED_KEYS = 10_000;

/** The API key store over the database. */
export class ApiKeyStore {
  readonly #revokedListeners = new Set<KeyRevokedListener>();
  /** Verified keys by hash; only while {@link ApiKeyStore.cacheWhile}'s condition holds. */
  readonly #cache = new Map<string, ApiKeyIdentity>();
  /** Bumped by every forgetting, so a read that began before it does not store what it read. */
  #generation = 0;
  #trusted: (() => boolean) | null = null;

  constructor(
    private readonly db: AgentApiDb,
    private readonly clock: Clock,
  ) {}

  /** Creates a key; the returned `key` is the only copy of the secret. */
  async create(input: { contactCenter: string; agentId: string | null; label: string }): Promise<CreatedApiKey> {
    const id = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const key = `ucc_${randomBytes(32).toString('base64url')}`;
    const createdAt = this.clock.now();
    await this.db
      .insertInto('api_keys')
      .values({
        id,
        hash: hashOf(key),
        contact_center: input.contactCenter,
        agent_id: input.agentId,
        label: input.label,
        created_at: createdAt,
        revoked_at: null,
      })
      .execute();
    return {
      keyId: id,
      key,
      contactCenter: input.contactCenter,
      agentId: input.agentId,
      label: input.label,
      createdAt,
      revokedAt: null,
    };
  }

  /**
   * Keeps verified keys in memory while `trusted()` holds (revocations are heard: {@link ApiKeyStore.forget} is told
   * of every one made elsewhere); when it does not, keys are read from the database.
   */
  cacheWhile(trusted: () => boolean): void {
    this.#trusted = trusted;
  }

  /** Forgets cached keys revoked elsewhere (null: every key, as revocations may have been missed). */
  forget(keyIds: readonly string[] | null): void {
    this.#generation++;
    if (keyIds === null) {
      this.#cache.clear();
      return;
    }
    const ids = new Set(keyIds);
    for (const [hash, identity] of this.#cache) if (ids.has(identity.keyId)) this.#cache.delete(hash);
  }

  /** The identity of a presented key, or undefined when it is unknown or revoked. */
  async verify(key: string): Promise<ApiKeyIdentity | undefined> {
    const hash = hashOf(key);
    const trusted = this.#trusted?.() === true;
    if (trusted) {
      const hit = this.#cache.get(hash);
      if (hit) return hit;
    } else if (this.#cache.size > 0) this.forget(null);
    const generation = this.#generation;
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'contact_center', 'agent_id'])
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const identity = { keyId: row.id, contactCenter: row.contact_center, agentId: row.agent_id };
    // Kept only if no revocation was heard while reading, and revocations are still heard.
    if (trusted && generation === this.#generation && this.#trusted?.() === true) {
      if (this.#cache.size >= CACHED_KEYS) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(hash, identity);
    }
    return identity;
  }

  /** Whether a key (by id) exists and is not revoked: re-checked before an open stream delivers events. */
  async isActive(keyId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_keys')
      .select('id')
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Listens for revocations; returns the unsubscribe function. */
  onRevoked(listener: KeyRevokedListener): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  /** Announces a revocation made by another replica (its streams here close too). */
  noticeRevoked(keyId: string): void {
    this.#announce(keyId, true);
  }

  #announce(keyId: string, remote: boolean): void {
    this.forget([keyId]);
    for (const listener of [...this.#revokedListeners]) listener(keyId, remote);
  }

  /** The keys of a contact center. */
  async list(contactCenter: string): Promise<ApiKeyInfo[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('contact_center', '=', contactCenter)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      keyId: r.id,
      contactCenter: r.contact_center,
      agentId: r.agent_id,
      label: r.label,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Revokes a key of the contact center; false when there is no such key. */
  async revoke(contactCenter: string, keyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', keyId)
      .where('contact_center', '=', contactCenter)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const revoked = Number(result.numUpdatedRows) > 0;
    if (revoked) this.#announce(keyId, false);
    return revoked;
  }
}
