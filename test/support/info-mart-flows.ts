/**
 * The 11 chat flows of 002 (Genesys Info Mart) as scripts over an EngineWorld, each with its exact set of
 * technical descriptors ("Name Role/Result [Reason]"). Shared by the pure engine's test and the report API's test.
 */
import { expect } from 'vitest';
import {
  avrilMai,
  chatAcceptedBy,
  chatQueue,
  type EngineWorld,
  expertsPoint,
  jimMiller,
  kateLewis,
} from './engine-world.js';

const A1 = kateLewis;
const A2 = jimMiller;

/** A flow: its name, its script, its descriptors. */
export type Flow = [name: string, script: (w: EngineWorld) => void, descriptors: string[]];

/** The flows, in 002's order (flow 2 twice: declined, and timed out; flow 8 twice: conference, consult). */
export const infoMartFlows: Flow[] = [
  [
    '1 strategy delivers chat to agent, and agent replies',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.end('c', A1);
    },
    ['Kate Lewis RoutedTo/Completed'],
  ],
  [
    '2 agent invited into chat and invitation revoked (declined, then routed on)',
    (w) => {
      w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
      w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
      w.offer('c', [A1], expertsPoint);
      w.reject('c', A1);
      expect(w.lastRouteRequest('c').exclude).toEqual([A1.id]);
      w.offer('c', [A2], expertsPoint);
      w.accept('c', A2);
      w.end('c', A2);
    },
    ['Jim Miller RoutedTo/Completed', 'Kate Lewis RoutedTo/Redirected [Revoked]'],
  ],
  [
    '2 agent invited into chat and invitation revoked (delivering timeout passes)',
    (w) => {
      w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
      w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
      w.offer('c', [A1], expertsPoint, 10_000);
      w.advance(10_000);
      w.run({ type: 'Timeout', interactionId: 'c', invitationId: w.invitationOf('c', A1.id) });
      w.offer('c', [A2], expertsPoint);
      w.accept('c', A2);
      w.end('c', avrilMai);
    },
    ['Jim Miller RoutedTo/Completed', 'Kate Lewis RoutedTo/Redirected [Revoked]'],
  ],
  [
    '3 agent transfers chat to another agent',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'transfer',
        by: A1.id,
        target: { kind: 'person', person: A2 },
      });
      w.offer('c', [A2]);
      w.accept('c', A2);
      w.say('c', A2, 'I can take care of that');
      w.end('c', A2);
    },
    ['Jim Miller ReceivedTransfer/Completed', 'Kate Lewis RoutedTo/Transferred'],
  ],
  [
    "4 agent's attempt to transfer chat to another agent fails",
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'transfer',
        by: A1.id,
        target: { kind: 'person', person: A2 },
      });
      w.offer('c', [A2]);
      w.reject('c', A2);
      w.say('c', A1, 'Let me help you myself.');
      w.end('c', A1);
    },
    ['Jim Miller ReceivedTransfer/Abandoned [Revoked]', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    '5 agent conferences in another agent',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'conference',
        by: A1.id,
        target: { kind: 'person', person: A2 },
      });
      w.offer('c', [A2]);
      w.accept('c', A2);
      w.say('c', A2, 'Hello, how can I help you today?');
      w.end('c', A1);
      w.end('c', A2);
    },
    ['Jim Miller InConference/Completed', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    "6 agent's attempt to conference in another agent fails",
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'conference',
        by: A1.id,
        target: { kind: 'person', person: A2 },
      });
      w.offer('c', [A2], null, 15_000);
      w.advance(15_000);
      w.run({ type: 'Timeout', interactionId: 'c', invitationId: w.invitationOf('c', A2.id) });
      w.end('c', A1);
    },
    ['Jim Miller InConference/Abandoned [Revoked]', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    '7 chat consultation',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'consult',
        by: A1.id,
        target: { kind: 'person', person: A2 },
      });
      w.offer('c', [A2]);
      w.accept('c', A2);
      w.say('c', A2, 'Hello Kate, how can I help?');
      w.end('c', A1);
    },
    ['Jim Miller ReceivedConsult/Completed', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    '8 chat conference through a queue',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      const target = { kind: 'queue' as const, id: chatQueue.id, name: chatQueue.name };
      w.run({ type: 'Escalate', interactionId: 'c', kind: 'conference', by: A1.id, target });
      expect(w.lastRouteRequest('c').target).toEqual(target);
      w.offer('c', [A2], chatQueue);
      w.accept('c', A2);
      w.end('c', avrilMai);
    },
    ['Jim Miller InConference/Completed', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    '8 chat consultation through a queue',
    (w) => {
      chatAcceptedBy(w, 'c', A1);
      w.run({
        type: 'Escalate',
        interactionId: 'c',
        kind: 'consult',
        by: A1.id,
        target: { kind: 'queue', id: chatQueue.id, name: chatQueue.name },
      });
      w.offer('c', [A2], chatQueue);
      w.accept('c', A2);
      w.end('c', avrilMai);
    },
    ['Jim Miller ReceivedConsult/Completed', 'Kate Lewis RoutedTo/Completed'],
  ],
  [
    '9 customer abandons chat in queue',
    (w) => {
      w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
      w.advance(20_000);
      w.end('c', avrilMai);
    },
    ['Inbound Chat Received/CustomerAbandoned [AbandonedWhileQueued]'],
  ],
  [
    '10 customer abandons chat during routing',
    (w) => {
      w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
      w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
      w.end('c', avrilMai);
    },
    ['Billing Experts Puller/CustomerAbandoned'],
  ],
  [
    '11 customer abandons chat during agent alerting',
    (w) => {
      w.run({ type: 'ReceiveChat', interactionId: 'c', customer: avrilMai, queue: chatQueue });
      w.run({ type: 'PullFromQueue', interactionId: 'c', routingPoint: expertsPoint });
      w.offer('c', [A1], expertsPoint);
      w.advance(4_000);
      w.end('c', avrilMai);
    },
    ['Kate Lewis RoutedTo/CustomerAbandoned [AbandonedWhileRinging]'],
  ],
];
