export { createExpertSetup } from './create-expert-setup.js';
export type { DefaultExpertSetupStep } from './default-steps.js';
export { DEFAULT_EXPERT_SETUP_STEPS, DEFAULT_RESET_PERMISSION } from './default-steps.js';
export type {
  ExpertSetupApi,
  ExpertSetupDeps,
  ExpertSetupStatus,
  IncompleteExpert,
  IncompleteExpertsOptions,
  IncompleteExpertsPage,
  SetupScopeOptions,
  SetupStats,
} from './types.js';
