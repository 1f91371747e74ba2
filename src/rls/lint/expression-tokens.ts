/** A token of a deparsed policy expression (`pg_get_expr` output). @internal */
export interface Token {
  kind: 'ident' | 'quoted' | 'string' | 'number' | 'operator' | 'punct';
  /** Identifiers unquoted (`"Weird Col"` → `Weird Col`), strings without their quotes. */
  text: string;
  /** Where it sits in the expression: `expression.slice(start, end)` is the token as written. */
  start: number;
  end: number;
  /** Index of the matching `)` for a `(`, of the matching `(` for a `)`. */
  match?: number;
}

const PATTERN =
  /\s+|(?<string>[Ee]?'(?:[^']|'')*')|(?<quoted>"(?:[^"]|"")*")|(?<ident>[A-Za-z_][A-Za-z0-9_$]*)|(?<number>\d+(?:\.\d+)?)|(?<cast>::)|(?<punct>[(),.[\]])|(?<operator>[+\-*/<>=~!@#%^&|`?]+)|(?<other>.)/gy;

/** Splits a deparsed expression into tokens and pairs its parentheses. @internal */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const open: number[] = [];
  for (const match of expression.matchAll(PATTERN)) {
    const groups = match.groups ?? {};
    const text = match[0];
    const at = { start: match.index, end: match.index + text.length };
    if (groups.string)
      tokens.push({ kind: 'string', text: unquote(text.replace(/^[Ee]/, ''), "'"), ...at });
    else if (groups.quoted) tokens.push({ kind: 'quoted', text: unquote(text, '"'), ...at });
    else if (groups.ident) tokens.push({ kind: 'ident', text, ...at });
    else if (groups.number) tokens.push({ kind: 'number', text, ...at });
    else if (groups.punct || groups.cast || groups.other)
      tokens.push({ kind: 'punct', text, ...at });
    else if (groups.operator) tokens.push({ kind: 'operator', text, ...at });
    const index = tokens.length - 1;
    if (text === '(') open.push(index);
    if (text === ')') {
      const start = open.pop();
      if (start !== undefined) {
        tokens[start]!.match = index;
        tokens[index]!.match = start;
      }
    }
  }
  return tokens;
}

function unquote(text: string, quote: string): string {
  return text.slice(1, -1).replaceAll(quote + quote, quote);
}

/** A name token, quoted or not. @internal */
export function isName(token: Token | undefined): token is Token {
  return token?.kind === 'ident' || token?.kind === 'quoted';
}

/** `true` when `token` is the keyword `word` (case-insensitive, never a quoted identifier). @internal */
export function isKeyword(token: Token | undefined, word: string): boolean {
  return token?.kind === 'ident' && token.text.toUpperCase() === word;
}

/** The `(` opening each parenthesised group around `index`, innermost first. @internal */
export function enclosingGroups(tokens: Token[], index: number): number[] {
  const groups: number[] = [];
  let depth = 0;
  for (let i = index - 1; i >= 0; i--) {
    const text = tokens[i]!.kind === 'punct' ? tokens[i]!.text : '';
    if (text === ')') depth++;
    else if (text === '(' && depth > 0) depth--;
    else if (text === '(') groups.push(i);
  }
  return groups;
}

/** `true` for a `(` that opens a sub-select: `( SELECT …)`. @internal */
export function opensSubSelect(tokens: Token[], open: number): boolean {
  return isKeyword(tokens[open + 1], 'SELECT');
}
