export type { RetryPolicy } from '../workos-calls/retry.js';
export { createGuests } from './create-guests.js';
export { guestEmailSchema } from './guest-input.js';
export type { GuestLimit, GuestLimitStore, GuestLimitsOptions } from './limits.js';
export type {
  GuestCallOptions,
  GuestInput,
  GuestsApi,
  GuestsDeps,
  GuestsOptions,
  GuestUser,
  MeetingGuest,
  MeetingGuestInput,
} from './types.js';
export type { HumanCheckRequest, VerifyHuman } from './verify-human.js';
export { personalExternalId } from './workos-steps.js';
