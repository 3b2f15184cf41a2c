/**
 * The emulator's presence subscriptions: creation with the validation handshake (notification and lifecycle URLs),
 * the documented limits (delegated only, ≤ 650 users, one per user per app, ≤ 60 minutes), renewal, deletion,
 * reauthorization, and delivery of encrypted change notifications and lifecycle notifications.
 */

import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { EmulatorIdentity, Principal } from './emulator-identity.js';
import { encryptContent, publicKeyOfCertificate } from './encrypt-content.js';

/** Most users in one presence subscription. */
export const MAX_USERS_PER_SUBSCRIPTION = 650;
/** Longest presence subscription lifetime (60 minutes). */
export const MAX_LIFETIME_MS = 60 * 60_000;

/** An emulated subscription. */
export interface EmulatedSubscription {
  readonly id: string;
  readonly owner: string;
  readonly appId: string;
  readonly resource: string;
  readonly userIds: ReadonlySet<string>;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | undefined;
  readonly clientState: string | undefined;
  expiresAt: number;
  readonly publicKey: KeyObject | undefined;
  readonly certificateId: string | undefined;
  needsReauthorization: boolean;
}

type Reply = { status: number; body?: unknown };
const graphError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

/** Parses `communications/presences?$filter=id in ('a','b')` or `communications/presences/{id}` into user ids. */
export function usersOfResource(resource: string): string[] | undefined {
  const r = decodeURIComponent(resource).replace(/^\//, '');
  const single = /^communications\/presences\/([^/?]+)$/i.exec(r);
  if (single?.[1]) return [single[1]];
  const many = /^communications\/presences\?\$filter=id in \((.*)\)$/i.exec(r);
  if (!many?.[1]) return undefined;
  return [...many[1].matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
}

async function handshake(url: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  try {
    const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    });
    return (
      res.status === 200 &&
      (res.headers.get('content-type') ?? '').startsWith('text/plain') &&
      (await res.text()) === token
    );
  } catch {
    return false;
  }
}

/** The subscription registry and notification sender of the emulator. */
export class EmulatorSubscriptions {
  readonly byId = new Map<string, EmulatedSubscription>();

  /** @param now - The emulator clock. */
  constructor(
    readonly identity: EmulatorIdentity,
    readonly now: () => number,
  ) {}

  /** Drops expired subscriptions (Graph deletes unrenewed ones). */
  sweep(): void {
    const t = this.now();
    for (const [id, s] of this.byId) if (s.expiresAt <= t) this.byId.delete(id);
  }

  /** Subscriptions whose resource covers the user. */
  covering(userId: string): EmulatedSubscription[] {
    this.sweep();
    return [...this.byId.values()].filter((s) => s.userIds.has(userId));
  }

  /** `POST /subscriptions`. */
  async create(p: Principal | undefined, body: Record<string, unknown>): Promise<Reply> {
    if (!p) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    if (p.kind !== 'user')
      return graphError(
        403,
        'Forbidden',
        'Presence subscriptions need a delegated token (application: not supported).',
      );
    const resource = String(body.resource ?? '');
    const users = usersOfResource(resource);
    if (!users || users.length === 0) return graphError(400, 'BadRequest', 'Unsupported resource.');
    if (users.length > MAX_USERS_PER_SUBSCRIPTION)
      return graphError(400, 'BadRequest', 'At most 650 users per subscription.');
    const expiresAt = Date.parse(String(body.expirationDateTime ?? ''));
    if (!Number.isFinite(expiresAt) || expiresAt > this.now() + MAX_LIFETIME_MS + 60_000) {
      return graphError(400, 'BadRequest', 'expirationDateTime must be within 60 minutes.');
    }
    this.sweep();
    for (const s of this.byId.values()) {
      if (s.owner === p.username && s.appId === p.clientId && s.resource.toLowerCase().includes('presences')) {
        return graphError(403, 'ExtensionError', 'This user already has a presence subscription for this application.');
      }
    }
    const notificationUrl = String(body.notificationUrl ?? '');
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl ? String(body.lifecycleNotificationUrl) : undefined;
    const rich = body.includeResourceData === true;
    let publicKey: KeyObject | undefined;
    if (rich) {
      try {
        publicKey = publicKeyOfCertificate(String(body.encryptionCertificate ?? ''));
      } catch {
        return graphError(400, 'BadRequest', 'encryptionCertificate is not a valid base64 X.509 certificate.');
      }
      if (!body.encryptionCertificateId) return graphError(400, 'BadRequest', 'encryptionCertificateId is required.');
    }
    if (!(await handshake(notificationUrl)))
      return graphError(400, 'ValidationError', 'Subscription validation request failed.');
    if (lifecycleNotificationUrl && !(await handshake(lifecycleNotificationUrl))) {
      return graphError(400, 'ValidationError', 'Lifecycle notification URL validation request failed.');
    }
    const sub: EmulatedSubscription = {
      id: randomUUID(),
      owner: p.username,
      appId: p.clientId,
      resource,
      userIds: new Set(users),
      notificationUrl,
      lifecycleNotificationUrl,
      clientState: body.clientState === undefined ? undefined : String(body.clientState),
      expiresAt,
      publicKey,
      certificateId: rich ? String(body.encryptionCertificateId) : undefined,
      needsReauthorization: false,
    };
    this.byId.set(sub.id, sub);
    return { status: 201, body: this.describe(sub) };
  }

  /** `PATCH /subscriptions/{id}` (renew). */
  renew(p: Principal | undefined, id: string, body: Record<string, unknown>): Reply {
    if (!p) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    this.sweep();
    const s = this.byId.get(id);
    if (!s) return graphError(404, 'ResourceNotFound', 'The object was not found.');
    const expiresAt = Date.parse(String(body.expirationDateTime ?? ''));
    if (!Number.isFinite(expiresAt) || expiresAt > this.now() + MAX_LIFETIME_MS + 60_000) {
      return graphError(400, 'BadRequest', 'expirationDateTime must be within 60 minutes.');
    }
    s.expiresAt = expiresAt;
    s.needsReauthorization = false;
    return { status: 200, body: this.describe(s) };
  }

  /** `POST /subscriptions/{id}/reauthorize`. */
  reauthorize(p: Principal | undefined, id: string): Reply {
    if (!p) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    this.sweep();
    const s = this.byId.get(id);
    if (!s) return graphError(404, 'ResourceNotFound', 'The object was not found.');
    s.needsReauthorization = false;
    return { status: 204 };
  }

  /** `DELETE /subscriptions/{id}`. */
  remove(p: Principal | undefined, id: string): Reply {
    if (!p) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return this.byId.delete(id) ? { status: 204 } : graphError(404, 'ResourceNotFound', 'The object was not found.');
  }

  /** The subscription as Graph returns it. */
  describe(s: EmulatedSubscription) {
    return {
      id: s.id,
      resource: s.resource,
      changeType: 'updated',
      notificationUrl: s.notificationUrl,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(s.expiresAt).toISOString(),
      includeResourceData: s.publicKey !== undefined,
      encryptionCertificateId: s.certificateId ?? null,
    };
  }

  /** Builds one change-notification item for a presence value. */
  item(
    s: EmulatedSubscription,
    presence: { id: string; availability: string; activity: string; sequenceNumber: string },
  ) {
    const resource = `communications/presences('${presence.id}')`;
    const base = {
      subscriptionId: s.id,
      clientState: s.clientState ?? null,
      changeType: 'updated',
      resource,
      subscriptionExpirationDateTime: new Date(s.expiresAt).toISOString(),
      tenantId: this.identity.tenantId,
      resourceData: { '@odata.type': '#microsoft.graph.presence', '@odata.id': resource, id: presence.id },
    };
    if (!s.publicKey) return base;
    const content = { '@odata.type': '#microsoft.graph.presence', ...presence };
    return { ...base, encryptedContent: encryptContent(content, s.publicKey, s.certificateId ?? '') };
  }

  /** POSTs a notification collection to a URL; resolves with the HTTP status (0 on network failure). */
  async post(url: string, payload: unknown): Promise<number> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(3_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Sends a lifecycle notification (e.g. `reauthorizationRequired`) to the subscription's lifecycle URL. */
  async lifecycle(id: string, lifecycleEvent: string): Promise<number> {
    const s = this.byId.get(id);
    if (!s?.lifecycleNotificationUrl) return 0;
    if (lifecycleEvent === 'reauthorizationRequired') s.needsReauthorization = true;
    const item = {
      subscriptionId: s.id,
      subscriptionExpirationDateTime: new Date(s.expiresAt).toISOString(),
      tenantId: this.identity.tenantId,
      clientState: s.clientState ?? null,
      lifecycleEvent,
    };
    return this.post(s.lifecycleNotificationUrl, { value: [item] });
  }
}
