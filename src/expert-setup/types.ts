import type { AuditRecorder } from '../audit/recorder.js';
import type {
  AuthorizeUserAction,
  RequestScopeStore,
  UserActionOptions,
} from '../context/index.js';
import type { OrgkitDatabase } from '../db/database.js';
import type { OrgkitTables } from '../db/tables.js';

/** Where an expert is in onboarding. */
export interface ExpertSetupStatus<S extends string> {
  /** Every configured step, `true` once completed. */
  setupStatus: Record<S, boolean>;
  isSetupComplete: boolean;
  /** When the last step was completed; `null` until then. */
  completedAt: Date | null;
}

/** One row of {@link ExpertSetupApi.getIncompleteExperts}. */
export interface IncompleteExpert<S extends string> {
  userId: string;
  organizationId: string | null;
  setupStatus: Record<S, boolean>;
  createdAt: Date;
}

/** A page of incomplete experts; pass `nextCursor` back for the next page. */
export interface IncompleteExpertsPage<S extends string> {
  experts: IncompleteExpert<S>[];
  /** `null` on the last page. */
  nextCursor: string | null;
}

/** Options of {@link ExpertSetupApi.getIncompleteExperts}. */
export interface IncompleteExpertsOptions extends SetupScopeOptions {
  /** 1–100. @default 50 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** Narrows the expert lists and numbers to one organization. */
export interface SetupScopeOptions {
  /**
   * Only experts whose setup belongs to this WorkOS organization: what an organization's admin
   * page shows. Omitted: every organization (a platform operator's view).
   */
  organizationId?: string;
}

/** Onboarding numbers for an admin dashboard. */
export interface SetupStats {
  total: number;
  complete: number;
  incomplete: number;
  /** Percent complete, 0–100; 0 when there are no experts. */
  completionRate: number;
}

/** What {@link createExpertSetup} needs. @internal */
export interface ExpertSetupDeps<S extends string> {
  db: OrgkitDatabase;
  tables: OrgkitTables;
  scope: RequestScopeStore;
  /** The onboarding steps, in display order. @default DEFAULT_EXPERT_SETUP_STEPS */
  steps?: readonly S[];
  /** The core's permission check (roles' `hasPermission`). */
  hasPermission(userId: string, permission: string): Promise<boolean>;
  /** The permission `resetSetup` requires of the caller. @default 'experts:manage' */
  resetPermission?: string;
  /**
   * Records `expert_setup.reset` in the reset's transaction. `createOrgkit` always passes it;
   * without it (a capability built alone, as in benchmarks) nothing is recorded.
   */
  recordAudit?: AuditRecorder | undefined;
  /**
   * Who may act on which user (`createOrgkit` passes its configured one). @default the rule
   * with `hasPermission` and the default manage permission
   */
  authorizeUser?: AuthorizeUserAction | undefined;
}

/** Expert onboarding tracking (seed 3.3); `S` is the configured steps. */
export interface ExpertSetupApi<S extends string> {
  /**
   * The expert's progress; creates the record on first call. Without `userId`, the session user.
   * Another user's needs the manage permission (`users.managePermission`); outside a request,
   * `{ actor: { system: 'job-name' } }`.
   */
  checkExpertSetupStatus(
    userId?: string,
    options?: UserActionOptions,
  ): Promise<ExpertSetupStatus<S>>;
  /**
   * Marks one step done (atomic, idempotent); completing the last step completes the setup.
   * Authorized as {@link ExpertSetupApi.checkExpertSetupStatus}.
   */
  markStepComplete(
    step: S,
    userId?: string,
    options?: UserActionOptions,
  ): Promise<ExpertSetupStatus<S>>;
  /**
   * Clears every step. Inside a request the session user must hold the reset permission (also
   * for their own setup); outside one, `{ actor: { system: 'job-name' } }` is required.
   */
  resetSetup(userId: string, options?: UserActionOptions): Promise<ExpertSetupStatus<S>>;
  /** Experts who have not finished, a page at a time (index-backed), of one organization or all. */
  getIncompleteExperts(options?: IncompleteExpertsOptions): Promise<IncompleteExpertsPage<S>>;
  /** Onboarding numbers of one organization's experts (`organizationId`), or of all. */
  getSetupStats(options?: SetupScopeOptions): Promise<SetupStats>;
}
