// A certified copy checks the original's signature again when it is made (p.37–38), from the
// evidence kept in the dossier's AIP alone (the trust folder is gone by then), and states both
// results — at ingest and at the copy, with their dates — on the certification sheet (found by
// pdftotext; the copy still passes the PDF/A-1b validator) and in the verification report.
// On both engines.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { createUsersService, type UsersService } from '../../accounts/users.service';
import { parseConfig, type Config } from '../../common/config';
import { runIngest } from '../../ingest';
import { packTransfer } from '../../ingest/transfer/index';
import { expectPdfA1b, pdfText } from '../../ingest/convert/test-helpers';
import { openStorage } from '../../storage';
import { validateBytes } from '../../validators/pdfa';
import { createTestPki, signFile, type TestPki } from '../../validators/signature/testing/test-pki';
import { approveRequest, certifyCopy, makeCopies, registerResearcher, submitRequest, unpack, downloadForUser, type CopiesDeps } from '../../research';
import { describeEachDatabase } from '../helpers/db';
import { packTextDossier } from '../server/helpers';

const PASSWORD = 'reading-Room-2026!';
let pki: TestPki;
let pkiDir: string;

beforeAll(async () => {
  pkiDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-recheck-pki-'));
  pki = await createTestPki(pkiDir);
}, 300_000);

afterAll(async () => {
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

const flat = (text: string) => text.replace(/\s+/g, ' ');
const ddmmyyyy = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;

describeEachDatabase('research: a copy re-checks the original signature from the AIP evidence', (getDb) => {
  let work: string;
  let config: Config;
  let users: UsersService;
  let deps: CopiesDeps;
  let dossierId = '';
  let archivist: Actor;
  let reader: Actor;

  beforeAll(async () => {
    const { db } = getDb();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-research-recheck-'));
    // The trust folder of ingest is a copy, removed before the copies are made.
    const trustDir = path.join(work, 'trust');
    await cp(pki.trustDir, trustDir, { recursive: true });
    config = parseConfig({ MURAGAT_DATA_DIR: path.join(work, 'data'), MURAGAT_TRUST_DIR: trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning', MURAGAT_OCSP: 'false' });
    const storage = openStorage(config);
    users = createUsersService({ db });
    const index = '04-11';
    await packTextDossier(work, { index, title: 'Қол қойылған бұйрықтар', kazakhOrder: '8-н', russianOrder: '14-н' });
    // The Kazakh order is signed (detached CMS beside it, by openssl); the Russian one is not.
    await signFile(pki, path.join(work, 'tree', index, '2025-02-01 Бұйрық №8-н.txt'));
    const tar = path.join(work, 'signed.tar');
    await packTransfer(path.join(work, 'tree'), tar);
    const report = await runIngest({ db, storage, config }, { tarPath: tar });
    const d = report.dossiers[0]!;
    expect(d.documents.every((doc) => doc.status === 'accepted'), JSON.stringify(report)).toBe(true);
    dossierId = d.id!;
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: PASSWORD, fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'] });
    const k = await users.get('keeper');
    archivist = { userId: k.id, username: k.username, roles: k.roles };
    await registerResearcher({ db, users }, archivist, { username: 'erlan', password: PASSWORD, fullName: 'Ерлан Қасымов', organisation: 'ҚазҰУ', phone: '+7 701 000 00 02', purpose: 'Зерттеу' });
    const r = await users.get('erlan');
    reader = { userId: r.id, username: r.username, roles: r.roles };
    deps = { db, storage, dataDir: config.dataDir, keyDir: path.join(config.dataDir, 'keys') };
    await rm(trustDir, { recursive: true, force: true });
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('states the ingest check and the re-check made now on the sheet and in the report', async () => {
    const { db } = getDb();
    const now = new Date();
    const request = await submitRequest(db, reader, { items: [{ dossierId }] }, { now });
    await approveRequest(db, archivist, request.id, now);
    const before = Date.now();
    const made = await makeCopies(deps, archivist, request.id, { now });
    expect(made.copies).toHaveLength(2);
    const [signed, unsigned] = made.copies;
    expect(signed!.original).toMatchObject({ atIngest: 'valid', atCopy: 'valid' });
    expect(new Date(signed!.original.checkedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(unsigned!.original).toMatchObject({ atIngest: 'unsigned', atCopy: 'unsigned' });

    const files = unpack((await downloadForUser(deps, archivist, request.id, { now })).bytes);
    const report = JSON.parse(new TextDecoder().decode(files['verification-report.json'])) as {
      copies: { file: string; originalSignature: { atIngest: { verdict: string; checkedAt: string | null }; atCopy: { verdict: string; checkedAt: string; signatures: { path: string; verdict: string; signers: { serialNumber: string }[] }[] } } }[];
    };
    const first = report.copies[0]!.originalSignature;
    expect(first.atIngest.verdict).toBe('valid');
    expect(first.atCopy.verdict).toBe('valid');
    expect(first.atCopy.checkedAt).toBe(signed!.original.checkedAt);
    expect(first.atCopy.signatures).toHaveLength(1);
    expect(first.atCopy.signatures[0]!.path).toMatch(/\.p7s$/);
    expect(first.atCopy.signatures[0]!.signers[0]!.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(report.copies[1]!.originalSignature.atCopy.verdict).toBe('unsigned');

    const checkedOn = ddmmyyyy(new Date(signed!.original.checkedAt));
    for (const copy of made.copies) {
      const pdf = files[copy.name]!;
      const pdfa = validateBytes(pdf);
      expect(pdfa.compliant, JSON.stringify(pdfa.failures)).toBe(true);
      const file = path.join(work, 'copy.pdf');
      await writeFile(file, pdf);
      await expectPdfA1b(file);
      const text = flat(await pdfText(file));
      if (copy === signed) {
        expect(text).toContain('Результат проверки ЭЦП подлинника при приёме: ЭЦП действительна');
        expect(text).toContain(`Повторная проверка ЭЦП подлинника при изготовлении копии: ЭЦП действительна, ${checkedOn}`);
        expect(text).toContain('по доказательствам, хранящимся в AIP');
        expect(text).toContain(`Түпнұсқаның ЭЦҚ көшірме жасау кезінде қайта тексерілді: ЭЦҚ жарамды, ${checkedOn}`);
      } else {
        expect(text).toContain('Повторная проверка ЭЦП подлинника при изготовлении копии: Документ не подписан ЭЦП');
      }
    }
  }, 240_000);
});

it('a failed re-check is stated with its reason, the copy still PDF/A-1b', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'muragat-recheck-sheet-'));
  try {
    const { PDFDocument } = await import('pdf-lib');
    const { savePdfA } = await import('../../ingest/convert/pdfa-writer');
    const src = await PDFDocument.create();
    src.addPage([595, 842]);
    const rendition = await savePdfA(src, { title: 'Бұйрық', author: 'test', subject: 'test', language: 'kk', date: new Date() });
    const checkedAt = '2026-12-07T03:04:00.000Z';
    const { bytes } = await certifyCopy(rendition, {
      requestNumber: '2026/00042',
      requester: 'Ерлан Қасымов (ҚазҰУ)',
      document: { title: 'Бұйрық № 8-н', date: '2025-02-01', number: '8-н', dossier: '04-11 (2025)', position: 1 },
      signature: { verdict: 'valid', signers: ['CN=Сейітов Асқар'], checkedAt: '2025-03-01T00:00:00Z', recheck: { verdict: 'invalid', checkedAt, reason: 'сертификат отозван 01.06.2025' } },
      sourceSystem: 'Muragat',
      certifier: { name: 'Әбенова Гүлнар', position: 'мұрағатшы' },
      copyDate: new Date(checkedAt),
      organisation: 'Muragat',
    });
    expect(validateBytes(bytes).compliant).toBe(true);
    const file = path.join(dir, 'sheet.pdf');
    await writeFile(file, bytes);
    const text = flat(await pdfText(file));
    expect(text).toContain('Результат проверки ЭЦП подлинника при приёме: ЭЦП действительна (CN=Сейітов Асқар), 01.03.2025');
    expect(text).toContain('Повторная проверка ЭЦП подлинника при изготовлении копии: ЭЦП недействительна, 07.12.2026 03:04 UTC');
    expect(text).toContain('сертификат отозван 01.06.2025');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
