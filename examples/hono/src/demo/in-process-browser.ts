/** What the in-process browser got for a request, after following redirects. */
export interface Page {
  status: number;
  /** The URL of the last response (after redirects). */
  url: string;
  text: string;
}

/** Anything with Hono's `request(input, init, env)`. */
interface RequestHandler {
  request(input: string, init: RequestInit, env: unknown): Response | Promise<Response>;
}

/** Options of {@link createInProcessBrowser}. */
export interface InProcessBrowserOptions {
  /** The app's own origin; other origins (the WorkOS emulator) are fetched over HTTP. */
  baseUrl: string;
  userAgent: string;
  /** The client address, passed as @hono/node-server passes the socket's. */
  remoteAddress: string;
}

/**
 * A small browser for the demo: a cookie jar, form posts with the headers a browser sends
 * (`Origin`, `Sec-Fetch-Site`), and redirects followed. Requests to the app go straight to
 * `app.request` (no server, no port); redirects elsewhere, to the WorkOS emulator's AuthKit
 * endpoint, are fetched.
 */
export function createInProcessBrowser(app: RequestHandler, options: InProcessBrowserOptions) {
  const origin = new URL(options.baseUrl).origin;
  const jar = new Map<string, string>();
  const env = { incoming: { socket: { remoteAddress: options.remoteAddress } } };

  function store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    if (new URL(url).origin !== origin) return fetch(url, { ...init, redirect: 'manual' });
    const headers = new Headers(init.headers);
    headers.set('user-agent', options.userAgent);
    headers.set('accept', 'text/html');
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await app.request(url, { ...init, headers }, env);
    store(response);
    return response;
  }

  async function navigate(url: string, init: RequestInit): Promise<Page> {
    let response = await send(url, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const location = response.headers.get('location');
      if (!location) break;
      url = new URL(location, url).href;
      response = await send(url, { method: 'GET' });
    }
    return { status: response.status, url, text: await response.text() };
  }

  return {
    get: (path: string) => navigate(new URL(path, origin).href, { method: 'GET' }),
    /** Submits a form as a browser does: urlencoded, same-origin. */
    post: (path: string, fields: Record<string, string>) =>
      navigate(new URL(path, origin).href, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams(fields).toString(),
      }),
    cookie: (name: string) => jar.get(name),
  };
}

/** The browser type. */
export type InProcessBrowser = ReturnType<typeof createInProcessBrowser>;
