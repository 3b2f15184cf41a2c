import { describe, expect, test } from 'vitest';
import { voiceAttachedDataKeys as keys, resolveVoiceRoute } from '../../../src/domain/escalation/voice-route.js';
import { escalationOptionsSchema, resolveDirectVoiceTarget } from '../../../src/domain/escalation/voice-target.js';
import { type KnowledgeWorkerOptions, knowledgeWorkerSchema } from '../../../src/domain/routing/knowledge-worker.js';

const options = escalationOptionsSchema.parse({});
const kw = (extra: Partial<KnowledgeWorkerOptions>) =>
  knowledgeWorkerSchema.parse({ id: 'aad-1', name: 'Grace Hopper', email: 'Grace@contoso.com', ...extra });

describe('direct voice target precedence', () => {
  test.each([
    {
      what: 'configured extension first',
      entry: { voice: { extension: '4711', number: '+1 425 555 0100' }, businessPhones: ['+1 425 555 0199'] },
      want: { kind: 'extension', extension: '4711', source: 'configured' },
    },
    {
      what: 'configured number next',
      entry: { voice: { number: '425.555.0100 x12' }, businessPhones: ['+1 425 555 0199'] },
      want: { kind: 'number', source: 'configured', number: { e164: '+14255550100', extension: '12' } },
    },
    {
      what: 'then the first usable business phone',
      entry: { businessPhones: ['n/a', '+1 (425) 555-0199'], mobilePhone: '+1 206 555 0111' },
      want: { kind: 'number', source: 'businessPhones', number: { e164: '+14255550199' } },
    },
    {
      what: 'then the mobile phone',
      entry: { businessPhones: [], mobilePhone: '(206) 555-0111' },
      want: { kind: 'number', source: 'mobilePhone', number: { e164: '+12065550111' } },
    },
  ])('$what', ({ entry, want }) => {
    expect(resolveDirectVoiceTarget(kw(entry), options).direct).toMatchObject(want);
  });

  test('no usable number is a value that lists what was refused', () => {
    const r = resolveDirectVoiceTarget(kw({ voice: { number: 'ask reception' }, mobilePhone: '12' }), options);
    expect(r.direct).toEqual({
      kind: 'none',
      reason: 'no-voice-target-configured',
      refused: [
        { source: 'configured', value: 'ask reception', refusal: 'invalid-characters' },
        { source: 'mobilePhone', value: '12', refusal: 'bad-national-number' },
      ],
    });
  });

  test('fresh Graph phones take the place of the directory copies; the default country code applies', () => {
    const de = escalationOptionsSchema.parse({ defaultCountryCode: '49' });
    const r = resolveDirectVoiceTarget(kw({ businessPhones: ['+1 425 555 0199'] }), de, {
      businessPhones: ['089 1234567'],
      userPrincipalName: 'grace@contoso.com',
    });
    expect(r.direct).toMatchObject({ kind: 'number', source: 'businessPhones', number: { e164: '+49891234567' } });
  });

  test('the Teams identity: Entra object id, UPN (else email) and SIP URI', () => {
    expect(resolveDirectVoiceTarget(kw({ upn: 'ghopper@contoso.com' }), options).teams).toEqual({
      aadObjectId: 'aad-1',
      upn: 'ghopper@contoso.com',
      sipUri: 'sip:ghopper@contoso.com',
    });
    expect(resolveDirectVoiceTarget(kw({}), options).teams.sipUri).toBe('sip:grace@contoso.com');
    expect(resolveDirectVoiceTarget(kw({ email: undefined }), options).teams).toEqual({
      aadObjectId: 'aad-1',
      upn: null,
      sipUri: null,
    });
  });

  test('a malformed extension or country code is refused at the config boundary', () => {
    expect(knowledgeWorkerSchema.safeParse({ id: 'a', name: 'A', voice: { extension: '12-34' } }).success).toBe(false);
    expect(escalationOptionsSchema.safeParse({ defaultCountryCode: '+1' }).success).toBe(false);
  });
});

describe('routing-point route', () => {
  test('attached data identifies the knowledge worker and the consultation', () => {
    const entry = kw({ voice: { extension: '4711' } });
    const { direct, teams } = resolveDirectVoiceTarget(entry, options);
    const route = resolveVoiceRoute({ dn: '7000', name: 'Expert voice RP' }, entry, teams, direct, {
      interactionId: 'im-1',
      parentInteractionId: 'call-9',
      agentId: 'agent-7',
      routingPointId: 'rp-sales',
    });
    expect(route).toEqual({
      kind: 'routing-point',
      dn: '7000',
      name: 'Expert voice RP',
      attachedData: {
        [keys.knowledgeWorkerId]: 'aad-1',
        [keys.knowledgeWorkerName]: 'Grace Hopper',
        [keys.upn]: 'Grace@contoso.com',
        [keys.sipUri]: 'sip:grace@contoso.com',
        [keys.directTarget]: '4711',
        [keys.consultationId]: 'im-1',
        [keys.parentInteractionId]: 'call-9',
        [keys.routingPointId]: 'rp-sales',
        [keys.agentId]: 'agent-7',
      },
    });
  });

  test('no voice routing point is a value; unknown keys are left out', () => {
    const entry = kw({ email: undefined });
    const { direct, teams } = resolveDirectVoiceTarget(entry, options);
    expect(resolveVoiceRoute(undefined, entry, teams, direct, { interactionId: 'im-1' })).toEqual({
      kind: 'none',
      reason: 'no-voice-routing-point',
    });
    const route = resolveVoiceRoute({ dn: '7000' }, entry, teams, direct, { interactionId: 'im-1' });
    expect(route.kind === 'routing-point' && Object.keys(route.attachedData).sort()).toEqual(
      [keys.consultationId, keys.knowledgeWorkerId, keys.knowledgeWorkerName].sort(),
    );
  });
});
