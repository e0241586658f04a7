// Control characteristics of document metadata (p.209, p.212): each document's metadata
// carries the hash of the previous document's metadata, forming a one-directional list that
// reveals any removed, inserted, reordered or altered document.
import { canonicalJson, sha256Hex } from '../../common/hash';
import type { DocumentMetadata } from './types';

/**
 * SHA-256 of the RFC 8785 canonical JSON of the metadata without `controlCharacteristic`.
 * The files' hashes and `previous` are inside, so the value covers content and chain position.
 */
export function controlCharacteristicOf(metadata: Omit<DocumentMetadata, 'controlCharacteristic'> & { controlCharacteristic?: string }): string {
  const { controlCharacteristic: _ignored, ...rest } = metadata;
  return sha256Hex(canonicalJson(rest));
}

export interface ChainBreak {
  position: number;
  identifier: string;
  reason: 'control_characteristic_mismatch' | 'previous_mismatch' | 'position_gap';
}

/** Checks a dossier's documents, in order, against their own and their predecessor's hash. */
export function verifyControlChain(documents: DocumentMetadata[]): { ok: boolean; breaks: ChainBreak[] } {
  const breaks: ChainBreak[] = [];
  let previous: string | null = null;
  documents.forEach((doc, i) => {
    if (doc.position !== i + 1) breaks.push({ position: i + 1, identifier: doc.identifier, reason: 'position_gap' });
    if (doc.previous !== previous) breaks.push({ position: i + 1, identifier: doc.identifier, reason: 'previous_mismatch' });
    if (controlCharacteristicOf(doc) !== doc.controlCharacteristic) {
      breaks.push({ position: i + 1, identifier: doc.identifier, reason: 'control_characteristic_mismatch' });
    }
    previous = doc.controlCharacteristic;
  });
  return { ok: breaks.length === 0, breaks };
}
