import * as z from 'zod';

// Control characters would let a value fake lines in a CSV or log export; tabs and newlines are
// allowed only where free text is (`line(…, { multiline: true })`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Trimmed text of `min`–`max` characters without control characters. @internal */
export function line(min: number, max: number, options: { multiline?: boolean } = {}) {
  const control = options.multiline ? CONTROL_BUT_LINES : CONTROL;
  return z
    .string()
    .trim()
    .min(min, `give at least ${min} characters`)
    .max(max)
    .refine((s) => !control.test(s), 'contains a control character');
}

/** An id: 1–256 characters, trimmed, no control characters. @internal */
export const idText = line(1, 256);
