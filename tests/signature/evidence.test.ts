// Signature evidence in the AIP (p.94–97-1): what a verification used (signer and CA
// certificates, the anchor, the CRLs) is stored beside the signature, and the signature is
// re-verified later from the AIP alone — the trust folder deleted, nothing fetched.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AipBuilder, readManifest } from '../../ingest/aip';
import {
  addDocumentsEvidence, addReportEvidence, evidenceFile, keepEvidenceInWork, readEvidenceFile, reverifyAipSignatures, sha256Of, signerMetadataOf,
  EVIDENCE_RECORDS_PATH,
} from '../../ingest/aip/signature-evidence';
import { FsObjectStore, type Storage } from '../../storage';
import { signDetached, verifySignature } from '../../validators/signature';

const NCA = path.resolve(process.cwd(), '../shared/fixtures/nca-rk');
const AT = new Date('2022-10-01T00:00:00Z');

let dir: string;
let trustDir: string;
let storage: Storage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'muragat-evidence-'));
  trustDir = path.join(dir, 'trust');
  await cp(path.join(NCA, 'nca_gost2015_test.cer'), path.join(trustDir, 'anchors', 'nca_gost2015_test.cer'));
  await cp(path.join(NCA, 'nca_gost2022_test.crl'), path.join(trustDir, 'nca_gost2022_test.crl'));
  storage = { primary: new FsObjectStore(path.join(dir, 'store')), replicas: [new FsObjectStore(path.join(dir, 'replica'))] };
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(NCA))('signature evidence kept in the AIP', () => {
  it('stores certificates, anchor and CRL with each signature, records issuer and serial, and re-verifies from the AIP with the trust folder gone', async () => {
    const p12 = new Uint8Array(await readFile(path.join(NCA, 'individual-2015-gost.p12')));
    const document = new TextEncoder().encode('Бұйрық № 41 от 30.09.2022 — о приёме на работу.\n');
    const inventory = new TextEncoder().encode('{"inventory":"App. 32"}');
    const docCms = await signDetached(document, p12, 'Aa123456', { signingTime: AT });
    const invCms = await signDetached(inventory, p12, 'Aa123456', { signingTime: AT });

    // At ingest: verified in the signatures step, evidence parked in the work folder.
    const work = path.join(dir, 'work');
    const docReport = await verifySignature({ signature: docCms, content: document, trustDir });
    expect(docReport.verdict, docReport.reason).toBe('valid');
    const parked = await keepEvidenceInWork(work, docReport, docCms);
    expect(parked.anchors).toHaveLength(1);
    expect(parked.crls).toHaveLength(1);
    expect(parked.certificates.length).toBeGreaterThanOrEqual(2);
    // Issuer and serial now reach the document metadata.
    const [signer] = signerMetadataOf([parked], sha256Of(docCms))!;
    expect(signer!.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(signer!.issuer).toContain('GOST');
    expect(signer!.iin).toBe('123456789012');

    // The store step builds the AIP: document, its signature and the evidence.
    const aip = new AipBuilder(storage);
    const original = await aip.addBytes('documents/0001/original/order.txt', 'original', document, 'doc-1');
    const signature = await aip.addBytes('documents/0001/signatures/order.txt.p7s', 'signature', docCms, 'doc-1');
    const records = await addDocumentsEvidence(aip, work, [{ documentId: 'doc-1', originalPath: original.path, signaturePaths: [signature.path] }],
      [{ id: 'doc-1', sha256: original.sha256, signature: { files: [{ sha256: signature.sha256 }], evidence: [parked] } }]);
    // At signing: the dossier's inventory signature, verified now.
    const invEntry = await aip.addBytes('inventory/internal-inventory.json', 'internal-inventory', inventory);
    const invSig = await aip.addBytes('signatures/internal-inventory.p7s', 'internal-inventory-signature', invCms);
    const invReport = await verifySignature({ signature: invCms, content: inventory, trustDir });
    records.push(await addReportEvidence(aip, invReport, invCms, { signature: { path: invSig.path, sha256: invSig.sha256 }, content: { path: invEntry.path, sha256: invEntry.sha256 } }));
    await aip.addJson(EVIDENCE_RECORDS_PATH, 'evidence', evidenceFile(records));
    const sealed = await aip.seal({ aipId: 't/01-01/1', dossierIndex: '01-01', fonds: '1', year: 2022, createdAt: AT.toISOString(), transferId: 't', events: [], tools: [] } as never);

    const manifest = await readManifest(storage, sealed.sha256);
    const evidencePaths = manifest.files.filter((f) => f.path.startsWith('signature-evidence/')).map((f) => f.path);
    expect(evidencePaths.filter((p) => p.endsWith('.cer')).length).toBeGreaterThanOrEqual(2);
    expect(evidencePaths.filter((p) => p.endsWith('.crl'))).toHaveLength(1); // shared by both signatures, stored once
    const file = (await readEvidenceFile(storage, manifest))!;
    expect(file.records.map((r) => r.origin).sort()).toEqual(['ingest', 'signing']);
    for (const r of file.records) expect(r.signers[0]!.serialNumber).toBe(signer!.serialNumber);

    // Years later: the trust folder is gone, no folder is configured, nothing may be fetched.
    await rm(trustDir, { recursive: true, force: true });
    const previous = process.env.MURAGAT_TRUST_DIR;
    process.env.MURAGAT_TRUST_DIR = path.join(dir, 'no-such-folder');
    try {
      const results = await reverifyAipSignatures(storage, sealed.sha256, { lang: 'en' });
      expect(results).toHaveLength(2);
      for (const { record, report } of results) {
        expect(report.verdict, `${record.signature.path}: ${report.reason}`).toBe('valid');
        expect(report.signers[0]!.checks.find((c) => c.name === 'chain')!.message).toContain('evidence');
      }
      // The trust folder alone no longer verifies it: the evidence is what does.
      const withoutEvidence = await verifySignature({ signature: docCms, content: document });
      expect(withoutEvidence.verdict).toBe('cannot-verify');
    } finally {
      if (previous === undefined) delete process.env.MURAGAT_TRUST_DIR;
      else process.env.MURAGAT_TRUST_DIR = previous;
    }
  });

  it('re-verification notices changed content: the stored signature no longer verifies', async () => {
    const p12 = new Uint8Array(await readFile(path.join(NCA, 'individual-2015-gost.p12')));
    const document = new TextEncoder().encode('Акт № 5.\n');
    const cms = await signDetached(document, p12, 'Aa123456', { signingTime: AT });
    const trust = { anchors: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2015_test.cer')))], crls: [new Uint8Array(await readFile(path.join(NCA, 'nca_gost2022_test.crl')))] };
    const report = await verifySignature({ signature: cms, content: document, trust });
    expect(report.verdict, report.reason).toBe('valid');
    const aip = new AipBuilder(storage);
    // The AIP names another content than the one signed (as after a silent corruption repaired wrongly).
    const other = await aip.addBytes('documents/0001/original/act.txt', 'original', new TextEncoder().encode('Акт № 6.\n'));
    const sig = await aip.addBytes('documents/0001/signatures/act.txt.p7s', 'signature', cms);
    const record = await addReportEvidence(aip, report, cms, { signature: { path: sig.path, sha256: sig.sha256 }, content: { path: other.path, sha256: other.sha256 } });
    await aip.addJson(EVIDENCE_RECORDS_PATH, 'evidence', evidenceFile([record]));
    const sealed = await aip.seal({ aipId: 't/01-02/1', dossierIndex: '01-02', fonds: '1', year: 2022, createdAt: AT.toISOString(), transferId: 't', events: [], tools: [] } as never);
    const [result] = await reverifyAipSignatures(storage, sealed.sha256);
    expect(result!.report.verdict).toBe('invalid');
  });
});
