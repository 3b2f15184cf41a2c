/**
 * Entra group members in routing's directory: the configured entries win, the others join from what Graph says
 * (with default routing settings, and without a value the directory refuses), and a routing point drawing on the
 * group offers them in the group's order.
 */
import { describe, expect, test } from 'vitest';
import { decideRoute } from '../../../src/domain/routing/decide-route.js';
import {
  directoryWithGroupMembers,
  type EntraUser,
  knowledgeWorkerFromEntra,
} from '../../../src/domain/routing/group-directory.js';
import { knowledgeWorkersSchema } from '../../../src/domain/routing/knowledge-worker.js';
import { createRoutingIndex } from '../../../src/domain/routing/routing-index.js';
import { routingOptionsSchema } from '../../../src/domain/routing/routing-point.js';
import { allReady, contextOf, toRoutingPoint } from './routing-fixture.js';

const user = (id: string, patch: Partial<EntraUser> = {}): EntraUser => ({
  id,
  displayName: `User ${id}`,
  userPrincipalName: `${id}@contoso.example`,
  mail: `${id}@contoso.example`,
  businessPhones: [],
  mobilePhone: null,
  ...patch,
});

describe('Entra group members in the directory', () => {
  test('a member the directory does not list joins it from Graph, with default routing settings', () => {
    expect(
      knowledgeWorkerFromEntra(user('u1', { businessPhones: ['+1 425 555 0100'], mobilePhone: '+1 425 555 0101' })),
    ).toEqual({
      id: 'u1',
      name: 'User u1',
      email: 'u1@contoso.example',
      upn: 'u1@contoso.example',
      businessPhones: ['+1 425 555 0100'],
      mobilePhone: '+1 425 555 0101',
      skills: [],
      priority: 100,
      voice: {},
    });
  });

  test('without a name the UPN, then the id, names them; a value the directory refuses is left out, not the person', () => {
    expect(knowledgeWorkerFromEntra(user('u2', { displayName: '  ' })).name).toBe('u2@contoso.example');
    expect(knowledgeWorkerFromEntra(user('u3', { displayName: null, userPrincipalName: null })).name).toBe('u3');
    const odd = knowledgeWorkerFromEntra(user('u4', { mail: 'not an address' }));
    expect(odd).toMatchObject({ id: 'u4', name: 'User u4' });
    expect(odd.email).toBeUndefined();
  });

  test('configured entries win; each member joins once; the routing point offers them in the group order', () => {
    const configured = knowledgeWorkersSchema.parse([
      { id: 'u2', name: 'Configured Two', priority: 5, skills: [{ name: 'vat' }] },
    ]);
    const directory = directoryWithGroupMembers(configured, [
      [user('u1'), user('u2')],
      [user('u1'), user('u3')],
    ]);
    expect(directory.map((kw) => [kw.id, kw.name])).toEqual([
      ['u2', 'Configured Two'],
      ['u1', 'User u1'],
      ['u3', 'User u3'],
    ]);
    const index = createRoutingIndex({
      knowledgeWorkers: directory,
      routing: routingOptionsSchema.parse({
        routingPoints: [
          {
            id: 'rp',
            name: 'Group',
            members: { kind: 'entra-group', groupId: 'g' },
            strategy: { kind: 'broadcast', size: 5 },
          },
        ],
      }),
      groupMembers: (g) => (g === 'g' ? ['u3', 'u1', 'u2', 'u-gone'] : undefined),
    });
    expect(index.routingPoints.get('rp')?.unknownMemberIds).toEqual(['u-gone']);
    const d = decideRoute(toRoutingPoint('rp'), contextOf(index, { stateOf: allReady(['u1', 'u2', 'u3']) }));
    expect(d.kind === 'offer' && d.command.targets.map((t) => t.id)).toEqual(['u3', 'u1', 'u2']);
  });
});
