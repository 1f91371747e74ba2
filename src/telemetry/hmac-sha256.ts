// HMAC-SHA256 (FIPS 180-4, RFC 2104) in plain JavaScript, for the telemetry's hashed ids: span
// attributes are built synchronously, WebCrypto's HMAC is async, node:crypto is missing on
// Next.js's edge runtime, and a hashing library costs five times these lines in a Worker bundle.
// test/telemetry/hmac-sha256.test.ts checks it against node:crypto on random input.

// The round constants and initial hash: the fractional parts of the cube (square) roots of the
// first 64 (8) primes, computed once rather than listed.
const K: number[] = [];
const INITIAL: number[] = [];
for (let n = 2; K.length < 64; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
  if (!prime) continue;
  if (INITIAL.length < 8) INITIAL.push(((Math.sqrt(n) % 1) * 2 ** 32) | 0);
  K.push(((Math.cbrt(n) % 1) * 2 ** 32) | 0);
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

function sha256(data: Uint8Array): Uint8Array {
  const padded = new Uint8Array((((data.length + 8) >> 6) + 1) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 2 ** 29));
  view.setUint32(padded.length - 4, data.length * 8);
  const h = INITIAL.slice();
  const w = new Int32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(offset + 4 * i);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] as number;
      const y = w[i - 2] as number;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    let [a, b, c, d, e, f, g, k] = h as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let i = 0; i < 64; i++) {
      const t1 =
        (k +
          (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
          ((e & f) ^ (~e & g)) +
          (K[i] as number) +
          (w[i] as number)) |
        0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, k].forEach((v, i) => {
      h[i] = ((h[i] as number) + v) | 0;
    });
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setInt32(4 * i, h[i] as number);
  return out;
}

const utf8 = new TextEncoder();

/** HMAC-SHA256 of `message` under `key` (both UTF-8), as lowercase hex. @internal */
export function hmacSha256Hex(key: string, message: string): string {
  let keyBytes: Uint8Array = utf8.encode(key);
  if (keyBytes.length > 64) keyBytes = sha256(keyBytes);
  const block = (pad: number, rest: Uint8Array) => {
    const bytes = new Uint8Array(64 + rest.length);
    for (let i = 0; i < 64; i++) bytes[i] = (keyBytes[i] ?? 0) ^ pad;
    bytes.set(rest, 64);
    return bytes;
  };
  const mac = sha256(block(0x5c, sha256(block(0x36, utf8.encode(message)))));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
