/**
 * The seed app's expert onboarding steps (seed 3.3), used unless the app configures its own.
 *
 * @example
 * ```ts
 * createOrgkit({ database: db, expertSetup: { steps: [...DEFAULT_EXPERT_SETUP_STEPS, 'tax_form'] } })
 * ```
 */
export const DEFAULT_EXPERT_SETUP_STEPS = [
  'profile',
  'availability',
  'events',
  'identity',
  'payment',
  'google_account',
] as const;

/** One of {@link DEFAULT_EXPERT_SETUP_STEPS}. */
export type DefaultExpertSetupStep = (typeof DEFAULT_EXPERT_SETUP_STEPS)[number];

/** The permission `resetSetup` asks for unless configured otherwise. */
export const DEFAULT_RESET_PERMISSION = 'experts:manage';
