import type { z } from 'zod';
import { orgkitConfigSchema } from '../../src/config/schema.js';
import { escapeCell, GENERATED_NOTICE } from './markdown.js';

// zod 4 keeps every schema's definition on `_zod.def`; reading it is how this page follows the
// schema `createOrgkit` actually validates with, rather than a copy of it.
interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  defaultValue?: unknown;
  options?: z.core.$ZodType[];
  values?: unknown[];
  element?: z.core.$ZodType;
  in?: z.core.$ZodType;
  format?: string;
  checks?: { _zod: { def: Check } }[];
  error?: (issue: object) => unknown;
}
interface Check {
  check: string;
  value?: number | bigint;
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

interface Row {
  path: string;
  type: string;
  defaultValue: string;
  rule: string;
}

const defOf = (schema: z.core.$ZodType): Def =>
  (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The configuration reference page: every `createOrgkit` option, its type, default and limits. */
export function renderConfigurationReference(): string {
  const rows: Row[] = [];
  collect(orgkitConfigSchema, '', rows, true);
  return `${[
    GENERATED_NOTICE,
    '# Configuration',
    '',
    'Every option of `createOrgkit(config)`, read from the zod schema it validates `config` with.',
    'A value outside these rules fails at `createOrgkit` with `invalid_config`, naming the key',
    '(`createOrgkit: cache.ttlMs: …`). What each option does is on the',
    '[`OrgkitConfig`](/api/orgkit/interfaces/OrgkitConfig) page of the API reference.',
    '',
    '| option | type | default | rule |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${escapeCell(row.type)} | ${escapeCell(row.defaultValue)} | ${escapeCell(row.rule)} |`,
    ),
    '',
  ].join('\n')}\n`;
}

function collect(schema: z.core.$ZodType, path: string, rows: Row[], required: boolean): void {
  let def = defOf(schema);
  let defaultValue: unknown;
  let optional = !required;
  while (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') {
    if (def.type !== 'optional') defaultValue = def.defaultValue;
    optional = true;
    def = defOf(def.innerType!);
  }
  if (path !== '') {
    rows.push({
      path,
      type: typeName(def),
      defaultValue: defaultValue === undefined ? (optional ? '' : 'required') : show(defaultValue),
      rule: rules(def),
    });
  }
  for (const shape of objectShapes(def)) {
    for (const [key, child] of Object.entries(shape)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (!rows.some((row) => row.path === childPath)) collect(child, childPath, rows, false);
    }
  }
}

// An object's keys, or those of each object a union allows (`redis: { url } | { client }`).
function objectShapes(def: Def): Record<string, z.core.$ZodType>[] {
  if (def.type === 'object') return [def.shape!];
  if (def.type === 'union') return def.options!.flatMap((option) => objectShapes(defOf(option)));
  return [];
}

function typeName(def: Def): string {
  switch (def.type) {
    case 'object':
      return 'object';
    case 'union':
      return [...new Set(def.options!.map((option) => typeName(defOf(option))))].join(' | ');
    case 'literal':
      return def.values!.map(show).join(' | ');
    case 'array':
      return `${typeName(defOf(def.element!))}[]`;
    case 'pipe':
      return typeName(defOf(def.in!));
    case 'custom':
      return String(def.error?.({}) ?? 'custom').replace(/^expected /, '');
    case 'number':
      return def.checks?.some((c) => c._zod.def.format === 'safeint') ? 'integer' : 'number';
    case 'string':
      return def.format === 'url' ? 'string (URL)' : 'string';
    default:
      return def.type;
  }
}

function rules(def: Def): string {
  const parts: string[] = [];
  for (const { _zod } of def.checks ?? []) {
    const check = _zod.def;
    if (check.check === 'greater_than') parts.push(`${check.inclusive ? '≥' : '>'} ${check.value}`);
    if (check.check === 'less_than') parts.push(`${check.inclusive ? '≤' : '<'} ${check.value}`);
    if (check.check === 'min_length') parts.push(`at least ${check.minimum}`);
    if (check.check === 'max_length') parts.push(`at most ${check.maximum}`);
    if (check.check === 'string_format' && check.pattern)
      parts.push(`matches \`${check.pattern.source}\``);
  }
  return parts.join(', ');
}

function show(value: unknown): string {
  if (typeof value === 'string') return `\`'${value}'\``;
  if (typeof value === 'number') return `\`${value.toLocaleString('en-US').replace(/,/g, '_')}\``;
  return `\`${JSON.stringify(value)}\``;
}
