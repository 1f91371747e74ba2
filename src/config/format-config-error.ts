interface ConfigIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: ConfigIssue[][];
}

// An option that is `false` or an object fails as a union ("Invalid input" at the option): the
// branch that got deepest into the value names the key that is wrong.
function deepestIssue(issue: ConfigIssue): ConfigIssue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const candidates = issue.errors
    .map((branch) => branch[0])
    .filter((i): i is ConfigIssue => i !== undefined)
    .map(deepestIssue);
  // On a tie, a branch that is not a bare literal (`false`, `'memory'`) says more.
  const rank = (i: ConfigIssue) => i.path.length * 2 + (i.code === 'invalid_value' ? 0 : 1);
  const deepest = candidates.reduce<ConfigIssue | undefined>(
    (a, b) => (!a || rank(b) > rank(a) ? b : a),
    undefined,
  );
  return deepest ? { ...deepest, path: [...issue.path, ...deepest.path] } : issue;
}

/** `<factory>: <key>: <problem>` for the first issue of a failed config parse. @internal */
export function formatConfigError(factory: string, error: { issues: ConfigIssue[] }): string {
  const issue = error.issues[0] && deepestIssue(error.issues[0]);
  const key = issue?.path.map(String).join('.') || '(root)';
  return `${factory}: ${key}: ${issue?.message ?? 'invalid option'}`;
}
