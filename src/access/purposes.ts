/**
 * HL7 v3 PurposeOfUse codes (the ActReason subset FHIR's AuditEvent carries in `purposeOfUse`):
 * why a record was read or disclosed. Apps add their own codes with `access.purposes`.
 */
export const HL7_PURPOSES_OF_USE = {
  /** Treatment. */
  TREAT: 'treatment',
  /** Emergency treatment (break the glass). */
  ETREAT: 'emergency treatment',
  /** Coverage under a policy or program. */
  COVERAGE: 'coverage under policy or program',
  /** Healthcare payment. */
  HPAYMT: 'healthcare payment',
  /** Healthcare operations. */
  HOPERAT: 'healthcare operations',
  /** Care management. */
  CAREMGT: 'care management',
  /** Clinical trial. */
  CLINTRCH: 'clinical trial research',
  /** Healthcare research. */
  HRESCH: 'healthcare research',
  /** Legal. */
  HLEGAL: 'legal',
  /** Public health. */
  PUBHLTH: 'public health',
  /** Disaster. */
  DISASTER: 'disaster',
  /** Patient requested (the patient reads or sends their own record). */
  PATRQT: 'patient requested',
  /** Family requested. */
  FAMRQT: 'family requested',
  /** Power of attorney. */
  PWATRNY: 'power of attorney',
  /** Support network. */
  SUPNWK: 'support network',
  /** Labor relations. */
  LABOR: 'labor relations',
  /** Law enforcement. */
  LAW: 'law enforcement',
  /** Health system management (audit, compliance, quality). */
  HSYSADMIN: 'health system administration',
  /** Health accreditation. */
  HACCRED: 'health accreditation',
  /** Health compliance. */
  HCOMPL: 'health compliance',
  /** Fraud detection and investigation. */
  HFRAUD: 'fraud',
  /** Healthcare quality improvement. */
  HQUALIMP: 'healthcare quality improvement',
  /** Record management. */
  RECORDMGT: 'records management',
} as const;

/** An HL7 PurposeOfUse code. */
export type Hl7PurposeOfUse = keyof typeof HL7_PURPOSES_OF_USE;

/**
 * A purpose of use: an HL7 code (suggested by editors) or one the app declared in
 * `access.purposes`; run-time checks accept only those.
 */
export type PurposeOfUse = Hl7PurposeOfUse | (string & {});

/** Purpose codes: upper-case letters, digits and `_ . -`, starting with a letter. */
export const PURPOSE_PATTERN = /^[A-Z][A-Z0-9_.-]{0,63}$/;
