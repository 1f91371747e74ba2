import { describe, expectTypeOf, it } from 'vitest';
import type { DefaultExpertSetupStep, ExpertSetupStatus } from '../../src/expert-setup/index.js';
import { createExpertSetup } from '../../src/expert-setup/index.js';

declare const deps: Omit<Parameters<typeof createExpertSetup>[0], 'steps'>;

describe('expert setup types follow the configured steps', () => {
  it('types the seed steps by default', () => {
    const setup = createExpertSetup(deps);
    expectTypeOf(setup.checkExpertSetupStatus).returns.resolves.toEqualTypeOf<
      ExpertSetupStatus<DefaultExpertSetupStep>
    >();
    // @ts-expect-error: not a seed step
    void setup.markStepComplete('tax_form');
  });

  it("types an app's own steps", () => {
    const setup = createExpertSetup({ ...deps, steps: ['profile', 'tax_form'] });
    void setup.markStepComplete('tax_form');
    expectTypeOf<
      Awaited<ReturnType<typeof setup.checkExpertSetupStatus>>['setupStatus']
    >().toEqualTypeOf<Record<'profile' | 'tax_form', boolean>>();
    // @ts-expect-error: not configured
    void setup.markStepComplete('payment');
  });
});
