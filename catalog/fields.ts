// Field checks shared by the catalog services: each rejection names the field it is about.
import { ValidationError } from '../common/errors';

export function requireText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError('catalog.field_required', 'catalog.field_required', { field });
  const text = value.trim();
  if (text.length > max) throw new ValidationError('catalog.field_too_long', 'catalog.field_too_long', { field, max });
  return text;
}

export function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return null;
  return requireText(value, field, max);
}

export function requirePattern(value: unknown, field: string, pattern: RegExp, hint: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!pattern.test(text)) {
    throw new ValidationError('catalog.field_invalid', 'catalog.field_invalid', { field, value: String(value ?? ''), hint });
  }
  return text;
}
