/**
 * The emulator's side of rich notifications: encrypts a resource as Graph does (a fresh 32-byte key per item,
 * AES-256-CBC with IV = key[0..16], HMAC-SHA256 signature over the ciphertext, key wrapped with RSA-OAEP SHA-1 under
 * the subscriber's certificate).
 */
import {
  constants,
  createCipheriv,
  createHmac,
  type KeyObject,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';

/** Reads the public key of a base64 DER X.509 certificate, as sent in `encryptionCertificate`. */
export function publicKeyOfCertificate(base64Der: string): KeyObject {
  return new X509Certificate(Buffer.from(base64Der, 'base64')).publicKey;
}

/** Encrypts `resource` for the certificate's public key; returns the `encryptedContent` object. */
export function encryptContent(resource: unknown, publicKey: KeyObject, certificateId: string) {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, key).toString('base64'),
    encryptionCertificateId: certificateId,
    encryptionCertificateThumbprint: 'emulator',
  };
}
