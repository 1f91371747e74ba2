import { OrgkitError } from '../errors/index.js';
import { type JsonObject, type JsonValue, stableStringify } from './json-value.js';

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';
/** What replaces a redacted new value that differs from the old one: it changed, not to what. */
export const REDACTED_CHANGED = '[REDACTED:changed]';

/**
 * Key names redacted by default wherever they appear, compared lower-cased without `_`, `-`
 * and `.`, by their ending: `password`, `newPassword`, `client_secret`, `refreshToken`,
 * `magicAuthCode`, `X-Api-Key`, `authorization`, … but not `statusCode`, `errorCode`,
 * `countryCode`, `postalCode` and the like (`allow` exempts further paths).
 */
export const DEFAULT_REDACTED_KEY_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'code',
  'otp',
  'authorization',
  'cookie',
] as const;

/** Keys ending in `code` that name no secret, so the default rules leave them alone. */
const NOT_SECRET_CODES = new Set([
  'statuscode',
  'errorcode',
  'reasoncode',
  'responsecode',
  'countrycode',
  'postalcode',
  'zipcode',
  'currencycode',
  'languagecode',
  'localecode',
  'regioncode',
]);

/** Redaction options of `createOrgkit({ audit })`. */
export interface AuditRedactionOptions {
  /**
   * Paths whose values never reach the table, relative to `oldValues`, `newValues` and
   * `metadata` alike: dot-separated keys, `*` for any one key, `**` for any depth
   * (`'patient.diagnosis'`, `'**.ssn'`, `'notes'`).
   */
  redact?: readonly string[] | undefined;
  /** Paths exempt from the default key rules (`'**.postalCode'`); explicit `redact` still wins. */
  allow?: readonly string[] | undefined;
}

type Pattern = readonly string[];

const PATH_PATTERN = /^(\*\*|\*|[^.*]+)(\.(\*\*|\*|[^.*]+))*$/;

function compile(paths: readonly string[] | undefined, key: 'redact' | 'allow'): Pattern[] {
  return (paths ?? []).map((path) => {
    if (typeof path !== 'string' || !PATH_PATTERN.test(path)) {
      throw new OrgkitError(
        'invalid_config',
        `createOrgkit: audit.${key}: ${JSON.stringify(path)} is not a path like "patient.notes", "*.ssn" or "**.token"`,
      );
    }
    return path.split('.');
  });
}

function matches(pattern: Pattern, path: readonly string[], p = 0, q = 0): boolean {
  if (p === pattern.length) return q === path.length;
  const segment = pattern[p];
  if (segment === '**') {
    for (let skip = q; skip <= path.length; skip++)
      if (matches(pattern, path, p + 1, skip)) return true;
    return false;
  }
  if (q === path.length) return false;
  return (segment === '*' || segment === path[q]) && matches(pattern, path, p + 1, q + 1);
}

const normaliseKey = (key: string) => key.toLowerCase().replace(/[_.-]/g, '');

function isDefaultSecret(key: string): boolean {
  const k = normaliseKey(key);
  return (
    !NOT_SECRET_CODES.has(k) && DEFAULT_REDACTED_KEY_ENDINGS.some((ending) => k.endsWith(ending))
  );
}

/** A compiled redaction policy. @internal */
export interface Redactor {
  /** `changes` with redacted values replaced; a changed redacted value is marked as changed. */
  changes(
    oldValues: JsonObject | undefined,
    newValues: JsonObject | undefined,
  ): { oldValues: JsonObject | undefined; newValues: JsonObject | undefined };
  metadata(metadata: JsonObject | undefined): JsonObject | undefined;
}

/** Compiles `audit.redact` / `audit.allow`; bad paths fail at `createOrgkit`. @internal */
export function createRedactor(options: AuditRedactionOptions = {}): Redactor {
  const redact = compile(options.redact, 'redact');
  const allow = compile(options.allow, 'allow');
  const isRedacted = (path: readonly string[]): boolean => {
    if (redact.some((pattern) => matches(pattern, path))) return true;
    const key = path[path.length - 1];
    return (
      key !== undefined && isDefaultSecret(key) && !allow.some((pattern) => matches(pattern, path))
    );
  };

  // Walks `value`; `other` is the same path in the other side of a change, when there is one.
  const walk = (
    value: JsonValue,
    path: string[],
    other: JsonValue | undefined,
    side: 'old' | 'new' | 'metadata',
  ): JsonValue => {
    if (path.length > 0 && isRedacted(path)) {
      if (side !== 'new' || other === undefined) return REDACTED;
      return stableStringify(value) === stableStringify(other) ? REDACTED : REDACTED_CHANGED;
    }
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const others = Array.isArray(other) ? other : undefined;
      return value.map((item, i) => walk(item, [...path, String(i)], others?.[i], side));
    }
    const others = other && typeof other === 'object' && !Array.isArray(other) ? other : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        walk(
          item,
          [...path, key],
          others && Object.hasOwn(others, key) ? others[key] : undefined,
          side,
        ),
      ]),
    );
  };

  return {
    changes(oldValues, newValues) {
      return {
        oldValues: oldValues && (walk(oldValues, [], undefined, 'old') as JsonObject),
        newValues: newValues && (walk(newValues, [], oldValues, 'new') as JsonObject),
      };
    },
    metadata: (metadata) => metadata && (walk(metadata, [], undefined, 'metadata') as JsonObject),
  };
}
