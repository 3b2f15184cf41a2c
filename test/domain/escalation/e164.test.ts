import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normalizeToE164 } from '../../../src/domain/escalation/e164.js';

describe('E.164 normalisation', () => {
  test.each([
    { raw: '+1 (425) 555-0100', cc: '1', e164: '+14255550100', ext: null },
    { raw: '425.555.0100', cc: '1', e164: '+14255550100', ext: null },
    { raw: '(425) 555-0100', cc: '1', e164: '+14255550100', ext: null },
    { raw: '1-425-555-0100', cc: '1', e164: '+14255550100', ext: null },
    { raw: '011 49 89 1234567', cc: '1', e164: '+49891234567', ext: null },
    { raw: '0049 89 1234567', cc: '49', e164: '+49891234567', ext: null },
    { raw: '0049 89 1234567', cc: '1', e164: '+49891234567', ext: null },
    { raw: '089 1234567', cc: '49', e164: '+49891234567', ext: null },
    { raw: '+49 (0)89 1234567', cc: '1', e164: '+49891234567', ext: null },
    { raw: '+44 (0)20 7946 0958', cc: '1', e164: '+442079460958', ext: null },
    { raw: '+33 1 23 45 67 89', cc: '1', e164: '+33123456789', ext: null },
    { raw: '425.555.0100 x123', cc: '1', e164: '+14255550100', ext: '123' },
    { raw: '+1 425 555 0100 ext. 42', cc: '1', e164: '+14255550100', ext: '42' },
    { raw: '+14255550100;ext=7', cc: '1', e164: '+14255550100', ext: '7' },
    { raw: '  +1\u00a0425\u00a0555\u00a00100  ', cc: '1', e164: '+14255550100', ext: null },
  ])('$raw (default +$cc) → $e164 ext $ext', ({ raw, cc, e164, ext }) => {
    const r = normalizeToE164(raw, { defaultCountryCode: cc });
    expect(r).toEqual({
      ok: true,
      number: { e164, extension: ext, tel: ext ? `tel:${e164};ext=${ext}` : `tel:${e164}` },
    });
  });

  test.each([
    { raw: '', refusal: 'empty' },
    { raw: '   ', refusal: 'empty' },
    { raw: 'call me maybe', refusal: 'invalid-characters' },
    { raw: '555-CALL-NOW', refusal: 'invalid-characters' },
    { raw: '+1 425 555 0100 +2', refusal: 'invalid-characters' },
    { raw: 'x123', refusal: 'empty' },
    { raw: '555-0100', refusal: 'bad-national-number' },
    { raw: '+1 425 555', refusal: 'bad-national-number' },
    { raw: '+49 89', refusal: 'too-short' },
    { raw: '+49 8912 3456 7890 1234', refusal: 'too-long' },
    { raw: '+0 123 456 789', refusal: 'bad-country-code' },
  ])('refuses "$raw" ($refusal)', ({ raw, refusal }) => {
    expect(normalizeToE164(raw, { defaultCountryCode: '1' })).toEqual({ ok: false, refusal, input: raw });
  });

  test('any accepted result is + and 8 to 15 digits, and normalising it again gives it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 +-().x'.split('')), maxLength: 24 }), (raw) => {
        const r = normalizeToE164(raw, { defaultCountryCode: '44' });
        if (!r.ok) return;
        expect(r.number.e164).toMatch(/^\+[1-9]\d{7,14}$/);
        const again = normalizeToE164(r.number.e164, { defaultCountryCode: '44' });
        expect(again.ok && again.number.e164).toBe(r.number.e164);
      }),
    );
  });
});
