// Span, metric and attribute names in one place. Attribute keys follow the OpenTelemetry
// semantic conventions where one exists (`user.id`, `error.type`, `db.system.name`,
// `http.response.status_code`, `client.address`); orgkit's own are under `orgkit.`.

/** @internal */
export const SPAN = {
  verify: 'orgkit.session.verify',
  jwksFetch: 'orgkit.session.jwks_fetch',
  accessResolve: 'orgkit.access.resolve',
  rolesQuery: 'orgkit.roles.query',
  guard: 'orgkit.guard',
  rls: 'orgkit.rls.transaction',
  auditWrite: 'orgkit.audit.write',
  auditVerify: 'orgkit.audit.verify',
  outboxDrain: 'orgkit.audit.forward',
  workosCall: 'orgkit.workos.call',
  guestProvision: 'orgkit.guests.provision',
  webhook: 'orgkit.sync.webhook',
  eventsSync: 'orgkit.sync.events',
  eventsPage: 'orgkit.sync.events_page',
  reconcile: 'orgkit.sync.reconcile',
  preferencesRead: 'orgkit.preferences.read',
  preferencesWrite: 'orgkit.preferences.write',
  setupRead: 'orgkit.expert_setup.read',
  setupWrite: 'orgkit.expert_setup.write',
  signIn: 'orgkit.session.sign_in',
  refresh: 'orgkit.session.refresh',
  migrationStep: 'orgkit.migrate.step',
} as const;

/** @internal */
export const ATTR = {
  userId: 'user.id',
  organizationId: 'orgkit.organization.id',
  cacheHit: 'orgkit.cache.hit',
  decision: 'orgkit.decision',
  reason: 'orgkit.decision.reason',
  errorType: 'error.type',
  errorReason: 'orgkit.error.reason',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  httpStatus: 'http.response.status_code',
  clientAddress: 'client.address',
  operation: 'orgkit.workos.operation',
  attempt: 'orgkit.workos.attempt',
  retryDelayMs: 'orgkit.retry.delay_ms',
  auditAction: 'orgkit.audit.action',
  auditEvents: 'orgkit.audit.events',
  result: 'orgkit.result',
  event: 'orgkit.sync.event',
  applied: 'orgkit.sync.applied',
  outcome: 'orgkit.outcome',
  step: 'orgkit.step',
} as const;

/** @internal */
export const METRIC = {
  decisions: 'orgkit.access.decisions',
  signIns: 'orgkit.session.sign_ins',
  refreshes: 'orgkit.session.refreshes',
  guestProvisionings: 'orgkit.guests.provisionings',
  workosCalls: 'orgkit.workos.calls',
  auditEvents: 'orgkit.audit.events_written',
  jwksFetches: 'orgkit.session.jwks_fetches',
  verifyDuration: 'orgkit.session.verify.duration',
  accessDuration: 'orgkit.access.resolve.duration',
  auditWriteDuration: 'orgkit.audit.write.duration',
  outboxDepth: 'orgkit.audit.outbox.depth',
  outboxOldestAge: 'orgkit.audit.outbox.oldest_age',
  mirrorLag: 'orgkit.sync.lag',
} as const;

/** The counters orgkit keeps. @internal */
export type CounterName =
  | typeof METRIC.decisions
  | typeof METRIC.signIns
  | typeof METRIC.refreshes
  | typeof METRIC.guestProvisionings
  | typeof METRIC.workosCalls
  | typeof METRIC.auditEvents
  | typeof METRIC.jwksFetches;

/** The latency histograms orgkit keeps (seconds). @internal */
export type HistogramName =
  | typeof METRIC.verifyDuration
  | typeof METRIC.accessDuration
  | typeof METRIC.auditWriteDuration;

/** The values orgkit reports as they stand when it last looked (gauges). @internal */
export type GaugeName =
  | typeof METRIC.outboxDepth
  | typeof METRIC.outboxOldestAge
  | typeof METRIC.mirrorLag;
