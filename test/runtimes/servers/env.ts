/** What the Node test hands every runtime server (through environment variables or Worker vars). */
export interface RuntimeServerEnv {
  RUNTIME_DATABASE_URL: string;
  RUNTIME_SCHEMA: string;
  RUNTIME_JWKS_URL: string;
  RUNTIME_ISSUER: string;
  /** `'1'`: the app is built on `createOrgkitCore`. */
  RUNTIME_CORE?: string;
}

export const appConfigOf = (env: RuntimeServerEnv) => ({
  databaseUrl: env.RUNTIME_DATABASE_URL,
  schema: env.RUNTIME_SCHEMA,
  jwksUrl: env.RUNTIME_JWKS_URL,
  issuer: env.RUNTIME_ISSUER,
  core: env.RUNTIME_CORE === '1',
});
