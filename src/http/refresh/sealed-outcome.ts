// The stored outcome of a refresh: the new sealed session, encrypted (AES-256-GCM) with a key
// derived (HKDF-SHA-256) from the old cookie, and filed under another derivation of it. Only a
// request carrying the old cookie can find and read it; the store alone learns nothing. Web
// Crypto, so the same code runs on every runtime orgkit supports.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function derive(cookie: string, purpose: 'key' | 'id'): Promise<CryptoKey | ArrayBuffer> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(cookie), 'HKDF', false, [
    'deriveKey',
    'deriveBits',
  ]);
  const params = {
    name: 'HKDF',
    hash: 'SHA-256',
    salt: encoder.encode('orgkit session refresh v1'),
    info: encoder.encode(purpose),
  };
  if (purpose === 'id') return crypto.subtle.deriveBits(params, material, 256);
  return crypto.subtle.deriveKey(params, material, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** The store key of the refresh of `cookie`. @internal */
export async function refreshKey(cookie: string): Promise<string> {
  return base64url(new Uint8Array((await derive(cookie, 'id')) as ArrayBuffer));
}

/** `sealedSession` encrypted for whoever holds `cookie`. @internal */
export async function sealOutcome(cookie: string, sealedSession: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = (await derive(cookie, 'key')) as CryptoKey;
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    encoder.encode(sealedSession),
  );
  return `${base64url(iv)}.${base64url(new Uint8Array(data))}`;
}

/** The sealed session {@link sealOutcome} stored, or `undefined` if it does not open. @internal */
export async function openOutcome(cookie: string, stored: string): Promise<string | undefined> {
  const [iv, data] = stored.split('.');
  if (!iv || !data) return undefined;
  try {
    const key = (await derive(cookie, 'key')) as CryptoKey;
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64url(iv) },
      key,
      fromBase64url(data),
    );
    return decoder.decode(plain);
  } catch {
    return undefined;
  }
}
