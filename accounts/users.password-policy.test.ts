import { describe, expect, it } from 'vitest';
import { t } from '../common/i18n';
import { PASSWORD_MIN_LENGTH, assertPasswordAcceptable, passwordProblem } from './users.password-policy';

describe('password policy', () => {
  it.each([
    ['short1!', 'too_short'],
    ['x'.repeat(257), 'too_long'],
    ['aaaaaaaaaaaa', 'repeated'],
    ['abcabcabcabc', 'repeated'],
    ['ababababababab', 'repeated'],
    ['password1234', 'common'],
    ['Qwerty123456', 'common'],
    ['!!Sunshine2026!!', 'common'],
    ['abcdefghijklmn', 'sequential'],
    ['zyxwvutsrqpo', 'sequential'],
    ['345678901234', 'sequential'],
    ['lkjhgfdsapoiu', 'sequential'],
    ['йцукенгшщзхъ', 'sequential'],
    ['asel.nurlanova', null],
    ['steppe wind at dawn', null],
    ['Алматы таулары 1987', null],
  ])('%s → %s', (password, problem) => {
    expect(passwordProblem(password, { username: 'asel' })).toBe(problem);
  });

  it('refuses the username dressed up with digits or written backwards', () => {
    expect(passwordProblem('kuanysh.b2026!!', { username: 'kuanysh.b' })).toBe('like_username');
    expect(passwordProblem('tanatlasnnnnn', { username: 'nnnnnsaltanat' })).toBe('like_username');
    expect(passwordProblem('saltanat likes tea', { username: 'saltanat' })).toBeNull();
  });

  it('counts characters, not bytes', () => {
    expect(passwordProblem('әліпбиқұпия', {})).toBe('too_short');
    expect(passwordProblem('әліпбиқұпиясы', {})).toBeNull();
  });

  it('says why in every language, naming the field', () => {
    const error = (() => {
      try {
        assertPasswordAcceptable('1234', { field: 'newPassword' });
      } catch (e) {
        return e as { code: string; messageKey: string; params: Record<string, unknown>; details: unknown };
      }
      throw new Error('not refused');
    })();
    expect(error).toMatchObject({ code: 'user.password_too_short', details: { field: 'newPassword', reason: 'too_short' } });
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const message = t(lang, error.messageKey, error.params);
      expect(message).toContain(String(PASSWORD_MIN_LENGTH));
      expect(message).toContain('newPassword');
      expect(message).not.toContain('errors.');
    }
  });
});
