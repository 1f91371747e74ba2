import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A booked meeting. It belongs to the expert's organization (`org_id`) and is also readable by its
 * guest (`guest_workos_user_id`): the RLS model declares it `shared` on those two columns. The
 * guest's WorkOS ids are stored as WorkOS returned them (seed 2.2).
 */
export const meetings = pgTable(
  'meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: text('org_id').notNull(),
    expertWorkosUserId: text('expert_workos_user_id').notNull(),
    guestWorkosUserId: text('guest_workos_user_id').notNull(),
    guestOrgId: text('guest_org_id').notNull(),
    guestEmail: text('guest_email').notNull(),
    guestFirstName: text('guest_first_name'),
    topic: text('topic').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    /** The booking form's one-time key: a second submit of the same form finds this row. */
    bookingKey: text('booking_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('meetings_booking_key_idx').on(t.bookingKey),
    uniqueIndex('meetings_expert_slot_idx').on(t.expertWorkosUserId, t.startsAt),
  ],
);

export type Meeting = typeof meetings.$inferSelect;

/**
 * The app's migration, idempotent. A real app would keep it in drizzle-kit's migrations beside
 * orgkit's; the clinic applies it at start so one command runs everything.
 */
export const CLINIC_MIGRATION = `
CREATE TABLE IF NOT EXISTS meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id text NOT NULL,
  expert_workos_user_id text NOT NULL,
  guest_workos_user_id text NOT NULL,
  guest_org_id text NOT NULL,
  guest_email text NOT NULL,
  guest_first_name text,
  topic text NOT NULL,
  starts_at timestamptz NOT NULL,
  booking_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS meetings_booking_key_idx ON meetings (booking_key);
CREATE UNIQUE INDEX IF NOT EXISTS meetings_expert_slot_idx ON meetings (expert_workos_user_id, starts_at);
`;
