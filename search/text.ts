// The text of a document's rendition, kept for the search (search_texts). Written at ingest by
// the step that already reads the rendition's text with pdftotext (the reproducibility check),
// and for documents stored before by `muragat search reindex`.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';

/** Characters kept per document (about 500 pages); the rest is not searched, and the row says so. */
export const MAX_TEXT_CHARS = 1_000_000;

/**
 * Text as the catalog keeps it: NUL and other control characters (but line breaks and tabs)
 * removed, lone surrogates replaced, the snippet markers ⟦ ⟧ dropped, runs of blanks shortened.
 */
export function cleanText(text: string): { content: string; truncated: boolean } {
  const cleaned = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ' ')
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F⟦⟧\uFFFD]/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (cleaned.length <= MAX_TEXT_CHARS) return { content: cleaned, truncated: false };
  // Never cut a surrogate pair in two.
  let end = MAX_TEXT_CHARS;
  if (/[\uD800-\uDBFF]/.test(cleaned[end - 1]!)) end -= 1;
  return { content: cleaned.slice(0, end), truncated: true };
}

/** Stores (or replaces) a document's text; the search index is updated by the table's trigger. */
export async function storeDocumentText(db: Kysely<Database>, documentId: string, text: string, renditionSha256: string | null): Promise<{ chars: number; truncated: boolean }> {
  const { content, truncated } = cleanText(text);
  await db
    .insertInto('search_texts')
    .values({ document_id: documentId, rendition_sha256: renditionSha256, content, chars: content.length, truncated })
    .onConflict((oc) => oc.column('document_id').doUpdateSet({ rendition_sha256: renditionSha256, content, chars: content.length, truncated, extracted_at: new Date() }))
    .execute();
  return { chars: content.length, truncated };
}
