/** A magic-auth code WorkOS (the emulator) issued, as an email would have carried it. */
export interface InboxMessage {
  email: string;
  code: string;
  sentAt: Date;
}

/** The development inbox: what the emulator "sent", newest first. Emulator mode only. */
export interface DevInbox {
  messages(): readonly InboxMessage[];
  /** The newest code sent to `email` (case-insensitive), if any. */
  latestCode(email: string): string | undefined;
  /** Wraps the WorkOS client's `fetchFn` so every magic-auth code it creates is recorded. */
  wrap(base: typeof fetch): typeof fetch;
}

const requestUrl = (input: string | URL | Request) =>
  new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);

/**
 * Creates the development inbox. The emulator sends no email; the clinic reads the codes from
 * its answers to `POST /user_management/magic_auth` instead, so the guest flow can be followed
 * in a browser. Never use it with a real WorkOS environment: codes are secrets.
 */
export function createDevInbox(): DevInbox {
  const messages: InboxMessage[] = [];
  return {
    messages: () => messages,
    latestCode: (email) =>
      messages.find((m) => m.email.toLowerCase() === email.trim().toLowerCase())?.code,
    wrap: (base) => async (input, init) => {
      const response = await base(input, init);
      const method = (
        init?.method ?? (input instanceof Request ? input.method : 'GET')
      ).toUpperCase();
      if (
        method === 'POST' &&
        response.ok &&
        requestUrl(input).pathname.endsWith('/user_management/magic_auth')
      ) {
        const body = (await response.clone().json()) as { email?: unknown; code?: unknown };
        if (typeof body.email === 'string' && typeof body.code === 'string') {
          messages.unshift({ email: body.email, code: body.code, sentAt: new Date() });
        }
      }
      return response;
    },
  };
}
