/**
 * Publishes knowledge workers' agent states (the presence mapping's output) to agents: one `knowledge-worker.state`
 * broadcast event per change and contact center, appended to the event log (and so to the SSE stream and webhooks),
 * a slice of changes in one append. The event's source id names the contact center, the knowledge worker, the time
 * and the state, so a change published twice is appended once.
 */
import type { AgentState } from '../../domain/routing/agent-state.js';
import type { RoutingIndex } from '../../domain/routing/routing-index.js';
import type { EventLog } from '../store/event-log.js';
import type { EventBody } from './event-schemas.js';

/** What {@link knowledgeWorkerStatePublisher} needs. */
export interface KnowledgeWorkerStatesDeps {
  readonly log: Pick<EventLog, 'append'>;
  /** Every contact center (each gets the event). */
  readonly contactCenters: readonly string[];
  /** The directory, for the knowledge worker's name. */
  readonly index: () => RoutingIndex;
}

/** One knowledge worker's new agent state. */
export interface KnowledgeWorkerStateChange {
  readonly knowledgeWorkerId: string;
  readonly state: AgentState;
  /** When it changed, epoch ms. */
  readonly at: number;
}

/** Publishes knowledge workers' new agent states, in order, to every contact center (one append). */
export type KnowledgeWorkerStatesPublisher = (changes: readonly KnowledgeWorkerStateChange[]) => Promise<void>;

/** Publishes one knowledge worker's new agent state to every contact center. */
export type KnowledgeWorkerStatePublisher = (knowledgeWorkerId: string, state: AgentState, at: number) => Promise<void>;

/** Builds the publisher of one change, on {@link knowledgeWorkerStatesPublisher}. */
export function knowledgeWorkerStatePublisher(deps: KnowledgeWorkerStatesDeps): KnowledgeWorkerStatePublisher {
  const publish = knowledgeWorkerStatesPublisher(deps);
  return (knowledgeWorkerId, state, at) => publish([{ knowledgeWorkerId, state, at }]);
}

/** Builds the publisher of a slice of changes. */
export function knowledgeWorkerStatesPublisher(deps: KnowledgeWorkerStatesDeps): KnowledgeWorkerStatesPublisher {
  return async (changes) => {
    const index = deps.index();
    const events = changes.flatMap(({ knowledgeWorkerId, state, at }) => {
      const kw = index.knowledgeWorkers.get(knowledgeWorkerId);
      const body: EventBody = {
        type: 'knowledge-worker.state',
        data: {
          knowledgeWorker: { id: knowledgeWorkerId, name: kw?.name ?? knowledgeWorkerId },
          state,
          at: new Date(at).toISOString(),
        },
      };
      return deps.contactCenters.map((cc) => ({
        sourceId: `state/${cc}/${knowledgeWorkerId}/${at}/${state.kind}`,
        contactCenter: cc,
        agentId: null,
        audience: 'broadcast' as const,
        type: body.type,
        interactionId: null,
        data: body.data,
      }));
    });
    await deps.log.append(events);
  };
}
