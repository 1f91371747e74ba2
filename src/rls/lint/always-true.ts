import { isKeyword, type Token, tokenize } from './expression-tokens.js';

// Splits tokens[start, end) at a keyword outside any parentheses.
function splitAt(tokens: Token[], start: number, end: number, word: string): [number, number][] {
  const parts: [number, number][] = [];
  let from = start;
  for (let i = start; i < end; i++) {
    const token = tokens[i]!;
    if (token.text === '(' && token.match !== undefined) i = token.match;
    else if (isKeyword(token, word)) {
      parts.push([from, i]);
      from = i + 1;
    }
  }
  parts.push([from, end]);
  return parts;
}

function holds(tokens: Token[], start: number, end: number): boolean {
  // Drop parentheses around the whole range: `((true))`.
  while (tokens[start]?.text === '(' && tokens[start]!.match === end - 1) {
    start++;
    end--;
  }
  if (end - start === 1) return isKeyword(tokens[start], 'TRUE');
  const disjuncts = splitAt(tokens, start, end, 'OR');
  if (disjuncts.length > 1) return disjuncts.some(([from, to]) => holds(tokens, from, to));
  const conjuncts = splitAt(tokens, start, end, 'AND');
  return conjuncts.length > 1 && conjuncts.every(([from, to]) => holds(tokens, from, to));
}

/**
 * `true` when a deparsed policy expression admits every row whatever the claims: `true`, or a
 * disjunction with a `true` branch (`… OR true`), which Postgres stores without folding.
 * @internal
 */
export function isAlwaysTrue(expression: string | null): boolean {
  if (expression === null) return false;
  const tokens = tokenize(expression);
  return holds(tokens, 0, tokens.length);
}
