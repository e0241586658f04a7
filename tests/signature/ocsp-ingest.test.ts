// OCSP through the real intake, on both engines: a transfer whose document is signed by a
// certificate naming a local OCSP responder is ingested against a trust folder holding the CA
// only (no CRL); the responder's answer decides revocation, lands in the dossier's AIP under
// signature-evidence/ocsp-responses/ beside the CRLs, and the stored signature re-verifies from
// the AIP alone after the responder is stopped and the trust folder deleted. A certified copy
// made then states the re-check as valid.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/audit.service';
import { createUsersService } from '../../accounts/users.service';
import { parseConfig } from '../../common/config';
import { runIngest } from '../../ingest';
import { readManifest } from '../../ingest/aip';
import { readEvidenceFile, reverifyAipSignatures } from '../../ingest/aip/signature-evidence';
import { packTransfer } from '../../ingest/transfer/index';
import { openStorage } from '../../storage';
import { signDetached } from '../../validators/signature';
import { clearOcspCache } from '../../validators/signature/ocsp';
import { approveRequest, makeCopies, registerResearcher, submitRequest } from '../../research';
import { describeEachDatabase } from '../helpers/db';
import { packTextDossier } from '../server/helpers';
import { createOcspTestCa, OCSP_TEST_PASSWORD, type OcspTestCa } from './ocsp-support';

let caDir: string;
let ca: OcspTestCa;

beforeAll(async () => {
  caDir = await mkdtemp(path.join(os.tmpdir(), 'muragat-ocsp-ingest-ca-'));
  ca = await createOcspTestCa(caDir);
}, 180_000);

afterAll(async () => {
  await ca?.stopResponder();
  if (caDir) await rm(caDir, { recursive: true, force: true });
});

describeEachDatabase('OCSP at ingest, kept in the AIP evidence', (getDb) => {
  let work: string;

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the responder decides revocation at ingest; the AIP keeps its response; re-verification and a copy need neither it nor the trust folder', async () => {
    const { db } = getDb();
    await ca.startResponder(); // stopped by the previous engine's run
    clearOcspCache();
    work = await mkdtemp(path.join(os.tmpdir(), 'muragat-ocsp-ingest-'));
    const index = '04-12';
    await packTextDossier(work, { index, title: 'OCSP арқылы тексерілген бұйрықтар', kazakhOrder: '9-н', russianOrder: '15-н' });
    const signedFile = path.join(work, 'tree', index, '2025-02-01 Бұйрық №9-н.txt');
    await writeFile(`${signedFile}.p7s`, await signDetached(new Uint8Array(await readFile(signedFile)), ca.signers.good.p12, OCSP_TEST_PASSWORD));
    const tar = path.join(work, 'signed.tar');
    await packTransfer(path.join(work, 'tree'), tar);
    const config = parseConfig({ MURAGAT_DATA_DIR: path.join(work, 'data'), MURAGAT_TRUST_DIR: ca.trustDir, MURAGAT_MALWARE_POLICY: 'accept-with-warning', MURAGAT_OCSP: 'true' });
    const storage = openStorage(config);
    const report = await runIngest({ db, storage, config }, { tarPath: tar });
    const dossier = report.dossiers[0]!;
    expect(dossier.documents.every((d) => d.status === 'accepted'), JSON.stringify(report)).toBe(true);
    const doc = await db
      .selectFrom('dossier_documents as dd')
      .innerJoin('documents as d', 'd.id', 'dd.document_id')
      .select(['d.signature'])
      .where('dd.dossier_id', '=', dossier.id!)
      .where('dd.position', '=', 1)
      .executeTakeFirstOrThrow();
    expect((doc.signature as { verdict: string }).verdict).toBe('valid');

    const row = await db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', dossier.id!).executeTakeFirstOrThrow();
    const manifest = await readManifest(storage, row.aip_manifest_sha256!);
    expect(manifest.files.filter((f) => f.path.startsWith('signature-evidence/ocsp-responses/'))).toHaveLength(1);
    expect(manifest.files.filter((f) => f.path.startsWith('signature-evidence/crls/'))).toHaveLength(0);
    const evidence = (await readEvidenceFile(storage, manifest))!;
    const record = evidence.records.find((r) => r.origin === 'ingest')!;
    expect(record.ocsp).toHaveLength(1);
    expect(record.ocspQueries).toEqual([expect.objectContaining({ url: ca.url, status: 'response' })]);

    // The responder and the trust folder gone: the AIP alone re-verifies the signature.
    await ca.stopResponder();
    clearOcspCache();
    const trustCopy = `${ca.trustDir}.kept`;
    await rename(ca.trustDir, trustCopy);
    try {
      const results = await reverifyAipSignatures(storage, row.aip_manifest_sha256!, { lang: 'en' });
      const again = results.find((r) => r.record.signature.sha256 === record.signature.sha256)!;
      expect(again.report.verdict, again.report.reason).toBe('valid');
      expect(again.report.signers[0]!.checks.find((c) => c.name === 'revocation')!.message).toContain('OCSP');
    } finally {
      await rename(trustCopy, ca.trustDir);
    }

    // A certified copy made now re-checks from the same evidence.
    const users = createUsersService({ db });
    await users.add(SYSTEM_ACTOR, { username: 'keeper', password: 'reading-Room-2026!', fullName: 'Әбенова Гүлнар', position: 'мұрағатшы', roles: ['archivist'] });
    const keeper = await users.get('keeper');
    const archivist = { userId: keeper.id, username: keeper.username, roles: keeper.roles };
    await registerResearcher({ db, users }, archivist, { username: 'aruzhan', password: 'reading-Room-2026!', fullName: 'Аружан Сағатова', organisation: 'ҚазҰУ', phone: '+7 701 000 00 03', purpose: 'Зерттеу' });
    const r = await users.get('aruzhan');
    const request = await submitRequest(db, { userId: r.id, username: r.username, roles: r.roles }, { items: [{ dossierId: dossier.id!, documentPosition: 1 }] });
    await approveRequest(db, archivist, request.id);
    const made = await makeCopies({ db, storage, dataDir: config.dataDir, keyDir: path.join(config.dataDir, 'keys') }, archivist, request.id);
    expect(made.copies[0]!.original).toMatchObject({ atIngest: 'valid', atCopy: 'valid' });
  }, 300_000);
});
