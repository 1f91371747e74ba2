export { createGuests } from './create-guests.js';
export { guestEmailSchema } from './guest-input.js';
export type { RetryPolicy } from './retry.js';
export type {
  GuestInput,
  GuestsApi,
  GuestsDeps,
  GuestsOptions,
  GuestUser,
  MeetingGuest,
  MeetingGuestInput,
} from './types.js';
export { personalExternalId } from './workos-steps.js';
