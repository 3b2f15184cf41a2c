/**
 * The agent and customer `ParticipantChannel` of the outbox worker: every effect addressed to an agent or a customer
 * becomes an event in the durable event log (agents' streams, the platform's stream, webhooks). Idempotent by
 * effect id.
 */

import type { ParticipantChannel, PersonEffect } from '../../ports/participant-channel.js';
import type { EventLog } from '../store/event-log.js';
import { eventOfEffect } from './event-of-effect.js';

/** Options for {@link EventLogChannel}. */
export interface EventLogChannelOptions {
  readonly log: EventLog;
  /** The contact center an agent belongs to. */
  readonly contactCenterOfAgent: (agentId: string) => string;
  /** The contact center of interactions not created through the API. */
  readonly defaultContactCenter: string;
}

/** Appends person effects to the event log. */
export class EventLogChannel implements ParticipantChannel {
  constructor(private readonly options: EventLogChannelOptions) {}

  async send(id: string, effect: PersonEffect): Promise<void> {
    const { log } = this.options;
    const body = eventOfEffect(effect);
    const isAgent = effect.to.kind === 'agent';
    const contactCenter = isAgent
      ? this.options.contactCenterOfAgent(effect.to.id)
      : ((await log.contactCenterOf(effect.interactionId)) ?? this.options.defaultContactCenter);
    await log.append([
      {
        sourceId: id,
        contactCenter,
        agentId: isAgent ? effect.to.id : null,
        audience: isAgent ? 'agent' : 'platform',
        type: body.type,
        interactionId: effect.interactionId,
        data: body.data,
      },
    ]);
  }
}
