// Clerk's dashboard puts a TAB before any value starting with =, +, - or @ (every phone number
// among them) so that spreadsheets do not read it as a formula; the TAB is not part of the value.
const FORMULA_GUARD = /^\t(?=[=+\-@])/;

/** Multi-value cells are split by `|`, and by `,` or `;` in some exports. */
const LIST_SEPARATOR = /[|,;]/;

/** A single value: the formula guard removed, trimmed, and undefined when empty. @internal */
export function cleanValue(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const value = raw.replace(FORMULA_GUARD, '').trim();
  return value === '' ? undefined : value;
}

/** The values of a multi-value cell, each cleaned, empty ones dropped. @internal */
export function cleanList(raw: string | null | undefined): string[] {
  if (raw === null || raw === undefined) return [];
  const values: string[] = [];
  for (const part of raw.replace(FORMULA_GUARD, '').split(LIST_SEPARATOR)) {
    const value = cleanValue(part);
    if (value !== undefined) values.push(value);
  }
  return values;
}

/**
 * The first field of a row too wide or too narrow to trust, when it looks like a Clerk user id
 * (`user_…`): fields may have shifted, and a secret must not pass for an id in a report.
 * @internal
 */
export function idOfMalformedRow(firstField: string | undefined): string | undefined {
  const value = cleanValue(firstField);
  return value?.startsWith('user_') ? value : undefined;
}
