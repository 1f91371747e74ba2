import { defineAccessControl, defineAuditEvents } from 'orgkit';
import { z } from 'zod';

/**
 * Who may do what in the clinic. App roles live in the database (`users.role`, set with
 * `orgkit.setUserRole`); organization roles come from WorkOS memberships. The emulator is seeded
 * with the same organization roles and permissions (see `people.ts`).
 */
export const accessControl = defineAccessControl({
  permissions: [
    'meetings:read',
    'meetings:write',
    'experts:manage',
    'users:manage',
    'audit:read',
    'org:read',
    'org:manage',
  ],
  appRoles: {
    user: [],
    expert: ['meetings:read', 'meetings:write'],
    admin: ['meetings:read', 'experts:manage', 'users:manage', 'audit:read'],
  },
  orgRoles: {
    owner: ['org:read', 'org:manage', 'audit:read', 'meetings:read'],
    admin: ['org:read', 'org:manage', 'audit:read', 'meetings:read'],
    member: ['org:read', 'meetings:read'],
    'on-call': ['org:read'],
  },
});

/**
 * The organization roles and their permissions, as WorkOS (or the emulator) must know them.
 * The token's `meetings:read` is what the `meetings` policy asks of its ordinary readers; an
 * `on-call` clinician lacks it and reads a patient's meetings only under an emergency grant.
 */
export const orgRolePermissions = {
  owner: ['org:read', 'org:manage', 'audit:read', 'meetings:read'],
  admin: ['org:read', 'org:manage', 'audit:read', 'meetings:read'],
  member: ['org:read', 'meetings:read'],
  'on-call': ['org:read'],
} as const;

/** The onboarding steps an expert completes, in order, before guests can book them. */
export const SETUP_STEPS = ['profile', 'availability', 'payment'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** What each step asks of the expert, for the dashboard. */
export const SETUP_STEP_LABELS: Record<SetupStep, string> = {
  profile: 'Write your public profile',
  availability: 'Set your weekly availability',
  payment: 'Connect a payout account',
};

/** The clinic's preferences; every key has a default, so a new user reads these. */
export const preferencesSchema = z.object({
  emailNotifications: z.boolean().default(true),
  reminderMinutes: z
    .number({ error: 'Enter a number of minutes' })
    .int('Enter whole minutes')
    .min(5, 'Choose between 5 and 1440 minutes')
    .max(1440, 'Choose between 5 and 1440 minutes')
    .default(30),
  theme: z
    .enum(['light', 'dark', 'system'], { error: 'Choose a theme from the list' })
    .default('light'),
  language: z.enum(['en', 'es', 'pt'], { error: 'Choose a language from the list' }).default('en'),
});
export type ClinicPreferences = z.output<typeof preferencesSchema>;

/** The clinic's own audit vocabulary: a misspelled action does not compile. */
export const auditEvents = defineAuditEvents({
  actions: ['session.signed_in', 'expert_setup.step_completed', 'meeting.booked'],
  resourceTypes: ['session', 'expert_setup', 'meeting'],
});
