// JSON Schema validation of request bodies and query strings (ajv). A failure becomes a 400
// listing every bad field by JSON pointer.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from '../common/errors';

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const queryAjv = new Ajv({ allErrors: true, strict: true, coerceTypes: true });
(addFormats as unknown as (a: Ajv) => void)(queryAjv);

export interface FieldProblem {
  field: string;
  keyword: string;
  message: string;
}

function problemsOf(errors: ErrorObject[] | null | undefined, where: string): FieldProblem[] {
  return (errors ?? []).map((e) => {
    let field = e.instancePath || '/';
    if (e.keyword === 'required') field = `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') field = `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
    return { field: `${where}${field}`, keyword: e.keyword, message: e.message ?? e.keyword };
  });
}

export type Validator<T> = (value: unknown) => T;

function build<T>(instance: Ajv, schema: object, where: string): Validator<T> {
  const check: ValidateFunction = instance.compile(schema);
  return (value: unknown): T => {
    if (!check(value)) {
      const problems = problemsOf(check.errors, where);
      throw new ValidationError(
        'request.invalid',
        'server.request_invalid',
        { fields: [...new Set(problems.map((p) => p.field))].join(', ') },
        { problems },
      );
    }
    return value as T;
  };
}

/** Validator for a JSON body; errors name fields as `body/…`. */
export function bodyValidator<T>(schema: object): Validator<T> {
  return build<T>(ajv, schema, 'body');
}

/** Validator for query parameters (strings coerced to the schema's types); `query/…`. */
export function queryValidator<T>(schema: object): Validator<T> {
  const validate = build<T>(queryAjv, schema, 'query');
  // ajv coerces in place; work on a copy of koa's query object.
  return (value: unknown) => {
    const query = validate({ ...(value as object) });
    // ajv's coercion turns "1e309" into Infinity and then lets it through integer bounds; the
    // database would refuse it with a 500. No query number is infinite.
    for (const [name, v] of Object.entries(query as object)) {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        const field = `query/${name}`;
        throw new ValidationError('request.invalid', 'server.request_invalid', { fields: field }, { problems: [{ field, keyword: 'type', message: 'must be a finite number' }] });
      }
    }
    return query;
  };
}
