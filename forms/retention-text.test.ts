import { describe, expect, it } from 'vitest';
import { retentionForForm } from './index';

describe('retentionForForm', () => {
  it('writes the Russian column as the lists do, with the year noun agreeing', () => {
    expect(retentionForForm({ kind: 'permanent', years: null }, 'ru', '26а')).toBe('Постоянно, п. 26а');
    expect(retentionForForm({ kind: 'years_epk', years: 5 }, 'ru', '23')).toBe('5 лет ЭПК, п. 23');
    expect(retentionForForm({ kind: 'years', years: 3 }, 'ru')).toBe('3 года');
    expect(retentionForForm({ kind: 'years', years: 1 }, 'ru')).toBe('1 год');
    expect(retentionForForm({ kind: 'years', years: 75 }, 'ru', '662')).toBe('75 лет, п. 662');
    expect(retentionForForm({ kind: 'until_needed', years: null }, 'ru', ' ')).toBe('ДМН');
  });

  it('writes the Kazakh column with the СТК mark and the item number', () => {
    expect(retentionForForm({ kind: 'permanent', years: null }, 'kk', '26а')).toBe('Тұрақты, 26а-тармақ');
    expect(retentionForForm({ kind: 'years_epk', years: 5 }, 'kk', '23')).toBe('5 жыл «СТК» белгісімен, 23-тармақ');
    expect(retentionForForm({ kind: 'years', years: 3 }, 'kk')).toBe('3 жыл');
    expect(retentionForForm({ kind: 'until_needed', years: null }, 'kk')).toBe('Қажеттілігі өткенге дейін');
  });
});
