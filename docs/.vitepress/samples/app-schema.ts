// The app tables the docs' samples import as '@/db/schema': the example clinic's shape.
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const meetings = pgTable('meetings', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: text('org_id').notNull(),
  expertWorkosUserId: text('expert_workos_user_id').notNull(),
  guestWorkosUserId: text('guest_workos_user_id').notNull(),
  status: text('status').notNull().default('booked'),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
});

export const events = pgTable('events', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: text('org_id').notNull(),
  title: text('title').notNull(),
});
