import type { WorkOS } from '@workos-inc/node';
import type { ClinicOrgkit } from './orgkit.js';

/** One seeded person. */
export interface Person {
  email: string;
  firstName: string;
  lastName: string;
  workosUserId: string;
  organizationId: string;
}

/** Who the emulator starts with. */
export interface ClinicPeople {
  harborClinic: { id: string; name: string };
  otherClinic: { id: string; name: string };
  /** Dr. Ada: an expert of Harbor Clinic (app role `expert`, organization role `member`). */
  expert: Person;
  /** Grace: an admin of Harbor Clinic (app role `admin`, organization role `admin`). */
  admin: Person;
  /** Sam: an expert of Northwind Physio, another organization; must see nothing of Harbor's. */
  outsider: Person;
  /**
   * Dr. Kofi: an on-call expert of Harbor Clinic (organization role `on-call`, without
   * `meetings:read`), who reads a patient's meetings only after breaking the glass.
   */
  onCall: Person;
}

const SEED = {
  expert: { email: 'ada@harbor-clinic.example', firstName: 'Ada', lastName: 'Lovelace' },
  admin: { email: 'grace@harbor-clinic.example', firstName: 'Grace', lastName: 'Hopper' },
  outsider: { email: 'sam@northwind-physio.example', firstName: 'Sam', lastName: 'Okafor' },
  onCall: { email: 'kofi@harbor-clinic.example', firstName: 'Kofi', lastName: 'Mensah' },
} as const;

/**
 * Creates the clinic's people in WorkOS (the emulator), mirrors them into Postgres
 * (`orgkit.reconcileWorkOSMirror`), and stores their app roles (`orgkit.setUserRole`).
 * Emulator mode only: with real WorkOS, the people are whoever you invited.
 */
export async function seedPeople(workos: WorkOS, orgkit: ClinicOrgkit): Promise<ClinicPeople> {
  const um = workos.userManagement;
  const harbor = await workos.organizations.createOrganization({ name: 'Harbor Clinic' });
  const northwind = await workos.organizations.createOrganization({ name: 'Northwind Physio' });
  const person = async (
    who: keyof typeof SEED,
    organizationId: string,
    roleSlug: 'admin' | 'member' | 'on-call',
  ): Promise<Person> => {
    const user = await um.createUser({ ...SEED[who], emailVerified: true });
    await um.createOrganizationMembership({ userId: user.id, organizationId, roleSlug });
    return { ...SEED[who], workosUserId: user.id, organizationId };
  };
  const expert = await person('expert', harbor.id, 'member');
  const admin = await person('admin', harbor.id, 'admin');
  const outsider = await person('outsider', northwind.id, 'member');
  const onCall = await person('onCall', harbor.id, 'on-call');
  // The list endpoints, not the Events API: with a database kept across restarts (a PGlite
  // data directory, Postgres), this also removes the people a previous emulator had.
  await orgkit.reconcileWorkOSMirror();
  const actor = { actor: { system: 'clinic-seed' } };
  await orgkit.setUserRole(expert.workosUserId, 'expert', actor);
  await orgkit.setUserRole(admin.workosUserId, 'admin', actor);
  await orgkit.setUserRole(outsider.workosUserId, 'expert', actor);
  await orgkit.setUserRole(onCall.workosUserId, 'expert', actor);
  return {
    harborClinic: { id: harbor.id, name: harbor.name },
    otherClinic: { id: northwind.id, name: northwind.name },
    expert,
    admin,
    outsider,
    onCall,
  };
}
