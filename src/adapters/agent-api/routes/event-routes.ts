/**
 * Live events: a Server-Sent Events stream per agent (or, for a platform key without an agent, the contact
 * center's), with `id:` on every event; reconnecting with `Last-Event-ID` (or `?after=`) replays what was missed.
 * Also a plain JSON read of the same log for clients that poll. A stream lives only as long as its API key: it ends
 * at once when the key is revoked (here, or on another replica that signals it), and the key is re-checked before
 * every delivery of events, so a revocation nobody signalled (the CLI's) ends it at its next event.
 */
import { z } from 'zod';
import { type AgentEvent, type AppendedSignal, concerns, type EventStreamFilter } from '../../store/event-log.js';
import type { AgentApiContext } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { eventSchema } from '../event-schemas.js';
import { eventsQuery } from '../schemas.js';

const publicEvent = (e: AgentEvent) => ({
  id: e.id,
  type: e.type,
  time: e.time,
  interactionId: e.interactionId,
  agentId: e.agentId,
  data: e.data,
});

/** The event routes. */
export function eventRoutes(ctx: AgentApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/events',
      operationId: 'readEvents',
      summary: 'Read events after an id (JSON), oldest first',
      tag: 'Events',
      auth: 'any',
      query: eventsQuery,
      responses: { 200: { description: 'Events.', schema: z.object({ events: z.array(eventSchema) }) } },
      handle: async ({ query, caller }) => {
        const filter: EventStreamFilter = { contactCenter: caller.contactCenter, agentId: caller.agentId };
        const events = await ctx.log.read(filter, query.after ?? 0, query.limit);
        return { status: 200, body: { events: events.map(publicEvent) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/events/stream',
      operationId: 'streamEvents',
      summary: 'Server-Sent Events: invitations, messages, parties joined and left, knowledge-worker states',
      tag: 'Events',
      auth: 'any',
      query: eventsQuery,
      stream: true,
      responses: {
        200: {
          description:
            'text/event-stream: each event has `id:` (the event id), `event:` (its type) and `data:`, one line of JSON: an `Event` (this schema). The AsyncAPI document at /asyncapi.json describes the stream.',
          schema: eventSchema,
        },
      },
      handle: async ({ query, caller, req, res }) => {
        const filter: EventStreamFilter = { contactCenter: caller.contactCenter, agentId: caller.agentId };
        const header = Number.parseInt(req.get('last-event-id') ?? '', 10);
        let last = Number.isFinite(header) ? header : (query.after ?? (await ctx.log.lastSeq(caller.contactCenter)));
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache, no-transform');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();
        res.write('retry: 2000\n\n');
        let busy = false;
        let again = false;
        let closed = false;
        // Entra callers have no stored key (their tokens expire on their own).
        const byKey = !caller.keyId.startsWith('entra:');
        const end = () => {
          if (closed) return;
          closed = true;
          res.end();
        };
        const pump = async () => {
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          try {
            do {
              again = false;
              for (;;) {
                const events = await ctx.log.read(filter, last, query.limit);
                if (closed || events.length === 0) break;
                if (byKey && !(await ctx.keys.isActive(caller.keyId))) {
                  end();
                  break;
                }
                // Ended (the key revoked, or the client gone) while the key was being checked.
                if (closed) break;
                for (const e of events) {
                  res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(publicEvent(e))}\n\n`);
                  last = e.seq;
                }
              }
            } while (again && !closed);
          } catch (error) {
            ctx.log.emit('stream-error', error);
            res.end();
          } finally {
            busy = false;
          }
        };
        // Woken only by appends that concern this stream (or may: a wake-up from a poll or an older replica).
        const onAppended = (signal: AppendedSignal) => {
          if (concerns(filter, signal.concerns)) void pump();
        };
        ctx.log.on('appended', onAppended);
        const stopListening = ctx.keys.onRevoked((keyId) => {
          if (keyId === caller.keyId) end();
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), ctx.heartbeatMs);
        heartbeat.unref();
        res.on('close', () => {
          closed = true;
          clearInterval(heartbeat);
          ctx.log.off('appended', onAppended);
          stopListening();
        });
        await pump();
        return undefined;
      },
    }),
  ];
}
