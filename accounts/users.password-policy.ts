// What a password must be (NIST SP 800-63B §5.1.1.2 in spirit): long enough, not one of the
// passwords leaked in breaches, not a run of one character, a repeated chunk or a keyboard or
// alphabet sequence, and not the username dressed up. Applied when a user is created and
// when a password is changed or reset; login never judges an existing password.
import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '../common/errors';

export const PASSWORD_MIN_LENGTH = 12;
// argon2 work on a megabyte "password" is a cheap denial of service.
export const PASSWORD_MAX_LENGTH = 256;

// ~49,000 passwords most often found in breach corpora (zxcvbn-ts's common list), lowercase.
let breached: Set<string> | undefined;
function breachedPasswords(): Set<string> {
  breached ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return breached;
}

// Rows people type without thinking, both directions are checked; wrapping is allowed
// ("7890123…"), hence each row twice.
const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'абвгдеёжзийклмнопрстуфхцчшщъыьэюя',
  'аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя',
  'йцукенгшщзхъфывапролджэячсмитьбю',
].map((row) => row.repeat(2));

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'repeated' | 'sequential' | 'like_username';

function isSequence(text: string): boolean {
  if (text.length < 4) return false;
  const reversed = [...text].reverse().join('');
  return SEQUENCES.some((row) => row.includes(text) || row.includes(reversed));
}

/** Whether the text is one chunk said again and again ("abcabcabc", "aaaa"). */
function isRepeated(text: string): boolean {
  return /^(.{1,6}?)\1+$/su.test(text) || new Set(text).size <= 3;
}

/** The password with digits, punctuation and spaces stripped from both ends. */
function core(text: string): string {
  return text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
}

/** The first problem of a candidate password, or null when it is acceptable. */
export function passwordProblem(password: string, context: { username?: string } = {}): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const text = password.normalize('NFKC').toLowerCase();
  const list = breachedPasswords();
  const stripped = core(text);
  // "Password2024!" is "password" with decoration, and as weak.
  if (list.has(text) || (stripped.length >= 4 && list.has(stripped))) return 'common';
  if (isRepeated(text)) return 'repeated';
  // A sequence, alone or with digits or punctuation around it ("abcdefghijk!", "987654321098").
  if (isSequence(text) || (stripped.length >= 6 && isSequence(stripped)) || isSequence(text.replace(/[^\p{L}\p{N}]/gu, ''))) return 'sequential';
  const username = context.username?.trim().toLowerCase();
  // The username itself, with digits or signs around it, or backwards.
  if (username && (stripped === username || text.replace(/[^\p{L}\p{N}]/gu, '') === [...username].reverse().join(''))) return 'like_username';
  return null;
}

/** Throws a 400 naming why the password is refused (translated: errors.password_*). */
export function assertPasswordAcceptable(password: unknown, context: { username?: string; field?: string } = {}): asserts password is string {
  const field = context.field ?? 'password';
  if (typeof password !== 'string') throw new ValidationError('user.password_too_short', 'errors.password_too_short', { min: PASSWORD_MIN_LENGTH, field }, { field, reason: 'too_short' });
  const problem = passwordProblem(password, context);
  if (!problem) return;
  const params = { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH, field };
  throw new ValidationError(`user.password_${problem}`, `errors.password_${problem}`, params, { field, reason: problem });
}
