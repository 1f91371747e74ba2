import * as z from 'zod';

/** The WorkOS objects a run creates, in the order it creates them for a record. @internal */
export const STEP_KINDS = ['user', 'organization', 'membership', 'factor'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * Which object a step line is about. `org` names a mapped organization by its external id;
 * without it an organization or membership step is about the user's personal organization.
 * @internal
 */
export interface StepRef {
  readonly step: StepKind;
  readonly clerkUserId?: string;
  readonly org?: string;
}

const ref = {
  step: z.enum(STEP_KINDS),
  clerkUserId: z.string().optional(),
  org: z.string().optional(),
};

/**
 * One line of the run log. Ids and codes only: the email a map entry needs is read again from
 * the input, which the run is bound to by its hash, so no address, name or secret is logged.
 * @internal
 */
export const logLineSchema = z.discriminatedUnion('t', [
  // Written and flushed before the create is sent: on resume the object is looked up first.
  z.strictObject({ t: z.literal('intent'), ...ref }),
  z.strictObject({ t: z.literal('done'), ...ref, id: z.string(), created: z.boolean() }),
  z.strictObject({
    t: z.literal('record'),
    clerkUserId: z.string(),
    recordNumber: z.number().int(),
    outcome: z.enum(['created', 'matched', 'failed']),
    code: z.string().optional(),
    requestId: z.string().optional(),
  }),
  z.strictObject({ t: z.literal('undo-intent'), ...ref, id: z.string().optional() }),
  z.strictObject({ t: z.literal('undo-done'), ...ref, id: z.string().optional() }),
]);

export type LogLine = z.infer<typeof logLineSchema>;

/** The key one object's lines share. @internal */
export const keyOf = (r: StepRef) =>
  r.step === 'organization' && r.org !== undefined
    ? `organization|${r.org}`
    : `${r.step}|${r.clerkUserId ?? ''}|${r.org ?? ''}`;
