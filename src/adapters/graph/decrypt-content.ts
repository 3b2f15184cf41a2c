/**
 * Decrypts the `encryptedContent` of a rich change notification, as Graph documents it:
 * RSA-OAEP (SHA-1) unwraps the per-item symmetric key; HMAC-SHA256 of the base64-decoded `data` under that key must
 * equal `dataSignature` BEFORE anything is decrypted; then AES-256-CBC (PKCS7) with IV = the key's first 16 bytes.
 */
import { constants, createDecipheriv, createHmac, type KeyObject, privateDecrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** The `encryptedContent` object of a notification item. */
export interface EncryptedContent {
  readonly data: string;
  readonly dataSignature: string;
  readonly dataKey: string;
  readonly encryptionCertificateId?: string;
  readonly encryptionCertificateThumbprint?: string;
}

const encryptedContentSchema = z.looseObject({
  data: z.string(),
  dataSignature: z.string(),
  dataKey: z.string(),
  encryptionCertificateId: z.string().optional(),
});

/** Why decryption failed (an expected outcome for forged input, so a value). */
export type DecryptFailure = 'bad-key' | 'bad-signature' | 'bad-data' | 'unknown-certificate';

/** Outcome of {@link decryptContent}. */
export type DecryptResult =
  | { readonly ok: true; readonly json: unknown }
  | { readonly ok: false; readonly reason: DecryptFailure };

/**
 * Decrypts and parses one item's content with the private key of its certificate. Never throws: content that is not
 * the documented shape (as it arrives from the network) is `bad-data`.
 */
export function decryptContent(content: EncryptedContent, privateKey: KeyObject): DecryptResult {
  if (!encryptedContentSchema.safeParse(content).success) return { ok: false, reason: 'bad-data' };
  let key: Buffer;
  try {
    key = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
      Buffer.from(content.dataKey, 'base64'),
    );
  } catch {
    return { ok: false, reason: 'bad-key' };
  }
  if (key.length !== 32) return { ok: false, reason: 'bad-key' };
  const data = Buffer.from(content.data, 'base64');
  const expected = createHmac('sha256', key).update(data).digest();
  const given = Buffer.from(content.dataSignature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    return { ok: true, json: JSON.parse(plain.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'bad-data' };
  }
}

/**
 * Decrypts a batch with the certificates' private keys by `encryptionCertificateId`; results in item order. Never
 * throws.
 */
export function decryptBatch(
  items: readonly EncryptedContent[],
  privateKeys: ReadonlyMap<string, KeyObject>,
): DecryptResult[] {
  return items.map((c): DecryptResult => {
    const key = privateKeys.get(String((c as Partial<EncryptedContent> | null)?.encryptionCertificateId ?? ''));
    return key ? decryptContent(c, key) : { ok: false, reason: 'unknown-certificate' };
  });
}
