// The same Worker without orgkit: Hono + drizzle + postgres.js, a connection per request.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { Hono } from 'hono';
import postgres from 'postgres';

type Env = { DATABASE_URL: string };

const app = new Hono<{ Bindings: Env }>();
app.get('/posts', async (c) => {
  const db = drizzle({ client: postgres(c.env.DATABASE_URL, { max: 1 }) });
  await db.execute(sql`select 1`);
  return c.json({ user: null });
});

export default app;
