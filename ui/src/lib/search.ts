// What GET /api/search answers (search/search.service.ts), for the search page.
// The API's own types, so the pages cannot drift from what it answers.
import type { SearchHit, SnippetPart } from '../../../search/search.service';
export type { SearchHit, SnippetPart } from '../../../search/search.service';

export interface SearchAnswer {
  q: string;
  terms: { term: string; similar: string[] }[];
  total: number;
  totalCapped: boolean;
  limit: number;
  offset: number;
  hits: SearchHit[];
}

/** The filters the page sends, by their API names (empty ones are left out). */
export interface SearchForm {
  q: string;
  fonds: string;
  year: string;
  department: string;
  kind: string;
  language: string;
  retention: string;
  type: string;
}

export const EMPTY_FORM: SearchForm = { q: '', fonds: '', year: '', department: '', kind: '', language: '', retention: '', type: '' };

export function searchParams(form: SearchForm, offset: number, limit: number): Record<string, string | number> {
  const params: Record<string, string | number> = { limit, offset };
  for (const [name, value] of Object.entries(form) as [keyof SearchForm, string][]) {
    if (value.trim()) params[name] = value.trim();
  }
  return params;
}
