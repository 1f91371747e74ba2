import { timestamp } from 'drizzle-orm/pg-core';

/** created_at / updated_at, timezone-aware, shared by every orgkit table. @internal */
export const timestamps = () => ({
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The `updated_at` of the WorkOS object a mirror row was last written from.
 * Webhooks and the Events API arrive out of order; a write carrying an older
 * timestamp than this is ignored. @internal
 */
export const workosUpdatedAt = () =>
  timestamp('workos_updated_at', { withTimezone: true }).notNull().defaultNow();
