import {
  enclosingGroups,
  isKeyword,
  isName,
  opensSubSelect,
  type Token,
  tokenize,
} from './expression-tokens.js';

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

function isComparison(token: Token | undefined): boolean {
  return (token?.kind === 'operator' && COMPARISONS.has(token.text)) || isKeyword(token, 'IN');
}

// The operator after a column, past closing parentheses and casts: `(user_id)::text = …`.
function tokenAfter(tokens: Token[], index: number): Token | undefined {
  let i = index + 1;
  for (;;) {
    const token = tokens[i];
    if (token?.text === ')') i++;
    else if (token?.text === '::') {
      i++;
      while (
        isName(tokens[i]) ||
        tokens[i]?.text === '.' ||
        tokens[i]?.text === '[' ||
        tokens[i]?.text === ']'
      )
        i++;
    } else return token;
  }
}

function tokenBefore(tokens: Token[], index: number): Token | undefined {
  let i = index - 1;
  while (tokens[i]?.text === '(') i--;
  return tokens[i];
}

/**
 * The row's columns a deparsed policy expression compares (`org_id = …`, `… = user_id`,
 * `org_id IN (…)`, `org_id = ANY (…)`), outside sub-selects. The deparser prints the row's
 * columns bare at the top level, so a bare name among `columns` is one of them.
 * @internal
 */
export function findComparedColumns(expression: string, columns: readonly string[]): string[] {
  const tokens = tokenize(expression);
  const known = new Set(columns);
  const compared = new Set<string>();
  tokens.forEach((token, i) => {
    if (!isName(token) || !known.has(token.text)) return;
    if (tokens[i - 1]?.text === '.' || tokens[i + 1]?.text === '.' || tokens[i + 1]?.text === '(')
      return;
    if (enclosingGroups(tokens, i).some((open) => opensSubSelect(tokens, open))) return;
    if (isComparison(tokenBefore(tokens, i)) || isComparison(tokenAfter(tokens, i))) {
      compared.add(token.text);
    }
  });
  return [...compared];
}
