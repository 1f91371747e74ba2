export { createAccess } from './create-access.js';
export type { AccessDeps } from './deps.js';
export { accessOptionsSchema, createAccessPolicy } from './policy.js';
export { HL7_PURPOSES_OF_USE, type Hl7PurposeOfUse, type PurposeOfUse } from './purposes.js';
export type {
  AccessApi,
  AccessOptions,
  AccessRecordResult,
  AccessReportEntry,
  AccessReportQuery,
  AccessResourceTypeOptions,
  BreakGlassInput,
  EmergencyAccessGrant,
  EmergencyAccessListOptions,
  EmergencyAccessOutcome,
  RecordAccessOptions,
  RecordDisclosureOptions,
} from './types.js';
