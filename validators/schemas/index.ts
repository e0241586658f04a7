// JSON Schemas (draft 2020-12) of the archive's documents: transfer manifest, dossier and
// document metadata (p.211–216), internal inventory (App. 32), AIP manifest. Every problem
// names its JSON pointer and says what is wrong in Kazakh, Russian and English.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ValidationError } from '../../common/errors';
import { t, LANGUAGES, type Language } from '../../common/i18n';

export type * from './types';
export { controlCharacteristicOf, verifyControlChain } from './control';

export type SchemaName = 'transfer-manifest' | 'dossier-metadata' | 'document-metadata' | 'internal-inventory' | 'aip-manifest';
export const SCHEMA_NAMES: readonly SchemaName[] = [
  'transfer-manifest',
  'dossier-metadata',
  'document-metadata',
  'internal-inventory',
  'aip-manifest',
];

export interface SchemaProblem {
  /** JSON pointer (RFC 6901) of the offending value; `''` is the whole document. */
  pointer: string;
  keyword: string;
  message: Record<Language, string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The schema documents as stored on disk (also served to clients for their own checks). */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(here, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

const schemas = Object.fromEntries(SCHEMA_NAMES.map((n) => [n, loadSchema(n)])) as Record<SchemaName, Record<string, unknown>>;

export const SCHEMA_IDS: Record<SchemaName, string> = Object.fromEntries(
  SCHEMA_NAMES.map((n) => [n, schemas[n].$id as string]),
) as Record<SchemaName, string>;

// strict: unknown keywords in our own schemas are bugs. allErrors: report everything at once,
// a clerk fixing a manifest should not have to resubmit once per mistake.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, coerceTypes: false, useDefaults: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
for (const n of SCHEMA_NAMES) ajv.addSchema(schemas[n]);

const compiled = new Map<SchemaName, ValidateFunction>();
function validatorFor(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    fn = ajv.getSchema(SCHEMA_IDS[name]);
    if (!fn) throw new Error(`schema ${name} is not registered`);
    compiled.set(name, fn);
  }
  return fn;
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function display(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => display(v)).join(', ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const KNOWN_KEYWORDS = new Set([
  'additionalProperties', 'anyOf', 'const', 'contains', 'dependentRequired', 'enum', 'exclusiveMaximum',
  'exclusiveMinimum', 'format', 'maxItems', 'maxLength', 'maxProperties', 'maximum', 'minItems', 'minLength',
  'minProperties', 'minimum', 'multipleOf', 'not', 'oneOf', 'pattern', 'propertyNames', 'required', 'type',
  'unevaluatedItems', 'unevaluatedProperties', 'uniqueItems',
]);

function problemOf(e: ErrorObject): SchemaProblem {
  const p = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  const params: Record<string, string | number> = { pointer: pointer || '/' };
  if (e.keyword === 'required' || e.keyword === 'dependentRequired') {
    pointer = `${pointer}/${escapePointerToken(String(p.missingProperty))}`;
    params.property = String(p.missingProperty);
  }
  if (e.keyword === 'additionalProperties') {
    pointer = `${pointer}/${escapePointerToken(String(p.additionalProperty))}`;
    params.property = String(p.additionalProperty);
  }
  if (e.keyword === 'unevaluatedProperties') {
    pointer = `${pointer}/${escapePointerToken(String(p.unevaluatedProperty))}`;
    params.property = String(p.unevaluatedProperty);
  }
  params.pointer = pointer || '/';
  for (const key of ['type', 'format', 'pattern', 'comparison', 'multipleOf']) if (p[key] !== undefined) params[key] = display(p[key]);
  if (p.limit !== undefined) params.limit = Number(p.limit);
  if (p.allowedValues !== undefined) params.allowed = display(p.allowedValues);
  if (p.allowedValue !== undefined) params.allowed = display(p.allowedValue);
  if (p.i !== undefined) params.i = Number(p.i);
  if (p.j !== undefined) params.j = Number(p.j);
  if (p.property !== undefined && params.property === undefined) params.property = String(p.property);
  const key = KNOWN_KEYWORDS.has(e.keyword) ? `schemas.keyword_${e.keyword.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}` : 'schemas.keyword_other';
  if (key === 'schemas.keyword_other') params.keyword = e.keyword;
  const message = Object.fromEntries(LANGUAGES.map((lang) => [lang, t(lang, key, params)])) as Record<Language, string>;
  return { pointer, keyword: e.keyword, message };
}

/**
 * ajv reports every failing branch of a `oneOf` plus the `oneOf` itself, and the `if` of an
 * if/then next to the `then` failure. For `null`-or-value unions that is noise: keep the errors
 * of the branches that failed for a reason other than the type (the value had the right type
 * but was wrong), or one `type` problem when every branch failed by type.
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  // ajv emits a failing oneOf/anyOf's branch errors immediately before it. Branches reached
  // through $ref carry the $ref target's schemaPath, so membership is decided by position and
  // instance path rather than by schemaPath.
  const branchOf = new Map<number, number>();
  errors.forEach((e, k) => {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') return;
    for (let i = k - 1; i >= 0; i--) {
      const b = errors[i]!;
      if (branchOf.has(i)) break;
      const under = b.instancePath === e.instancePath || b.instancePath.startsWith(e.instancePath + '/');
      const fromBranch = b.schemaPath.startsWith(e.schemaPath + '/') || b.schemaPath.startsWith('#/$defs/');
      if (!under || !fromBranch) break;
      branchOf.set(i, k);
    }
  });
  const isTypeAtRoot = (b: ErrorObject, parent: ErrorObject) => b.keyword === 'type' && b.instancePath === parent.instancePath;
  const childrenOf = (k: number) => [...branchOf].filter(([, p]) => p === k).map(([i]) => i).sort((a, b) => a - b).map((i) => errors[i]!);
  const out: ErrorObject[] = [];
  errors.forEach((e, k) => {
    if (e.keyword === 'if') return;
    const parentIndex = branchOf.get(k);
    if (parentIndex !== undefined) {
      const parent = errors[parentIndex]!;
      const meaningful = childrenOf(parentIndex).filter((b) => !isTypeAtRoot(b, parent));
      // Type mismatches of the other branches say nothing when one branch had the right type.
      if (meaningful.length === 0 || isTypeAtRoot(e, parent)) return;
      out.push(e);
      return;
    }
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      const children = childrenOf(k);
      if (children.some((b) => !isTypeAtRoot(b, e))) return;
      const types = children.map((b) => (b.params as { type: unknown }).type).flat();
      if (types.length > 0) {
        out.push({ ...e, keyword: 'type', params: { type: types.join(' | ') } });
        return;
      }
    }
    out.push(e);
  });
  return out;
}

export function validateAgainst(name: SchemaName, value: unknown): { valid: boolean; problems: SchemaProblem[] } {
  const fn = validatorFor(name);
  if (fn(value)) return { valid: true, problems: [] };
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const problem of simplify(fn.errors ?? []).map(problemOf)) {
    const key = `${problem.pointer}\u0000${problem.keyword}\u0000${problem.message.en}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return { valid: false, problems };
}

/**
 * Throws ValidationError('schema.invalid') listing every problem; `where` names the document
 * (e.g. `transfer.tar:manifest.json`) so the message says which file is wrong.
 */
export function assertValid(name: SchemaName, value: unknown, where: string): void {
  const { valid, problems } = validateAgainst(name, value);
  if (valid) return;
  throw new ValidationError(
    'schema.invalid',
    'schemas.invalid',
    { where, schema: SCHEMA_IDS[name], count: problems.length, first: problems[0] ? `${problems[0].pointer || '/'}: ${problems[0].message.en}` : '' },
    { where, schema: SCHEMA_IDS[name], problems },
  );
}
