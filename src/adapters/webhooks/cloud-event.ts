/** CloudEvents 1.0 (structured JSON mode) envelopes for the agent side's events. Pure. */
import type { AgentEvent } from '../store/event-log.js';

/** A CloudEvents 1.0 JSON event. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject?: string;
  readonly datacontenttype: 'application/json';
  readonly data: Readonly<Record<string, unknown>>;
}

/** The CloudEvents `type` prefix of every event type. */
export const cloudEventTypePrefix = 'com.teams-uc-connector.';

/** Wraps an event: `id` is the event id (stable across redeliveries, for deduplication). */
export function toCloudEvent(event: AgentEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source: `urn:teams-uc-connector:contact-center:${event.contactCenter}`,
    type: `${cloudEventTypePrefix}${event.type}`,
    time: event.time,
    ...(event.interactionId ? { subject: event.interactionId } : {}),
    datacontenttype: 'application/json',
    data: { ...event.data, ...(event.agentId ? { agentId: event.agentId } : {}) },
  };
}
