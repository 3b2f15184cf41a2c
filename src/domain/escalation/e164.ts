/**
 * Phone numbers to E.164: the formats people type into Entra ID ("+1 (425) 555-0100", "425.555.0100",
 * "0049 89 1234567", "+44 (0)20 7946 0958", "… x123") become `+<country><number>` with an optional extension.
 * Garbage is refused with a reason, as a value.
 */
import { z } from 'zod';

/** A country calling code without "+": 1 to 3 digits, not starting with 0 (e.g. "1", "49", "353"). */
export const countryCodeSchema = z.string().regex(/^[1-9][0-9]{0,2}$/, 'a country calling code such as 1 or 49');

/** Options of E.164 normalisation. */
export interface E164Options {
  /** The country calling code of numbers written without one (national format). */
  readonly defaultCountryCode: string;
}

/** A normalised number. */
export interface E164Number {
  /** `+` then 8 to 15 digits. */
  readonly e164: string;
  /** Digits of an extension ("x123", "ext. 123"), if any. */
  readonly extension: string | null;
  /** RFC 3966 URI: `tel:+14255550100` or `tel:+14255550100;ext=123`. */
  readonly tel: string;
}

/** Why a number was refused. */
export type E164Refusal =
  | 'empty'
  | 'invalid-characters'
  | 'too-short'
  | 'too-long'
  | 'bad-country-code'
  | 'bad-national-number';

/** The result of normalisation: a number, or a refusal with a reason. */
export type E164Result =
  | { readonly ok: true; readonly number: E164Number }
  | { readonly ok: false; readonly refusal: E164Refusal; readonly input: string };

const extensionPattern = /\s*(?:;\s*ext=|(?:ext\.?|extension|x|#)\s*)(\d{1,8})\s*$/i;
const allowed = /^[+]?[0-9 ().\-/\u00a0]+$/;

function refuse(refusal: E164Refusal, input: string): E164Result {
  return { ok: false, refusal, input };
}

function accept(digits: string, extension: string | null): E164Result {
  const e164 = `+${digits}`;
  const tel = extension ? `tel:${e164};ext=${extension}` : `tel:${e164}`;
  return { ok: true, number: { e164, extension, tel } };
}

/**
 * Normalises a phone number to E.164.
 *
 * - `+` or `00` (or `011` when the default country is 1) starts an international number;
 * - a "(0)" trunk marker after the country code is dropped ("+44 (0)20 …");
 * - a national number loses one trunk `0` (or a leading `1` in the North American plan) and gets
 *   `defaultCountryCode`; North American national numbers must have 10 digits;
 * - the result has 8 to 15 digits after `+`.
 *
 * @example
 * normalizeToE164('425.555.0100 x123', { defaultCountryCode: '1' });
 * // { ok: true, number: { e164: '+14255550100', extension: '123', tel: 'tel:+14255550100;ext=123' } }
 */
export function normalizeToE164(raw: string, options: E164Options): E164Result {
  const input = raw.trim();
  if (input === '') return refuse('empty', raw);
  const ext = extensionPattern.exec(input);
  const extension = ext?.[1] ?? null;
  let body = (ext ? input.slice(0, ext.index) : input).trim();
  body = body.replace(/^(\+\s*\d{1,3})\s*\(0\)/, '$1');
  if (body === '') return refuse('empty', raw);
  if (!allowed.test(body)) return refuse('invalid-characters', raw);
  if (body.indexOf('+') > 0) return refuse('invalid-characters', raw);
  const international = body.startsWith('+');
  let digits = body.replace(/\D/g, '');
  if (digits === '') return refuse('empty', raw);
  const cc = options.defaultCountryCode;
  if (!international) {
    if (digits.startsWith('00')) {
      digits = digits.slice(2);
    } else if (cc === '1' && digits.startsWith('011')) {
      digits = digits.slice(3);
    } else if (cc === '1') {
      const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
      if (national.length !== 10) return refuse('bad-national-number', raw);
      digits = `1${national}`;
    } else {
      const national = digits.startsWith('0') ? digits.slice(1) : digits;
      if (national.startsWith('0')) return refuse('bad-national-number', raw);
      digits = `${cc}${national}`;
    }
  }
  if (digits.startsWith('0')) return refuse('bad-country-code', raw);
  if (digits.startsWith('1') && digits.length !== 11) return refuse('bad-national-number', raw);
  if (digits.length < 8) return refuse('too-short', raw);
  if (digits.length > 15) return refuse('too-long', raw);
  return accept(digits, extension);
}
