// What GET /api/search answers (search/search.service.ts), for the search page.
export interface SnippetPart {
  text: string;
  hit?: true;
}

export interface SearchHit {
  type: 'dossier' | 'document';
  dossierId: string;
  caseIndex: string;
  volume: number;
  year: number | null;
  fonds: string | null;
  department: string | null;
  retention: 'permanent' | 'years' | 'years_epk' | 'until_needed' | null;
  dossierTitle: string;
  position: number | null;
  documentId: string | null;
  title: SnippetPart[];
  kind: string | null;
  date: string | null;
  languages: string[];
  snippet: SnippetPart[] | null;
  rank: number;
}

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
