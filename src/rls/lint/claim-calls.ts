import {
  enclosingGroups,
  isName,
  opensSubSelect,
  type Token,
  tokenize,
} from './expression-tokens.js';

/** A read of the request's claims in a policy expression. @internal */
export interface ClaimCall {
  /** As written: `auth.user_id()`, `current_setting('request.jwt.claims')`. */
  name: string;
  /** `hoisted`: inside a sub-select that reads no column of the row, so Postgres runs it once (InitPlan). */
  placement: 'hoisted' | 'unwrapped' | 'correlated';
  /** The call's text in the expression: `expression.slice(start, end)`. */
  start: number;
  end: number;
}

// Claim readers: every function of the `auth` schema (Neon's pg_session_jwt, Supabase), and
// `current_setting('request.jwt.claim…')` (PostgREST, orgkit's plain-Postgres target).
function claimCallAt(tokens: Token[], i: number): { name: string; open: number } | undefined {
  const [first, dot, second, open] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
  if (
    isName(first) &&
    first.text === 'auth' &&
    dot?.text === '.' &&
    isName(second) &&
    open?.text === '('
  ) {
    if (tokens[i - 1]?.text === '.') return undefined;
    return { name: `auth.${second.text}()`, open: i + 3 };
  }
  const argument = tokens[i + 2];
  if (
    first?.kind === 'ident' &&
    first.text.toLowerCase() === 'current_setting' &&
    tokens[i + 1]?.text === '(' &&
    argument?.kind === 'string' &&
    argument.text.startsWith('request.jwt.claim')
  ) {
    return { name: `current_setting('${argument.text}')`, open: i + 1 };
  }
  return undefined;
}

/**
 * The claim reads in a deparsed policy expression (`pg_get_expr` with an empty search path, so
 * every function is schema-qualified) and where each sits: only `(SELECT auth.user_id()) = col`
 * is evaluated once; `auth.user_id() = col` runs per row, and `(SELECT auth.user_id() = t.col)`
 * is a correlated SubPlan, also per row (Neon's `authUid` shape). `table` is the policy's
 * relation name, which the deparser uses for the row's columns inside a sub-select.
 * @internal
 */
export function findClaimCalls(expression: string, table: string): ClaimCall[] {
  const tokens = tokenize(expression);
  const calls: ClaimCall[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const call = claimCallAt(tokens, i);
    if (!call) continue;
    const subSelect = enclosingGroups(tokens, i).find((open) => opensSubSelect(tokens, open));
    const placement =
      subSelect === undefined
        ? 'unwrapped'
        : readsRow(tokens, subSelect, table)
          ? 'correlated'
          : 'hoisted';
    const close = tokens[tokens[call.open]!.match ?? tokens.length - 1]!;
    calls.push({ name: call.name, placement, start: tokens[i]!.start, end: close.end });
  }
  return calls;
}

// A `table.column` reference inside the sub-select makes it correlated with the row.
function readsRow(tokens: Token[], open: number, table: string): boolean {
  const close = tokens[open]!.match ?? tokens.length;
  for (let i = open + 1; i < close; i++) {
    const token = tokens[i]!;
    if (
      isName(token) &&
      token.text === table &&
      tokens[i + 1]?.text === '.' &&
      tokens[i - 1]?.text !== '.'
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The expression with each unwrapped claim read put in its own sub-select, so Postgres runs it
 * once: `(auth.user_id() = user_id)` → `((SELECT auth.user_id()) = user_id)`. Correlated
 * sub-selects need a person to rewrite them and are left as they are.
 * @internal
 */
export function wrapClaimCalls(expression: string, table: string): string {
  const unwrapped = findClaimCalls(expression, table).filter(
    (call, _, all) =>
      call.placement === 'unwrapped' &&
      !all.some((outer) => outer !== call && outer.start <= call.start && call.end <= outer.end),
  );
  let wrapped = expression;
  for (const call of unwrapped.reverse()) {
    const text = wrapped.slice(call.start, call.end);
    wrapped = `${wrapped.slice(0, call.start)}(SELECT ${text})${wrapped.slice(call.end)}`;
  }
  return wrapped;
}
