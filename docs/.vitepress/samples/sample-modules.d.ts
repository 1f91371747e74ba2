// The app's own modules the samples import by alias, as the pages that set them up define them.
declare module '@/lib/auth' {
  import type { Orgkit } from 'orgkit';
  import type { NextAuth } from 'orgkit/next';
  export const auth: NextAuth<Orgkit>;
}

declare module '@/db/rls-model' {
  import type { RlsModel } from 'orgkit/rls';
  /** The RLS guide's model. */
  export const model: RlsModel;
}

declare module '@/lib/session-options' {
  import type { SealedSessionOptions } from 'orgkit/hono';
  /** The adapters' `session` option, as "Getting started" sets it up. */
  export const sessionOptions: SealedSessionOptions;
}
