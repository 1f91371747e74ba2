import { routes } from '../routes.js';
import { html, raw, type SafeHtml } from './html.js';

/** Who is looking at the page, for the navigation. */
export interface Viewer {
  name: string;
  email: string;
  /** `expert`, `admin`, or `guest` (anyone else signed in). */
  kind: 'expert' | 'admin' | 'guest';
}

/** What every page passes to the layout. */
export interface PageContext {
  viewer?: Viewer | undefined;
  /** Show the dev inbox link (emulator mode only). */
  devInbox?: boolean | undefined;
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:0 1rem 3rem;color:#1b1b1b}
header{border-bottom:1px solid #ccc;margin-bottom:1.5rem}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;align-items:center}
a{color:#0645ad}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:2px}
label{display:block;font-weight:600;margin-top:1rem}
input,select,textarea{font:inherit;padding:.35rem;width:100%;max-width:28rem;box-sizing:border-box}
input[type=checkbox]{width:auto}
.hint{color:#555;font-size:.9rem;margin:.1rem 0}
.error{color:#b00020;font-weight:600;margin:.2rem 0}
[aria-invalid=true]{border:2px solid #b00020}
.errors{border:2px solid #b00020;padding:.5rem 1rem;margin:1rem 0}
.notice{border-left:4px solid #2e7d32;padding:.5rem 1rem;background:#f1f8f1}
button{font:inherit;padding:.4rem 1rem;margin-top:1rem;cursor:pointer}
button[disabled]{cursor:not-allowed}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
.ua{font-size:.75rem;min-width:12rem}
.done{color:#2e7d32}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}
`;

function nav(context: PageContext): SafeHtml {
  const v = context.viewer;
  return html`<nav aria-label="Main"><ul>
    <li><a href="${routes.home}">Harbor Clinic</a></li>
    <li><a href="${routes.book}">Book a meeting</a></li>
    ${v?.kind === 'expert' && html`<li><a href="${routes.dashboard}">Dashboard</a></li>`}
    ${v && html`<li><a href="${routes.meetings}">${v.kind === 'guest' ? 'My bookings' : 'Meetings'}</a></li>`}
    ${v?.kind === 'guest' && html`<li><a href="${routes.myAccess}">Who accessed my records</a></li>`}
    ${v?.kind === 'expert' && html`<li><a href="${routes.emergencyAccess}">Emergency access</a></li>`}
    ${v?.kind === 'admin' && html`<li><a href="${routes.admin}">Admin</a></li>`}
    ${v?.kind === 'admin' && html`<li><a href="${routes.emergencyReview}">Emergency reviews</a></li>`}
    ${context.devInbox && html`<li><a href="${routes.devInbox}">Dev inbox</a></li>`}
    ${
      v
        ? html`<li><form method="post" action="${routes.signOut}" style="margin:0">
            <span>Signed in as ${v.name}</span>
            <button type="submit" style="margin:0 0 0 .5rem">Sign out</button></form></li>`
        : html`<li><a href="${routes.signIn}">Expert sign-in</a></li>
            <li><a href="${routes.guestSignIn}">Guest sign-in</a></li>`
    }
  </ul></nav>`;
}

/** The page around `body`: skip link, navigation, one `<main>` with the `<h1>`. */
export function layout(title: string, body: SafeHtml, context: PageContext = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Harbor Clinic</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>${nav(context)}</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}
