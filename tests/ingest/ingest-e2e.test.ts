// End to end: a fixture transfer of Kazakh and Russian documents (txt, docx, odt, pdf,
// a two-file document, CMS signatures) is ingested, stored as AIPs, exported, signed later
// through the upload path, verified — and then tampered with in four ways, each named.
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest, verifyStoredDossiers, loadTools, exportAip, attachDossierSignature, signingContent, getDossier, type IngestReport } from '../../ingest';
import { reverifyAipSignatures } from '../../ingest/aip/signature-evidence';
import { validatePdfA } from '../../validators/pdfa';
import { signDetached } from '../../validators/signature';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { createSignersService } from '../../accounts/signers.service';
import { createUsersService } from '../../accounts/users.service';
import { pdfText, KAZAKH_LETTERS } from '../../ingest/convert/test-helpers';
import { createIngestEnv, buildFixtureTransfer, type IngestEnv } from './helpers';
import { storedObjectOf } from '../../destruction/content';

describe('ingest end to end', () => {
  let env: IngestEnv;
  let report: IngestReport;
  let tar: string;
  const verify = async (dossierId?: string) =>
    verifyStoredDossiers({ db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools: await loadTools() }, { dossierId });

  beforeAll(async () => {
    // ClamAV signatures may be absent on build machines; the scan result is still recorded.
    env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' });
    tar = await buildFixtureTransfer(env, 'e2e');
    report = await runIngest(env.deps, { tarPath: tar });
  }, 300_000);
  afterAll(async () => env?.close());

  it('accepts every fixture document into two dossiers, in the report shape', () => {
    expect(Object.keys(report).sort()).toEqual(['dossiers', 'transfer']);
    expect(report.dossiers.map((d) => d.index)).toEqual(['03-12', '03-15']);
    const docs = report.dossiers.flatMap((d) => d.documents);
    expect(docs).toHaveLength(6);
    for (const doc of docs) {
      expect(Object.keys(doc).sort()).toEqual(['format', 'malware', 'problems', 'rendition', 'signature', 'source', 'status']);
      expect(doc.status, `${doc.source}: ${JSON.stringify(doc.problems)}`).toBe('accepted');
      expect(doc.rendition).toMatch(/^documents\/\d{3}\/rendition\/.+\.pdf$/);
    }
    const bySource = new Map(docs.map((d) => [d.source, d]));
    expect(bySource.get('03-12/qabyldau-buiryq.docx')!.signature).toBe('valid');
    expect(bySource.get('03-12/qabyldau-buiryq.docx')!.format).toBe('DOCX');
    expect(bySource.get('03-12/Приказ об отпуске.odt')!.signature).toBe('unsigned');
  });

  it('exports the AIP so that <out>/<rendition> is a PDF/A-1b with the Kazakh text', async () => {
    const d = report.dossiers[0]!;
    const out = await mkdtemp(path.join(env.root, 'export-'));
    const { sha256 } = (await env.db.selectFrom('dossiers').select('aip_manifest_sha256 as sha256').where('id', '=', d.id!).executeTakeFirstOrThrow());
    await exportAip(env.storage, sha256, out);
    for (const doc of d.documents) {
      const file = path.join(out, doc.rendition!);
      const pdfa = await validatePdfA(file);
      expect(pdfa.compliant, `${doc.rendition}: ${JSON.stringify(pdfa.failures.slice(0, 3))}`).toBe(true);
    }
    const kazakh = d.documents.find((x) => x.source.endsWith('.docx'))!;
    const text = await pdfText(path.join(out, kazakh.rendition!));
    expect(KAZAKH_LETTERS.filter((l) => text.includes(l)).length).toBeGreaterThanOrEqual(5);
    const inventory = JSON.parse(await readFile(path.join(out, 'inventory/internal-inventory.json'), 'utf8'));
    expect(inventory.rows).toHaveLength(3);
    expect((await validatePdfA(path.join(out, 'inventory/internal-inventory-kk.pdf'))).compliant).toBe(true);
    expect(JSON.parse(await readFile(path.join(out, 'aip-manifest.json'), 'utf8')).files.length).toBeGreaterThan(10);
  });

  it('chains documents chronologically with control characteristics', async () => {
    const d = await getDossier({ db: env.db, storage: env.storage }, report.dossiers[0]!.id!);
    expect(d.documents.map((x) => (x.metadata as { date: string }).date)).toEqual(['2025-03-01', '2025-04-02', '2025-06-15']);
    expect(d.documents[0]!.previous).toBeNull();
    expect(d.documents[1]!.previous).toBe(d.documents[0]!.controlCharacteristic);
    expect(d.documents[2]!.previous).toBe(d.documents[1]!.controlCharacteristic);
    expect(d.status).toBe('awaiting-signature');
  });

  it('ingesting the same package again creates nothing new', async () => {
    const again = await runIngest(env.deps, { tarPath: tar });
    expect(again.transfer).toBe(report.transfer);
    expect(await env.db.selectFrom('dossiers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 2 });
  });

  it('accepts uploaded CMS signatures only over the stored content, then the dossier is stored', async () => {
    const dossierId = report.dossiers[1]!.id!;
    const p12 = new Uint8Array(await readFile(env.pki.signerP12Path));
    const tools = await loadTools();
    const deps = { db: env.db, storage: env.storage, trustDir: env.config.trustDir, tools };
    // A signature counts only as its signer's: the test PKI's signer is a head of department 03
    // who is also the archivist, with the certificate registered (accounts/signers.service.ts).
    const department = await createOrganisationService({ db: env.db }).addDepartment(SYSTEM_ACTOR, { code: '03', nameKk: 'Кадр бөлімі', nameRu: 'Отдел кадров' });
    await createUsersService({ db: env.db }).add(SYSTEM_ACTOR, { username: 'seitov', password: 'Seitov-Secret-2026', fullName: 'Сейітов Асқар', roles: ['archivist', 'department_head'], departmentId: department.id });
    await createSignersService({ db: env.db }).addCertificate(SYSTEM_ACTOR, 'seitov', new Uint8Array(await readFile(env.pki.signers.rsa.certPath)));
    const wrong = await signDetached(Buffer.from('other content'), p12, env.pki.password);
    await expect(attachDossierSignature(deps, SYSTEM_ACTOR, { dossierId, kind: 'inventory', cms: wrong })).rejects.toMatchObject({ code: 'ingest.uploaded_signature_invalid' });
    for (const kind of ['inventory', 'integrity'] as const) {
      const cms = await signDetached(await signingContent(env, dossierId, kind), p12, env.pki.password);
      await attachDossierSignature(deps, SYSTEM_ACTOR, { dossierId, kind, cms });
    }
    const d = await getDossier(env, dossierId);
    expect(d.status).toBe('stored');
    expect(d.signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(d.files.some((f) => f.role === 'dossier-signature')).toBe(true);
    // Each signature left its certificates, anchor and CRL in the AIP and re-verifies from them
    // alone (docs/signatures.md); the signers' issuer and serial are recorded.
    const manifest = (await env.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossierId).executeTakeFirstOrThrow()).aip_manifest_sha256;
    const rechecked = (await reverifyAipSignatures(env.storage, manifest)).filter((r) => r.record.origin === 'signing');
    expect(rechecked.map((r) => r.report.verdict)).toEqual(['valid', 'valid']);
    expect(rechecked.every((r) => r.record.signers[0]!.serialNumber && r.record.signers[0]!.issuer && r.record.crls.length && r.record.anchors.length)).toBe(true);
    const v = await verify();
    expect(v.ok, JSON.stringify(v.dossiers.flatMap((x) => x.failures))).toBe(true);
    expect(v.objectsChecked).toBeGreaterThan(60);
  });

  describe('tampering is named', () => {
    it('a flipped byte in a stored object', async () => {
      const d = await getDossier(env, report.dossiers[0]!.id!);
      const target = d.files.find((f) => f.role === 'original')!;
      // A dossier that may be destroyed stores its content sealed (docs/destruction.md): the
      // stored object is the envelope, 36 bytes longer, checked under its own digest.
      const sealed = await storedObjectOf(env.db, target.sha256);
      const stored = sealed.sha256;
      const file = path.join(env.root, 'replica', 'objects', stored.slice(0, 2), stored.slice(2, 4), stored);
      expect((await stat(file)).size).toBe(sealed.size ?? target.size);
      const bytes = await readFile(file);
      bytes[0] = bytes[0]! ^ 0xff;
      await chmod(file, 0o644);
      await writeFile(file, bytes);
      const v = await verify(d.id);
      const f = v.dossiers[0]!.failures.find((x) => x.kind === 'object-corrupt')!;
      expect(f).toMatchObject({ sha256: stored, path: target.path, store: expect.stringContaining(path.join(env.root, 'replica')) });
      bytes[0] = bytes[0]! ^ 0xff;
      await writeFile(file, bytes);
      expect((await verify(d.id)).ok).toBe(true);
    });

    it('documents reordered in the catalog', async () => {
      const id = report.dossiers[0]!.id!;
      await env.db.transaction().execute(async (trx) => {
        await trx.updateTable('dossier_documents').set({ position: 99 }).where('dossier_id', '=', id).where('position', '=', 1).execute();
        await trx.updateTable('dossier_documents').set({ position: 1 }).where('dossier_id', '=', id).where('position', '=', 2).execute();
        await trx.updateTable('dossier_documents').set({ position: 2 }).where('dossier_id', '=', id).where('position', '=', 99).execute();
      });
      const v = await verify(id);
      expect(v.ok).toBe(false);
      const failures = v.dossiers[0]!.failures;
      expect(failures.some((f) => f.kind === 'chain-broken' && f.document?.position === 1)).toBe(true);
      expect(failures.some((f) => f.kind === 'catalog-mismatch' && f.document?.position === 2)).toBe(true);
      await env.db.transaction().execute(async (trx) => {
        await trx.updateTable('dossier_documents').set({ position: 99 }).where('dossier_id', '=', id).where('position', '=', 1).execute();
        await trx.updateTable('dossier_documents').set({ position: 1 }).where('dossier_id', '=', id).where('position', '=', 2).execute();
        await trx.updateTable('dossier_documents').set({ position: 2 }).where('dossier_id', '=', id).where('position', '=', 99).execute();
      });
      expect((await verify(id)).ok).toBe(true);
    });

    it('an edited metadata field', async () => {
      const id = report.dossiers[0]!.id!;
      const row = await env.db.selectFrom('dossier_documents').select('metadata').where('dossier_id', '=', id).where('position', '=', 2).executeTakeFirstOrThrow();
      const edited = { ...row.metadata, title: 'Өзгертілген атау' };
      await env.db.updateTable('dossier_documents').set({ metadata: JSON.stringify(edited) }).where('dossier_id', '=', id).where('position', '=', 2).execute();
      const v = await verify(id);
      const f = v.dossiers[0]!.failures.find((x) => x.kind === 'chain-broken')!;
      expect(f.document).toMatchObject({ position: 2, title: 'Өзгертілген атау' });
      expect(f.message).toContain('control_characteristic_mismatch');
      await env.db.updateTable('dossier_documents').set({ metadata: JSON.stringify(row.metadata) }).where('dossier_id', '=', id).where('position', '=', 2).execute();
    });

    it('a removed document', async () => {
      const id = report.dossiers[0]!.id!;
      await env.db.deleteFrom('dossier_documents').where('dossier_id', '=', id).where('position', '=', 2).execute();
      const v = await verify(id);
      const failures = v.dossiers[0]!.failures;
      expect(failures.some((f) => f.kind === 'chain-broken' && f.message.includes('position'))).toBe(true);
      expect(failures.some((f) => f.kind === 'inventory-mismatch' && f.message.includes('3'))).toBe(true);
      expect(failures.some((f) => f.message.includes('the catalog lists 2 documents, the AIP holds 3'))).toBe(true);
    });
  });
});
