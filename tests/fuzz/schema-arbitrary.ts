// JSON Schema (2020-12, as OpenAPI 3.1 uses it) → fast-check arbitrary of values the schema
// describes, and of "near misses": a valid value with one place replaced by anything. Used by
// the metadata fuzzing (validators/schemas) and by the HTTP API fuzzing (OpenAPI request bodies
// and parameters). Best effort by design: keywords it does not model (if/then, not,
// dependentRequired) only make some generated values invalid, which the targets must refuse
// with a reason anyway.
import fc from 'fast-check';

type Schema = Record<string, unknown> | boolean;

export interface SchemaArbitraryOptions {
  /** Resolves `$ref` values (e.g. `#/components/schemas/X`, `#/$defs/y`). */
  root: Record<string, unknown>;
  /** Recursion bound for `$ref` cycles and nesting. */
  maxDepth?: number;
  /** Longest generated array. */
  maxItems?: number;
}

function resolvePointer(root: Record<string, unknown>, ref: string): Schema {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  return (node as Schema | undefined) ?? {};
}

const FORMATS: Record<string, () => fc.Arbitrary<string>> = {
  date: () => fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  'date-time': () => fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  uuid: () => fc.uuid(),
  email: () => fc.emailAddress(),
  uri: () => fc.webUrl(),
  'uri-reference': () => fc.webUrl(),
  ipv4: () => fc.ipV4(),
};

/** Text that tends to break things: every script the archive meets, controls and odd code points. */
export function hostileString(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.constantFrom('', ' ', 'Қазақстан', 'Мұрағат іс №1', '../../etc/passwd', 'a\u0000b', '\uD800', '\u202Eevil', '%00', '${x}', "' OR 1=1 --", '{{x}}', '1e309', '-0', 'null', '9'.repeat(40)),
  );
}

function stringArbitrary(schema: Record<string, unknown>): fc.Arbitrary<string> {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format();
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 30, minLength + 30));
  if (typeof schema.pattern === 'string') {
    try {
      // A pattern is usually anchored; unanchored ones get anchors so the whole string matches.
      const source = schema.pattern;
      const anchored = new RegExp(`${source.startsWith('^') ? '' : '^'}${source}${source.endsWith('$') ? '' : '$'}`, 'u');
      return fc.stringMatching(anchored).filter((s) => s.length >= minLength && s.length <= Math.max(maxLength, minLength + 64));
    } catch {
      // A pattern fast-check cannot invert: plain strings (the target must then refuse them).
    }
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' });
}

function numberArbitrary(schema: Record<string, unknown>, integer: boolean): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : integer ? -1000 : -1e6;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : integer ? Math.max(min + 1000, 1000) : 1e6;
  if (integer) return fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values the schema describes (mostly valid; see the file comment). */
export function arbitraryOf(schema: Schema, options: SchemaArbitraryOptions, depth = 0): fc.Arbitrary<unknown> {
  const maxDepth = options.maxDepth ?? 6;
  const maxItems = options.maxItems ?? 3;
  if (schema === true || schema === undefined) return fc.jsonValue({ maxDepth: 2 });
  if (schema === false) return fc.constant(null);
  if (typeof schema.$ref === 'string') {
    if (depth >= maxDepth) return fc.constant(null);
    const target = resolvePointer(options.root, schema.$ref);
    return arbitraryOf(typeof target === 'object' ? { ...target, ...withoutRef(schema) } : target, options, depth + 1);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const choices = schema[key];
    if (Array.isArray(choices) && choices.length) {
      const base = withoutKey(schema, key);
      return fc.oneof(...choices.map((c) => arbitraryOf(typeof c === 'object' && c ? { ...base, ...(c as object) } : (c as Schema), options, depth + 1)));
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    const merged = mergeAll([withoutKey(schema, 'allOf'), ...(schema.allOf as Schema[]).map((s) => (typeof s === 'object' && typeof s.$ref === 'string' ? resolvePointer(options.root, s.$ref) : s))]);
    return arbitraryOf(merged, options, depth + 1);
  }
  const type = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : inferType(schema);
  if (type.length > 1) return fc.oneof(...type.map((t) => arbitraryOf({ ...schema, type: t }, options, depth)));
  switch (type[0]) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth >= maxDepth) return fc.constant([]);
      const items = (schema.items as Schema | undefined) ?? true;
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : maxItems, maxItems));
      const arb = arbitraryOf(items, options, depth + 1);
      return schema.uniqueItems ? fc.uniqueArray(arb, { minLength, maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(arb, { minLength, maxLength });
    }
    case 'object': {
      if (depth >= maxDepth) return fc.constant({});
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries(properties)) model[name] = arbitraryOf(sub, options, depth + 1);
      for (const name of required) model[name] ??= fc.jsonValue({ maxDepth: 1 });
      if (!Object.keys(model).length) {
        return schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      }
      return fc.record(model, { requiredKeys: required.filter((k) => k in model) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function inferType(schema: Record<string, unknown>): string[] {
  if (schema.properties || schema.required || schema.additionalProperties !== undefined) return ['object'];
  if (schema.items) return ['array'];
  if (schema.pattern || schema.format || schema.minLength !== undefined) return ['string'];
  return ['any'];
}

function withoutKey(schema: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = schema;
  return rest;
}

function withoutRef(schema: Record<string, unknown>): Record<string, unknown> {
  return withoutKey(schema, '$ref');
}

function mergeAll(parts: Schema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    if (typeof part !== 'object') continue;
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = { ...(out.properties as object), ...(v as object) };
      else if (k === 'required') out.required = [...new Set([...((out.required as string[]) ?? []), ...(v as string[])])];
      else out[k] = v;
    }
  }
  return out;
}

/** Every JSON pointer of a value (objects and arrays descended), the root included. */
function pointersOf(value: unknown, prefix = ''): string[] {
  const out = [prefix];
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pointersOf(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return out;
}

/** A copy of `value` with the value at `pointer` replaced (or removed when `replacement` is undefined). */
export function replaceAt(value: unknown, pointer: string, replacement: unknown): unknown {
  if (pointer === '') return replacement;
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

/** Anything JSON can say, plus the usual suspects (huge numbers, deep nesting, odd strings). */
export function anyJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: hostileString() },
    { weight: 1, arbitrary: fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, 12.5, true, null, [], {}, '', [[[[[]]]]]) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown) },
  );
}

/** Valid-looking values of the schema, and the same with one place replaced by any JSON or removed. */
export function nearMissesOf(schema: Schema, options: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  const valid = arbitraryOf(schema, options);
  const mutated = valid.chain((v) => {
    const pointers = pointersOf(v);
    return fc.tuple(fc.constantFrom(...pointers), fc.option(anyJson(), { nil: undefined, freq: 4 })).map(([p, r]) => replaceAt(v, p, r));
  });
  return fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: mutated });
}
