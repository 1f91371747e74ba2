import { OrgkitError } from '../errors/index.js';

/**
 * Imports an optional peer dependency, or throws `missing_dependency` saying which package to
 * install and what for. The specifier is a variable, so bundlers are told not to resolve it
 * (Turbopack and webpack otherwise refuse a dynamic `import(name)`); Node resolves it at run time.
 * @internal
 */
export async function importPeer<T>(name: string, what: string): Promise<T> {
  try {
    return (await import(
      /* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ name
    )) as T;
  } catch (cause) {
    throw new OrgkitError(
      'missing_dependency',
      `install "${name}" to use ${what}: npm install ${name}`,
      {
        cause,
      },
    );
  }
}
