import * as z from 'zod';
import { AUDIT_NAME_PATTERN } from '../audit/define-audit-events.js';
import { OrgkitError } from '../errors/index.js';
import { HL7_PURPOSES_OF_USE, PURPOSE_PATTERN } from './purposes.js';
import type { AccessOptions } from './types.js';

/** `access` of `createOrgkit`, validated, with defaults. @internal */
export const accessOptionsSchema = z.strictObject({
  purposes: z
    .array(z.string().regex(PURPOSE_PATTERN, 'use upper-case letters, digits and _ . -'))
    .optional(),
  resourceTypes: z
    .record(
      z.string().regex(AUDIT_NAME_PATTERN, 'not an audit resource type name'),
      z.strictObject({ phi: z.boolean().optional(), failClosed: z.boolean().optional() }),
    )
    .optional(),
  reviewPermission: z.string().min(1).optional(),
  breakGlassPermission: z.string().min(1).optional(),
  maxBreakGlassMinutes: z.number().int().min(1).max(10_080).default(240),
  onBreakGlass: z
    .custom<NonNullable<AccessOptions['onBreakGlass']>>((v) => typeof v === 'function', {
      message: 'expected a function (grant) => void',
    })
    .optional(),
});

/** What the access functions know of the app's rules. @internal */
export interface AccessPolicy {
  isPurpose(code: string): boolean;
  isPhi(resourceType: string): boolean;
  failClosed(resourceType: string): boolean;
  maxBreakGlassMinutes: number;
  reviewPermission: string;
  breakGlassPermission: string | undefined;
  onBreakGlass: AccessOptions['onBreakGlass'];
}

/** @internal */
export function createAccessPolicy(
  options: z.output<typeof accessOptionsSchema>,
  readPermission: string,
): AccessPolicy {
  const purposes = new Set<string>([
    ...Object.keys(HL7_PURPOSES_OF_USE),
    ...(options.purposes ?? []),
  ]);
  const types = options.resourceTypes ?? {};
  const rule = (type: string) => (Object.hasOwn(types, type) ? types[type] : undefined);
  return {
    isPurpose: (code) => purposes.has(code),
    isPhi: (type) => rule(type)?.phi === true,
    failClosed: (type) => rule(type)?.failClosed ?? rule(type)?.phi === true,
    maxBreakGlassMinutes: options.maxBreakGlassMinutes,
    reviewPermission: options.reviewPermission ?? readPermission,
    breakGlassPermission: options.breakGlassPermission,
    onBreakGlass: options.onBreakGlass,
  };
}

/** Checks a purpose against the vocabulary, and that PHI types have one. @internal */
export function checkPurpose(
  policy: AccessPolicy,
  resourceType: string,
  purpose: string | undefined,
  what: string,
): void {
  if (purpose === undefined) {
    if (policy.isPhi(resourceType)) {
      throw new OrgkitError(
        'invalid_input',
        `${what}: purpose: required, because "${resourceType}" holds protected health information (an HL7 PurposeOfUse code such as TREAT, or one of access.purposes)`,
        { reason: 'purpose_required', details: { key: 'purpose' } },
      );
    }
    return;
  }
  if (!policy.isPurpose(purpose)) {
    throw new OrgkitError(
      'invalid_input',
      `${what}: purpose: "${purpose}" is neither an HL7 PurposeOfUse code nor one of access.purposes`,
      { reason: 'unknown_purpose', details: { key: 'purpose' } },
    );
  }
}
