/**
 * The interaction engine: `(state, command, now) → { state, effects } | refusal`.
 * Pure and deterministic: the same state, command and time give the same result. The input state is never changed.
 */
import type { Command } from './commands.js';
import { Draft } from './draft.js';
import type { Effect } from './effects.js';
import { accept, cancel, reject, timeout, undeliverable } from './handlers/answer.js';
import { abandonCall, receiveCall } from './handlers/call.js';
import { escalate } from './handlers/escalate.js';
import { offer, routingFailed, wait, waitExpired } from './handlers/routing.js';
import { deleteFromConference, end, sendMessage } from './handlers/session.js';
import { pullFromQueue, receiveChat, startIm } from './handlers/start.js';
import type { Refusal } from './refusals.js';
import type { EngineState } from './types.js';

/** A command carried out: the new state, its effects, and the ids of the interactions that changed. */
export interface Applied {
  readonly ok: true;
  readonly state: EngineState;
  readonly effects: readonly Effect[];
  readonly changed: readonly string[];
}

/** A command refused: nothing changed. */
export interface Refused {
  readonly ok: false;
  readonly refusal: Refusal;
}

function dispatch(d: Draft, command: Command): Refusal | undefined {
  switch (command.type) {
    case 'StartIm':
      return startIm(d, command);
    case 'ReceiveChat':
      return receiveChat(d, command);
    case 'ReceiveCall':
      return receiveCall(d, command);
    case 'AbandonCall':
      return abandonCall(d, command);
    case 'PullFromQueue':
      return pullFromQueue(d, command);
    case 'Offer':
      return offer(d, command);
    case 'RoutingFailed':
      return routingFailed(d, command);
    case 'Wait':
      return wait(d, command);
    case 'WaitExpired':
      return waitExpired(d, command);
    case 'Accept':
      return accept(d, command);
    case 'Reject':
      return reject(d, command);
    case 'Timeout':
      return timeout(d, command);
    case 'Undeliverable':
      return undeliverable(d, command);
    case 'Cancel':
      return cancel(d, command);
    case 'SendMessage':
      return sendMessage(d, command);
    case 'End':
      return end(d, command);
    case 'Escalate':
      return escalate(d, command);
    case 'DeleteFromConference':
      return deleteFromConference(d, command);
  }
}

/** Runs one command against the state at time `now` (epoch milliseconds). */
export function reduce(state: EngineState, command: Command, now: number): Applied | Refused {
  const draft = new Draft(state, now);
  const refusal = dispatch(draft, command);
  if (refusal) return { ok: false, refusal };
  const { state: next, effects, changed } = draft.finish();
  return { ok: true, state: next, effects, changed };
}
