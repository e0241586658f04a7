import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../common/errors';
import { LANGUAGES, t } from '../../common/i18n';
import {
  assertValid,
  loadSchema,
  controlCharacteristicOf,
  SCHEMA_IDS,
  SCHEMA_NAMES,
  validateAgainst,
  verifyControlChain,
  type AipManifest,
  type DocumentMetadata,
  type DossierMetadata,
  type InternalInventory,
  type TransferManifest,
} from './index';

const H = (c: string) => c.repeat(64);

function sampleManifest(): TransferManifest {
  return {
    schemaVersion: 'muragat.transfer/1',
    transfer: {
      organisation: { bin: '123456789012', name: '«Үлгі» ЖШС' },
      department: { code: '03', name: 'Кадр бөлімі' },
      year: 2025,
      fonds: '12',
      compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' },
      createdAt: '2026-01-15T10:00:00Z',
    },
    dossiers: [
      {
        index: '03-12',
        title: 'Жеке құрам бойынша бұйрықтар',
        volume: 1,
        startDate: '2025-01-10',
        endDate: '2025-12-20',
        retention: { kind: 'years', years: 75, article: '597' },
        documents: [
          {
            path: '03-12/prikaz-1.docx',
            sha256: H('a'),
            size: 123,
            title: 'Қабылдау туралы бұйрық',
            date: '2025-03-01',
            number: '12-н',
            language: 'kk',
            author: 'Кадр бөлімі',
            pages: 2,
            inferred: ['title'],
            signatures: [{ path: '03-12/prikaz-1.docx.p7s', sha256: H('b'), size: 2345 }],
          },
        ],
      },
    ],
  };
}

function sampleDocument(previous: string | null, position: number): DocumentMetadata {
  const base: Omit<DocumentMetadata, 'controlCharacteristic'> = {
    schemaVersion: 'muragat.document/1',
    identifier: `03-12/${position}`,
    dossierIndex: '03-12',
    position,
    kind: 'бұйрық',
    title: 'Қабылдау туралы бұйрық',
    date: '2025-03-01',
    number: '12-н',
    language: 'kk',
    author: { organisation: '«Үлгі» ЖШС', position: 'директор' },
    access: { kind: 'open' },
    files: [{ name: 'prikaz-1.docx', sha256: H('a'), size: 123, role: 'original' }],
    rendition: { name: 'prikaz-1.pdf', sha256: H('c'), size: 4567, format: 'PDF/A-1b', tool: { name: 'LibreOffice', version: '7.6' } },
    signatures: [{ name: 'prikaz-1.docx.p7s', sha256: H('b'), size: 2345, verdict: 'valid', signers: [{ subject: 'CN=Әбенов', serialNumber: '01', issuer: 'CN=НУЦ РК', iin: '900101300123' }] }],
    hashAlgorithm: { name: 'SHA-256', standard: 'ҚР СТ ISO/IEC 10118-3' },
    previous,
  };
  return { ...base, controlCharacteristic: controlCharacteristicOf(base) };
}

describe('schemas', () => {
  it('has a versioned draft 2020-12 $id for every schema', () => {
    for (const name of SCHEMA_NAMES) expect(SCHEMA_IDS[name]).toBe(`https://muragat.kz/schemas/${name}/1.json`);
  });

  it('has a message in every language for every keyword the schemas use', () => {
    const used = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (!['properties', '$defs', 'description', 'title', '$id', '$schema', '$ref', 'items', 'then', 'if'].includes(k)) used.add(k);
          if (k === 'properties' || k === '$defs') Object.values(v as object).forEach(walk);
          else walk(v);
        }
      }
    };
    SCHEMA_NAMES.forEach((n) => walk(loadSchema(n)));
    for (const keyword of used) {
      const key = `schemas.keyword_${keyword.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}`;
      for (const lang of LANGUAGES) expect(t(lang, key, { pointer: '/x', type: 't', limit: 1, allowed: 'a', format: 'f', pattern: 'p', property: 'p', i: 1, j: 0 }), `${lang} ${key}`).not.toBe(key);
    }
  });

  it('accepts the contract example of a transfer manifest', () => {
    expect(validateAgainst('transfer-manifest', sampleManifest())).toEqual({ valid: true, problems: [] });
  });

  it('names the pointer and explains each problem in kk, ru and en', () => {
    const m = sampleManifest() as unknown as { transfer: Record<string, unknown>; dossiers: { index: string; documents: Record<string, unknown>[] }[] };
    delete m.transfer.year;
    m.dossiers[0]!.index = '03/12';
    m.dossiers[0]!.documents[0]!.sha256 = 'XYZ';
    m.dossiers[0]!.documents[0]!.colour = 'red';
    m.dossiers[0]!.documents[0]!.date = '2025-13-40';
    const { valid, problems } = validateAgainst('transfer-manifest', m);
    expect(valid).toBe(false);
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p]));
    expect(byPointer['/transfer/year']?.keyword).toBe('required');
    expect(byPointer['/dossiers/0/index']?.keyword).toBe('pattern');
    expect(byPointer['/dossiers/0/documents/0/sha256']?.keyword).toBe('pattern');
    expect(byPointer['/dossiers/0/documents/0/colour']?.keyword).toBe('additionalProperties');
    expect(byPointer['/dossiers/0/documents/0/date']?.keyword).toBe('format');
    const colour = byPointer['/dossiers/0/documents/0/colour']!;
    expect(colour.message.en).toBe('/dossiers/0/documents/0/colour: field "colour" is not allowed.');
    expect(colour.message.ru).toContain('«colour» не предусмотрено');
    expect(colour.message.kk).toContain('«colour» өрісі рұқсат етілмеген');
  });

  it('requires years for a years retention (if/then) without reporting the if itself', () => {
    const m = sampleManifest();
    m.dossiers[0]!.retention = { kind: 'years_epk' };
    const { problems } = validateAgainst('transfer-manifest', m);
    expect(problems.map((p) => [p.pointer, p.keyword])).toEqual([['/dossiers/0/retention/years', 'required']]);
  });

  it('refuses unsafe document paths in the manifest', () => {
    for (const bad of ['../etc/passwd', '/etc/passwd', '03-12/../../x', '03-12/a\u0001b', 'a\\b']) {
      const m = sampleManifest();
      m.dossiers[0]!.documents[0]!.path = bad;
      const { problems } = validateAgainst('transfer-manifest', m);
      expect(problems.map((p) => p.pointer), bad).toContain('/dossiers/0/documents/0/path');
    }
  });

  it('assertValid throws a ValidationError carrying every problem and the document name', () => {
    try {
      assertValid('transfer-manifest', { schemaVersion: 'muragat.transfer/2' }, 'x.tar:manifest.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const e = error as ValidationError;
      expect(e.code).toBe('schema.invalid');
      expect(e.params.where).toBe('x.tar:manifest.json');
      const details = e.details as { problems: { pointer: string; keyword: string }[] };
      expect(details.problems.map((p) => `${p.pointer} ${p.keyword}`).sort()).toEqual(
        ['/dossiers required', '/schemaVersion const', '/transfer required'].sort(),
      );
    }
    expect(() => assertValid('transfer-manifest', sampleManifest(), 'manifest.json')).not.toThrow();
  });

  it('document metadata: reports one clear problem for a nullable field of the wrong form', () => {
    const first = sampleDocument(null, 1);
    expect(validateAgainst('document-metadata', first).problems).toEqual([]);
    const wrongType = { ...first, date: 20250301 };
    expect(validateAgainst('document-metadata', wrongType).problems.map((p) => [p.pointer, p.keyword, p.message.en])).toEqual([
      ['/date', 'type', '/date: the value must be of type "null | string".'],
    ]);
    const wrongFormat = { ...first, previous: 'nothex' };
    expect(validateAgainst('document-metadata', wrongFormat).problems.map((p) => [p.pointer, p.keyword])).toEqual([['/previous', 'pattern']]);
  });

  it('document metadata: a file count over 80 (p.147) is refused', () => {
    const doc = sampleDocument(null, 1);
    doc.files = Array.from({ length: 81 }, (_, i) => ({ name: `p${i}.jpg`, sha256: H('d'), size: 1 }));
    expect(validateAgainst('document-metadata', doc).problems.map((p) => [p.pointer, p.keyword])).toEqual([['/files', 'maxItems']]);
  });

  it('control characteristics chain the documents and reveal tampering (p.209)', () => {
    const d1 = sampleDocument(null, 1);
    const d2 = sampleDocument(d1.controlCharacteristic, 2);
    const d3 = sampleDocument(d2.controlCharacteristic, 3);
    expect(verifyControlChain([d1, d2, d3])).toEqual({ ok: true, breaks: [] });
    // Removing the middle document breaks the link from the third.
    expect(verifyControlChain([d1, { ...d3, position: 2 }]).breaks.map((b) => b.reason)).toContain('previous_mismatch');
    const altered = { ...d2, title: 'Басқа' };
    expect(verifyControlChain([d1, altered, d3]).breaks).toEqual([
      { position: 2, identifier: '03-12/2', reason: 'control_characteristic_mismatch' },
    ]);
  });

  it('accepts dossier metadata (p.211) and refuses an unknown signature status', () => {
    const dossier: DossierMetadata = {
      schemaVersion: 'muragat.dossier/1',
      fonds: '12',
      inventory: { number: '1', sequence: 4 },
      index: '03-12',
      title: 'Жеке құрам бойынша бұйрықтар',
      year: 2025,
      department: { code: '03' },
      volume: 1,
      startDate: '2025-01-10',
      endDate: '2025-12-20',
      retention: { kind: 'permanent' },
      documentCount: 3,
      fileCount: 9,
      sizeBytes: 123456,
      languages: ['kk', 'ru'],
      compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші', date: '2026-01-15' },
      integrity: { internalInventorySha256: H('e'), lastControlCharacteristic: H('f'), signature: { status: 'valid', signer: 'CN=Бөлім басшысы' } },
    };
    expect(validateAgainst('dossier-metadata', dossier).problems).toEqual([]);
    const bad = { ...dossier, integrity: { ...dossier.integrity, signature: { status: 'ok' } } };
    expect(validateAgainst('dossier-metadata', bad).problems.map((p) => [p.pointer, p.keyword])).toEqual([
      ['/integrity/signature/status', 'enum'],
    ]);
  });

  it('accepts an internal inventory (App. 32) and requires the totals in words', () => {
    const inventory: InternalInventory = {
      schemaVersion: 'muragat.internal-inventory/1',
      dossier: { index: '03-12', title: 'Жеке құрам бойынша бұйрықтар', fonds: '12' },
      rows: [{ number: 1, documentIndex: '12-н', date: '2025-03-01', title: 'Бұйрық', files: 3, bytes: 7035, controlCharacteristic: H('a'), note: '' }],
      totals: { documents: 1, documentsInWords: 'бір', files: 3, bytes: 7035 },
      compiledBy: { name: 'Әбенова Г. С.', position: 'іс жүргізуші' },
      compiledAt: '2026-01-15',
      language: 'kk',
    };
    expect(validateAgainst('internal-inventory', inventory).problems).toEqual([]);
    const { totals, ...rest } = inventory;
    const { documentsInWords: _w, ...noWords } = totals;
    expect(validateAgainst('internal-inventory', { ...rest, totals: noWords }).problems.map((p) => p.pointer)).toEqual([
      '/totals/documentsInWords',
    ]);
  });

  it('accepts an AIP manifest and refuses unknown file roles', () => {
    const aip: AipManifest = {
      schemaVersion: 'muragat.aip/1',
      aipId: 'aip-03-12-2025',
      dossierIndex: '03-12',
      createdAt: '2026-01-16T09:00:00Z',
      hashAlgorithm: 'SHA-256',
      files: [{ path: 'documents/001/prikaz-1.docx', sha256: H('a'), size: 123, role: 'original', documentId: '03-12/1' }],
      events: [{ at: '2026-01-16T09:00:00Z', type: 'ingest.convert', outcome: 'success', tool: 'LibreOffice 7.6' }],
      tools: [{ name: 'LibreOffice', version: '7.6.4' }],
    };
    expect(validateAgainst('aip-manifest', aip).problems).toEqual([]);
    const bad = { ...aip, files: [{ ...aip.files[0]!, role: 'thumbnail' }] };
    expect(validateAgainst('aip-manifest', bad).problems.map((p) => [p.pointer, p.keyword])).toEqual([['/files/0/role', 'enum']]);
  });
});
