import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DefaultTheme } from 'vitepress';
import { withMermaid } from 'vitepress-plugin-mermaid';

// Written by TypeDoc (npm run docs:api) from the TSDoc of the public entry points.
const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8'))
  : [];

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Getting started',
    items: [
      { text: 'Overview', link: '/getting-started/' },
      { text: 'Next.js', link: '/getting-started/nextjs' },
      { text: 'Express', link: '/getting-started/express' },
      { text: 'Hono on Node', link: '/getting-started/hono' },
      { text: 'Cloudflare Workers', link: '/getting-started/workers' },
      { text: 'Bun', link: '/getting-started/bun' },
      { text: 'Deno', link: '/getting-started/deno' },
    ],
  },
  {
    text: 'Concepts',
    items: [
      { text: 'A request through orgkit', link: '/concepts/request-flow' },
      { text: 'Sessions', link: '/concepts/sessions' },
      { text: 'Hybrid roles: what is trusted when', link: '/concepts/hybrid-roles' },
      { text: 'The request scope', link: '/concepts/request-scope' },
      { text: 'The WorkOS mirror', link: '/concepts/mirror' },
      { text: 'The RLS model', link: '/concepts/rls-model' },
      { text: 'The audit chain', link: '/concepts/audit-chain' },
    ],
  },
  {
    text: 'Guides',
    items: [
      { text: 'Roles and permissions', link: '/guides/roles-and-permissions' },
      { text: 'Preferences and onboarding', link: '/guides/preferences-and-onboarding' },
      { text: 'Guest provisioning', link: '/guides/guest-provisioning' },
      { text: 'Audit logging and reports', link: '/guides/audit-logging' },
      { text: 'Health-care access accounting', link: '/guides/access-accounting' },
      { text: 'RLS with Supabase, Neon, drizzle-kit', link: '/guides/rls' },
      { text: 'Sign-in, magic auth, organizations', link: '/guides/sign-in' },
      { text: 'Migrating from Clerk', link: '/guides/migrating-from-clerk' },
      { text: 'Testing your app', link: '/guides/testing' },
      { text: 'Deployment', link: '/guides/deployment' },
      { text: 'Observability (OpenTelemetry)', link: '/guides/observability' },
      { text: 'Security', link: '/security' },
    ],
  },
  {
    text: 'Reference',
    items: [
      { text: 'Command line', link: '/reference/cli' },
      { text: 'Configuration', link: '/reference/configuration' },
      { text: 'Errors', link: '/reference/errors' },
      { text: 'Audit actions', link: '/reference/audit-actions' },
      { text: 'API', link: '/api/' },
    ],
  },
  {
    text: 'Project',
    items: [
      { text: 'Contributing and tests', link: '/contributing' },
      { text: 'Design decisions', link: '/decisions' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
  },
];

export default withMermaid({
  title: 'orgkit',
  description:
    'WorkOS sessions, hybrid roles and permissions, and Postgres data for multi-tenant apps',
  cleanUrls: true,
  lastUpdated: false,
  // A broken internal link fails `npm run docs:build` (VitePress's default, kept on purpose).
  ignoreDeadLinks: false,
  srcExclude: ['**/README.md'],
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/getting-started/' },
      { text: 'Concepts', link: '/concepts/request-flow' },
      { text: 'Guides', link: '/guides/roles-and-permissions' },
      { text: 'CLI', link: '/reference/cli' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/' }, ...apiSidebar],
      '/': guide,
    },
    search: { provider: 'local' },
    outline: [2, 3],
  },
  mermaid: {},
});
