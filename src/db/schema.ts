// The default tables, for drizzle-kit and for apps that import them into their schema.
import { createOrgkitTables } from './tables.js';

const tables = createOrgkitTables();

export const users = tables.users;
export const organizations = tables.organizations;
export const userOrgMemberships = tables.userOrgMemberships;
export const expertSetup = tables.expertSetup;
export const userPreferences = tables.userPreferences;
export const auditLogs = tables.auditLogs;
export const syncCursors = tables.syncCursors;
export const guestProvisioning = tables.guestProvisioning;
export const mirrorTombstones = tables.mirrorTombstones;
export const auditHeads = tables.auditHeads;
export const auditCheckpoints = tables.auditCheckpoints;
export const auditOutbox = tables.auditOutbox;
export const tokenRevocations = tables.tokenRevocations;
export const sessionRefreshes = tables.sessionRefreshes;
export const clerkProfiles = tables.clerkProfiles;
export const emergencyAccess = tables.emergencyAccess;
