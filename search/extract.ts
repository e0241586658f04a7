// Reading a rendition's text for the search: at ingest from the working copy just checked, and
// for stored documents (reindex) from the object store through a verified read.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { logger } from '../common/logger';
import { renditionText } from '../ingest/convert/reproducibility';
import type { Storage } from '../storage';
import { openAipFile } from '../ingest/dossier/queries';
import { storeDocumentText } from './text';

/** pdftotext over a PDF file; null when the tool is missing or cannot read it. `sha256`: the file's, when known. */
export async function pdfFileText(file: string, sha256?: string): Promise<string | null> {
  return renditionText(file, sha256);
}

/**
 * Keeps the text of a document's rendition for the search, at ingest. Never fails the ingest:
 * a document whose text could not be read is stored all the same and found by its metadata
 * (`muragat search reindex` tries again).
 */
export async function keepRenditionText(db: Kysely<Database>, documentId: string, renditionFile: string, renditionSha256: string | null): Promise<void> {
  try {
    const text = await pdfFileText(renditionFile, renditionSha256 ?? undefined);
    if (text !== null) await storeDocumentText(db, documentId, text, renditionSha256);
  } catch (error) {
    logger().warn({ err: error, documentId }, 'search: the rendition text was not kept');
  }
}

/**
 * The text of a stored rendition, read through the AIP like every download (verified against
 * the manifest's hash, from a replica if need be) into a temporary file for pdftotext.
 */
export async function storedRenditionText(deps: { db: Kysely<Database>; storage: Storage }, dossierId: string, aipPath: string): Promise<string | null> {
  const dir = await mkdtemp(path.join(tmpdir(), 'muragat-search-'));
  try {
    const file = path.join(dir, 'rendition.pdf');
    const object = await openAipFile(deps, dossierId, aipPath);
    await pipeline(object.stream, createWriteStream(file));
    return await pdfFileText(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
