/**
 * The agent API's response types for its browser clients (the agent console, the report page), inferred from the
 * zod schemas that document the API (`schemas.ts`, `interaction-schemas.ts`, `../reports/report-schemas.ts`) and, where a schema leaves a part
 * open, from the domain code that produces it. Type-only: the browser's plain JavaScript imports these through JSDoc
 * `import()` types, so the console stays build-free and `tsc -p tsconfig.browser.json` checks it against the API.
 */
import type { z } from 'zod';
import type { VoiceTargetsResult } from '../../domain/escalation/voice-targets-for.js';
import type { agentStatesSchema, factSchema, seriesSchema, summarySchema } from '../reports/report-schemas.js';
import type { AnyAgentEvent, EventData } from './event-schemas.js';
import type { interactionViewSchema, transcriptEntrySchema } from './interaction-schemas.js';
import type { interactionView } from './interaction-view.js';
import type { callerSchema, directoryEntrySchema } from './schemas.js';

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

/** `invitation.offered`'s data: an invitation offered to the agent. */
export type Offered = EventData<'invitation.offered'>;
/** An agent-side event as `GET /events` and the stream send it: a union on `type`, each with its data (`event-schemas.ts`). */
export type AgentEvent = AnyAgentEvent;

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
