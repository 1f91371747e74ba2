import * as z from 'zod';

/**
 * An email as orgkit keys guests: trimmed and lower-cased before it is checked, so
 * ` Ada@Example.COM ` and `ada@example.com` are one guest.
 */
export const guestEmailSchema = z
  .string({ error: 'expected an email address' })
  .trim()
  .toLowerCase()
  .max(254, 'an email address has at most 254 characters')
  .pipe(z.email({ error: 'expected an email address' }));

const name = z.string().trim().min(1).max(200).optional();

// WorkOS user metadata: at most 50 string values, keys up to 40 characters, values up to 500.
const metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys')
  .optional();

/** The input of `createOrGetGuestUser`. @internal */
export const guestInputSchema = z.strictObject({
  email: guestEmailSchema,
  firstName: name,
  lastName: name,
  metadata,
});

/** The input of `provisionMeetingGuest`: the booking form's guest fields. @internal */
export const meetingGuestInputSchema = z.strictObject({
  guestEmail: guestEmailSchema,
  guestFirstName: name,
  guestLastName: name,
  metadata,
});

/** The options of `createOrGetGuestUser` and `provisionMeetingGuest`. @internal */
export const guestCallOptionsSchema = z.strictObject({
  // Turnstile answers are up to 2048 characters; reCAPTCHA and hCaptcha tokens are shorter.
  humanToken: z.string().min(1).max(4096).optional(),
});

/** What a guest-provisioning call may pass besides the guest. */
export type GuestCallOptions = z.input<typeof guestCallOptionsSchema>;

export type GuestInput = z.input<typeof guestInputSchema>;
export type ParsedGuestInput = z.output<typeof guestInputSchema>;
export type MeetingGuestInput = z.input<typeof meetingGuestInputSchema>;
