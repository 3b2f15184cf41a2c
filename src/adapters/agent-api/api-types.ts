/**
 * The agent API's response types for its browser clients (the agent console, the report page), inferred from the
 * zod schemas that document the API (`schemas.ts`, `../reports/report-schemas.ts`) and, where a schema leaves a part
 * open, from the domain code that produces it. Type-only: the browser's plain JavaScript imports these through JSDoc
 * `import()` types, so the console stays build-free and `tsc -p tsconfig.browser.json` checks it against the API.
 */
import type { z } from 'zod';
import type { VoiceTargetsResult } from '../../domain/escalation/voice-targets-for.js';
import type { InvitationKind } from '../../domain/interaction/types.js';
import type { AgentState } from '../../domain/routing/agent-state.js';
import type { agentStatesSchema, factSchema, seriesSchema, summarySchema } from '../reports/report-schemas.js';
import type { EventType } from './event-of-effect.js';
import type { interactionView } from './interaction-view.js';
import type {
  callerSchema,
  directoryEntrySchema,
  eventSchema,
  interactionViewSchema,
  transcriptEntrySchema,
} from './schemas.js';

/** `GET /interactions/{id}`: an interaction as an agent sees it. */
export type InteractionView = z.output<typeof interactionViewSchema>;
/** One party of an interaction. */
export type Party = InteractionView['parties'][number];
/** Where an interaction came from. */
export type Origin = InteractionView['origin'];
/** An interaction's open request. */
export type InteractionRequest = NonNullable<InteractionView['request']>;
/** `GET /interactions/{id}/transcript`: one line. */
export type TranscriptEntry = z.output<typeof transcriptEntrySchema>;
/** `GET /directory`: one entry. */
export type DirectoryEntry = z.output<typeof directoryEntrySchema>;
/** `GET /me`. */
export type Caller = z.output<typeof callerSchema>;
/** `GET /interactions/{id}/voice-target` (the schema leaves its parts open: their shape is the domain's). */
export type VoiceTarget = Omit<Extract<VoiceTargetsResult, { kind: 'ready' }>, 'kind'>;

/** An event as `GET /events` and the stream send it, with the data of its type. */
type EventOf<T extends EventType, D> = Omit<z.output<typeof eventSchema>, 'type' | 'data'> & {
  readonly type: T;
  readonly data: D;
};
type PersonRef = InteractionView['parties'][number]['person'];
/** `invitation.offered`: an invitation offered to the agent. */
export interface Offered {
  readonly interactionId: string;
  readonly to: PersonRef;
  readonly invitationId: string;
  readonly kind: InvitationKind;
  readonly from: PersonRef | null;
  readonly via: NonNullable<Party['via']> | null;
  readonly origin: Origin;
  readonly attachedData: Readonly<Record<string, string>>;
  readonly previewText: string | null;
  readonly expiresAt: string;
}
type Failed = 'invitation.rejected' | 'invitation.timed_out' | 'invitation.failed';
type Typed = 'knowledge-worker.state' | 'invitation.offered' | 'invitation.closed' | 'invitation.accepted' | Failed;
/** An agent-side event; the console reads the data of the typed ones. */
export type AgentEvent =
  | EventOf<
      'knowledge-worker.state',
      { readonly knowledgeWorker: { id: string; name: string }; readonly state: AgentState; readonly at: string }
    >
  | EventOf<'invitation.offered', Offered>
  | EventOf<'invitation.closed', { readonly invitationId: string; readonly outcome: string }>
  | EventOf<'invitation.accepted', { readonly requestKind: string; readonly by: PersonRef | null }>
  | EventOf<Failed, { readonly requestKind: string; readonly message: string; readonly details: readonly string[] }>
  | EventOf<Exclude<EventType, Typed>, Readonly<Record<string, unknown>>>;

/** `GET /reports/facts` (JSON): one fact. */
export type Fact = z.output<typeof factSchema>;
/** `GET /reports/summary`. */
export type Summary = z.output<typeof summarySchema>;
/** `GET /reports/series`. */
export type Series = z.output<typeof seriesSchema>;
/** `GET /reports/agent-states`. */
export type AgentStates = z.output<typeof agentStatesSchema>;

/** `T`, provided it is assignable to `U`: a type error here means a schema no longer describes what is sent. */
type AssignableTo<U, T extends U> = T;
/** Compile-time check: the interaction the API sends fits its documented schema. */
export type ViewFitsSchema = AssignableTo<z.input<typeof interactionViewSchema>, ReturnType<typeof interactionView>>;
