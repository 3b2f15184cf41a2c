/**
 * Webhook endpoints of a contact center. Each gets a Standard Webhooks secret (`whsec_` + 32 random bytes, base64),
 * shown once on creation; it is kept in the database because signing needs it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import type { AgentApiDb } from '../store/agent-api-schema.js';

/** A webhook endpoint as listed. */
export interface WebhookSubscription {
  readonly id: string;
  readonly url: string;
  readonly types: readonly string[];
}

/** The webhook endpoints store. */
export class WebhookSubscriptions {
  constructor(
    private readonly db: AgentApiDb,
    private readonly clock: Clock,
  ) {}

  /** Adds an endpoint; the returned secret is shown once. Events appended from now on are delivered to it. */
  async create(
    contactCenter: string,
    url: string,
    types: readonly string[],
  ): Promise<WebhookSubscription & { secret: string }> {
    const id = `wh_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await this.db
      .insertInto('webhook_subscriptions')
      .values({
        id,
        contact_center: contactCenter,
        url,
        secret,
        types: JSON.stringify(types),
        created_at: this.clock.now(),
        deleted_at: null,
      })
      .execute();
    return { id, url, types, secret };
  }

  /** The live endpoints of a contact center. */
  async list(contactCenter: string): Promise<WebhookSubscription[]> {
    const rows = await this.db
      .selectFrom('webhook_subscriptions')
      .select(['id', 'url', 'types'])
      .where('contact_center', '=', contactCenter)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, url: r.url, types: JSON.parse(r.types) as string[] }));
  }

  /** Removes an endpoint (pending deliveries to it stop); false when there is none. */
  async remove(contactCenter: string, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_subscriptions')
      .set({ deleted_at: this.clock.now() })
      .where('id', '=', id)
      .where('contact_center', '=', contactCenter)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
