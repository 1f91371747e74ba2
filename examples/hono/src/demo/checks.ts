/** A demo step that did not behave: its message is printed after the ✗. */
export class StepFailed extends Error {}

/** Fails the step with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailed(message);
}

/** The first capture of `pattern` in `text`, or a failed step. */
export function extract(text: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(text)?.[1];
  check(found, `could not find ${what} on the page`);
  return found;
}

/** One demo step: prints ✓ with its detail, or ✗ with why, and says whether it passed. */
export async function step(
  out: (line: string) => void,
  label: string,
  run: () => Promise<string | undefined>,
): Promise<boolean> {
  try {
    const detail = await run();
    out(`  ✓ ${label}${detail ? `\n      ${detail}` : ''}`);
    return true;
  } catch (error) {
    const why = error instanceof StepFailed ? error.message : `unexpected error: ${String(error)}`;
    out(`  ✗ ${label}\n      ${why}`);
    return false;
  }
}
