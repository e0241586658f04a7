// E-ARK CSIP/SIP and BagIt exchange (issue 14, docs/exchange.md), on both engines, with the
// real fixture documents (docx, odt, pdf, txt, a two-file document, real CMS signatures):
// the package METS meets every CSIP MUST requirement (by id), PREMIS carries fixity and the
// signature checks, the renditions are PDF/A and the originals byte for byte; the bag's
// manifests validate (ours, and the Library of Congress bagit.py when installed); destroyed
// dossiers are never exported; bad packages are refused naming file and field, in kk/ru/en;
// and a package exported here is imported into another Muragat whose verify passes.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { SYSTEM_ACTOR, listAuditEvents, type Actor } from '../../audit/audit.service';
import { createOrganisationService } from '../../catalog/organisation.service';
import { runIngest, verifyStoredDossiers, loadTools, readManifest, type IngestReport } from '../../ingest';
import {
  checkCsipRequirements,
  exportHoldings,
  importPackages,
  PackageRefused,
  parseMets,
  problemMessage,
  readPackageMets,
  validateBag,
  SIP_PROFILE,
  type ExportReport,
} from '../../preservation/exchange';
import { validatePdfA } from '../../validators/pdfa';
import { sha256File } from '../../common/hash';
import { testDatabaseKinds } from '../helpers/db';
import { buildFixtureTransfer, createIngestEnv, type IngestEnv } from '../ingest/helpers';

/** The MUST requirements of the CSIP METS profile that apply to a package without rights metadata or representation METS files. */
const CSIP_MUSTS = [
  'CSIP1', 'CSIP2', 'CSIP6', 'CSIP117', 'CSIP7', 'CSIP9', 'CSIP10', 'CSIP11', 'CSIP12', 'CSIP13', 'CSIP14', 'CSIP15', 'CSIP16',
  'CSIP18', 'CSIP19', 'CSIP22', 'CSIP23', 'CSIP24', 'CSIP25', 'CSIP26', 'CSIP27', 'CSIP28', 'CSIP29', 'CSIP30',
  'CSIP33', 'CSIP36', 'CSIP37', 'CSIP38', 'CSIP39', 'CSIP40', 'CSIP41', 'CSIP42', 'CSIP43', 'CSIP44',
  'CSIP59', 'CSIP60', 'CSIP113', 'CSIP114', 'CSIP64', 'CSIP65', 'CSIP66', 'CSIP67', 'CSIP68', 'CSIP69', 'CSIP70', 'CSIP71', 'CSIP72',
  'CSIP76', 'CSIP77', 'CSIP78', 'CSIP79', 'CSIP80', 'CSIP81', 'CSIP82', 'CSIP83', 'CSIP84', 'CSIP85', 'CSIP88', 'CSIP89', 'CSIP90',
  'CSIP94', 'CSIP95', 'CSIP98', 'CSIP99', 'CSIP102', 'CSIP103', 'CSIP106', 'CSIP107', 'CSIP116', 'CSIP118', 'CSIP119',
] as const;

const archivist: Actor = { userId: randomUUID(), username: 'keeper', roles: ['archivist'] };
const researcher: Actor = { userId: randomUUID(), username: 'reader', roles: ['researcher'] };

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false });

function bagitPy(): boolean {
  return spawnSync('python3', ['-c', 'import bagit'], { stdio: 'ignore' }).status === 0;
}
function earkValidator(): boolean {
  return spawnSync('python3', ['-c', 'import eark_validator.model'], { stdio: 'ignore' }).status === 0;
}

async function listTree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listTree(root, p)));
    else out.push(p);
  }
  return out.sort();
}

for (const kind of testDatabaseKinds()) {
  describe(`E-ARK and BagIt exchange [${kind}]`, () => {
    let env: IngestEnv;
    let target: IngestEnv;
    let report: IngestReport;
    let yearTar: ExportReport;
    let bagFolder: ExportReport;
    let single: ExportReport;
    const out = (name: string) => path.join(env.root, 'exports', name);
    const verify = async (e: IngestEnv) => verifyStoredDossiers({ db: e.db, storage: e.storage, trustDir: e.config.trustDir, tools: await loadTools() });
    const refusal = async (source: string): Promise<PackageRefused> => {
      const error = await importPackages(target.deps, { source, actor: archivist }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PackageRefused);
      return error as PackageRefused;
    };

    beforeAll(async () => {
      env = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
      await createOrganisationService({ db: env.db }).save(SYSTEM_ACTOR, { nameKk: '«Мұрағат Үлгі» ЖШС', nameRu: 'ТОО «Мурагат Образец»', shortNameKk: 'Мұрағат Үлгі', bin: '123456789012', fondsNumber: '12' });
      // 03-12 sealed (may be destroyed one day), 03-15 permanent (clear), 03-20 destroyed below.
      const tar = await buildFixtureTransfer(env, 'exchange', async (dir) => {
        await writeFile(path.join(dir, '03-15', 'dossier.json'), JSON.stringify({ title: 'Ұйымдармен хат алмасу', retention: { kind: 'permanent', article: '23' } }));
        await mkdir(path.join(dir, '03-20'), { recursive: true });
        await writeFile(path.join(dir, '03-20', 'dossier.json'), JSON.stringify({ title: 'Іссапарлар туралы бұйрықтар', retention: { kind: 'years', years: 10, article: '600' } }));
        await writeFile(path.join(dir, '03-20', '2025-02-03 Бұйрық №3-ж.txt'), 'Іссапарға жіберу туралы бұйрық.\n');
      });
      report = await runIngest(env.deps, { tarPath: tar });
      expect(report.dossiers.map((d) => d.index)).toEqual(['03-12', '03-15', '03-20']);
      // 03-20 destroyed: the catalog record destruction/execute.ts leaves (the act itself is tests/destruction's).
      const gone = await env.db.selectFrom('dossiers').selectAll().where('id', '=', report.dossiers[2]!.id!).executeTakeFirstOrThrow();
      await env.db
        .insertInto('destroyed_dossiers')
        .values({
          dossier_id: gone.id,
          act_id: 'act-exchange-test',
          act_number: '4-Ж',
          case_index: gone.case_index,
          volume: gone.volume,
          heading: gone.title,
          year: gone.year,
          department: gone.department,
          start_date: null,
          end_date: null,
          retention: JSON.stringify({ kind: 'years', years: 10 }),
          method: 'crypto-erasure',
          destroyed_at: new Date('2026-12-01T00:00:00Z'),
          executed_by: randomUUID(),
          executed_by_name: 'Test',
          final_control: JSON.stringify({}),
        } as never)
        .execute();
      const year = gone.year!;
      yearTar = await exportHoldings(env.deps, { scope: { kind: 'year', year }, format: 'csip', container: 'tar', out: out('year.tar'), actor: archivist });
      bagFolder = await exportHoldings(env.deps, { scope: { kind: 'dossier', dossier: '03-15' }, format: 'bagit', container: 'folder', out: out('bag'), actor: SYSTEM_ACTOR });
      single = await exportHoldings(env.deps, { scope: { kind: 'dossier', dossier: report.dossiers[0]!.id! }, format: 'csip', container: 'folder', out: out('single'), actor: archivist });
      target = await createIngestEnv({ MURAGAT_MALWARE_POLICY: 'accept-with-warning' }, kind);
    }, 900_000);
    afterAll(async () => {
      await target?.close();
      await env?.close();
    });

    const pkg = () => path.join(out('single'), single.packages[0]!.objid);

    it('exports one package per dossier, leaving the destroyed dossier out by name, audited', async () => {
      expect(yearTar.packages.map((p) => p.index)).toEqual(['03-12', '03-15']);
      expect(yearTar.destroyed).toEqual([expect.objectContaining({ index: '03-20', act: '4-Ж' })]);
      const events = await listAuditEvents(env.db, { objectType: 'export' });
      expect(events.map((e) => e.action)).toEqual(['exchange.export', 'exchange.export', 'exchange.export']);
      expect(events.find((e) => e.objectId === yearTar.exportId)!.details).toMatchObject({ format: 'csip', container: 'tar', leftOutDestroyed: [expect.objectContaining({ index: '03-20' })] });
    });

    it('refuses the destroyed dossier asked for by name (410 with its act) and a researcher', async () => {
      await expect(exportHoldings(env.deps, { scope: { kind: 'dossier', dossier: '03-20' }, format: 'csip', container: 'folder', out: out('gone'), actor: archivist })).rejects.toMatchObject({ status: 410, code: 'destruction.dossier_destroyed' });
      await expect(exportHoldings(env.deps, { scope: { kind: 'dossier', dossier: '03-15' }, format: 'csip', container: 'folder', out: out('nope'), actor: researcher })).rejects.toMatchObject({ status: 403, code: 'exchange.forbidden' });
      await expect(exportHoldings(env.deps, { scope: { kind: 'dossier', dossier: '03-15' }, format: 'csip', container: 'folder', out: out('single'), actor: archivist })).rejects.toMatchObject({ status: 409, code: 'exchange.output_exists' });
      await expect(readdir(path.join(env.root, 'exports'))).resolves.toEqual(expect.not.arrayContaining(['gone', 'nope']));
    });

    it.each(CSIP_MUSTS)('the package METS meets %s', async (id) => {
      const { mets, problems } = await readPackageMets(pkg());
      expect(problems).toEqual([]);
      expect(checkCsipRequirements(mets!).filter((p) => p.requirement === id)).toEqual([]);
    });

    it('has the CSIP structure: METS.xml, metadata, representations of originals and PDF/A, schemas (CSIPSTR1-15)', async () => {
      const files = await listTree(pkg());
      expect(files).toContain('METS.xml');
      expect(files).toContain('metadata/preservation/premis.xml');
      expect(files).toContain('metadata/descriptive/dc.xml');
      expect(files).toContain('metadata/descriptive/dossier.json');
      expect(files).toContain('metadata/other/aip-manifest.json');
      expect(files).toEqual(expect.arrayContaining(['schemas/mets.xsd', 'schemas/xlink.xsd', 'schemas/DILCISExtensionMETS.xsd']));
      expect(files.some((f) => f.startsWith('representations/original/data/documents/001/original/'))).toBe(true);
      expect(files.some((f) => f.startsWith('documentation/inventory/'))).toBe(true);
      const renditions = files.filter((f) => f.startsWith('representations/pdfa/data/'));
      expect(renditions.length).toBeGreaterThan(0);
      for (const r of renditions) expect((await validatePdfA(path.join(pkg(), r))).compliant, r).toBe(true);
      // The originals byte for byte (the AIP manifest's digests) and the package is the whole AIP.
      const manifest = await readManifest(env.storage, (await env.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', single.packages[0]!.dossierId).executeTakeFirstOrThrow()).aip_manifest_sha256);
      for (const e of manifest.files.filter((f) => f.role === 'original')) {
        expect((await sha256File(path.join(pkg(), 'representations/original/data', e.path))).sha256).toBe(e.sha256);
      }
      expect((await sha256File(path.join(pkg(), 'metadata/other/aip-manifest.json'))).sha256).toBe(
        (await env.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', single.packages[0]!.dossierId).executeTakeFirstOrThrow()).aip_manifest_sha256,
      );
      const mets = parseMets(await readFile(path.join(pkg(), 'METS.xml'), 'utf8'));
      expect(mets['@PROFILE']).toBe(SIP_PROFILE);
      expect((mets['metsHdr'] as Record<string, unknown>)['@OAISPACKAGETYPE']).toBe('SIP');
      expect(mets['@OBJID']).toBe(single.packages[0]!.objid);
    });

    it('PREMIS carries the fixity of every file, the signature checks and the export fixity check', async () => {
      const premis = xml.parse(await readFile(path.join(pkg(), 'metadata/preservation/premis.xml'), 'utf8')).premis;
      const objects = [premis.object].flat() as Record<string, any>[];
      const originals = objects.filter((o) => String(o.objectIdentifier.objectIdentifierValue).startsWith('representations/original/'));
      expect(originals.length).toBeGreaterThan(0);
      for (const o of objects) {
        const file = path.join(pkg(), o.objectIdentifier.objectIdentifierValue);
        expect(o.objectCharacteristics.fixity.messageDigestAlgorithm).toBe('SHA-256');
        expect(o.objectCharacteristics.fixity.messageDigest).toBe((await sha256File(file)).sha256);
      }
      const events = [premis.event].flat() as Record<string, any>[];
      const signatureChecks = events.filter((e) => String(e.eventDetailInformation.eventDetail).startsWith('CMS signature verification of qabyldau'));
      expect(signatureChecks.map((e) => e.eventOutcomeInformation.eventOutcome)).toContain('valid');
      expect(String(signatureChecks[0]!.eventOutcomeInformation.eventOutcomeDetail.eventOutcomeDetailNote)).toMatch(/serial/);
      expect(events.some((e) => e.eventType === 'fixity check' && e.eventOutcomeInformation.eventOutcome === 'success')).toBe(true);
      expect(events.some((e) => e.eventType === 'migration')).toBe(true);
    });

    it.skipIf(!earkValidator())('the E-ARK validator (PyPI eark-validator) finds no error in the package', () => {
      const run = spawnSync('python3', [path.join(import.meta.dirname, 'eark-validate.py'), pkg()], { encoding: 'utf8', timeout: 300_000 });
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { errors: { rule: string; location: string }[]; structure: string };
      // The validator's SIP14 reads every note of every CREATOR agent, so it also fails the
      // software agent's version note, which CSIP16 requires to be "SOFTWARE VERSION": the two
      // cannot both hold for that note. Every other rule must pass.
      const conflict = (e: { rule: string; location: string }) => e.rule === 'SIP14' && e.location.includes("[local-name()='agent' and namespace-uri()='http://www.loc.gov/METS/'][1]/");
      expect(result.errors.filter((e) => !conflict(e))).toEqual([]);
      expect(result.structure).not.toBe('NOTWELLFORMED');
    }, 300_000);

    it('the bag validates: ours, and bagit.py when installed; a flipped byte is named', async () => {
      const root = out('bag');
      const files = await listTree(root);
      expect(files).toEqual(expect.arrayContaining(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'manifest-sha512.txt', 'tagmanifest-sha256.txt', 'tagmanifest-sha512.txt']));
      expect(files.filter((f) => f.startsWith('data/') && f.endsWith('/METS.xml'))).toHaveLength(1);
      expect((await validateBag(root)).problems).toEqual([]);
      if (bagitPy()) {
        const run = spawnSync('python3', ['-m', 'bagit', '--validate', root], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
      }
      const copy = out('bag-flipped');
      await cp(root, copy, { recursive: true });
      const victim = files.find((f) => f.includes('/representations/original/data/'))!;
      const bytes = await readFile(path.join(copy, victim));
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
      await writeFile(path.join(copy, victim), bytes);
      const problems = (await validateBag(copy)).problems;
      expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'bag_bad_checksum', file: 'manifest-sha256.txt', field: victim })]));
      if (bagitPy()) expect(spawnSync('python3', ['-m', 'bagit', '--validate', copy], { encoding: 'utf8' }).status).not.toBe(0);
      const refused = await refusal(copy);
      expect(refused.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'bag_bad_checksum', field: victim })]));
    });

    it('refuses a missing METS.xml, an unknown profile, a bad checksum and a missing file, naming file and field in kk, ru and en', async () => {
      const broken = async (name: string, change: (dir: string) => Promise<void>) => {
        const dir = out(name);
        await cp(pkg(), path.join(dir, single.packages[0]!.objid), { recursive: true });
        await change(path.join(dir, single.packages[0]!.objid));
        return dir;
      };
      const noMets = await refusal(await broken('no-mets', async (d) => writeFile(path.join(d, 'METS.xml'), '').then(() => import('node:fs/promises').then((fs) => fs.rm(path.join(d, 'METS.xml'))))));
      expect(noMets.problems).toEqual([expect.objectContaining({ code: 'missing_mets', requirement: 'CSIPSTR4' })]);

      const profile = await refusal(
        await broken('profile', async (d) => {
          const text = await readFile(path.join(d, 'METS.xml'), 'utf8');
          await writeFile(path.join(d, 'METS.xml'), text.replace(SIP_PROFILE, 'https://example.org/other-profile.xml'));
        }),
      );
      expect(profile.problems).toEqual([expect.objectContaining({ code: 'unknown_profile', field: 'mets/@PROFILE', file: `${single.packages[0]!.objid}/METS.xml` })]);
      expect(problemMessage('en', profile.problems[0]!)).toContain('https://example.org/other-profile.xml');

      let victim = '';
      const checksum = await refusal(
        await broken('checksum', async (d) => {
          victim = (await listTree(d)).find((f) => f.startsWith('representations/pdfa/data/'))!;
          const bytes = await readFile(path.join(d, victim));
          bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1;
          await writeFile(path.join(d, victim), bytes);
        }),
      );
      const bad = checksum.problems.find((p) => p.code === 'bad_checksum')!;
      expect(bad.file).toBe(`${single.packages[0]!.objid}/${victim}`);
      expect(bad.field).toMatch(/^mets\/fileSec\/fileGrp\[@USE='Representations\/pdfa'\]\/file\[@ID='.+'\]\/@CHECKSUM$/);
      for (const lang of ['kk', 'ru', 'en'] as const) {
        const text = problemMessage(lang, bad);
        expect(text).toContain(victim);
        expect(text).not.toMatch(/exchange\.|bad_checksum/);
      }

      const missing = await refusal(await broken('missing', async (d) => import('node:fs/promises').then((fs) => fs.rm(path.join(d, 'metadata/preservation/premis.xml')))));
      expect(missing.problems).toEqual([expect.objectContaining({ code: 'missing_file', file: `${single.packages[0]!.objid}/metadata/preservation/premis.xml` })]);

      // A METS without an attribute the profile requires: the requirement is named.
      const csip = await refusal(
        await broken('csip', async (d) => {
          const text = await readFile(path.join(d, 'METS.xml'), 'utf8');
          await writeFile(path.join(d, 'METS.xml'), text.replace(/ OBJID="[^"]*"/, '').replace(/(<mets:file [^>]*?) CHECKSUMTYPE="SHA-256"/, '$1'));
        }),
      );
      expect(csip.problems.map((p) => p.requirement)).toEqual(expect.arrayContaining(['CSIP1', 'CSIP72']));
      // Nothing was stored by any refusal; each is audited.
      expect(await target.db.selectFrom('transfers').select('id').execute()).toEqual([]);
      expect((await listAuditEvents(target.db, { objectType: 'import' })).every((e) => e.action === 'exchange.import_refuse')).toBe(true);
    });

    it('round trip: the year tar imported into another Muragat as a transfer, which verifies and keeps every original and signature verdict', async () => {
      const imported = await importPackages(target.deps, { source: out('year.tar'), actor: archivist });
      expect(imported.format).toBe('csip');
      expect(imported.transfers).toHaveLength(1);
      const transfer = imported.transfers[0]!;
      expect(transfer.status, JSON.stringify(transfer.failure)).toBe('completed');
      expect(transfer.dossiers.map((d) => d.index)).toEqual(['03-12', '03-15']);
      for (const d of transfer.dossiers) expect(d.accepted).toBe(d.documents);
      const verified = await verify(target);
      expect(verified.ok, JSON.stringify(verified.dossiers.filter((d) => !d.ok)).slice(0, 2000)).toBe(true);
      // The same originals and the same signature verdicts as in the source archive.
      const docs = async (e: IngestEnv) =>
        (await e.db.selectFrom('dossier_documents').innerJoin('dossiers', 'dossiers.id', 'dossier_documents.dossier_id').select(['dossiers.case_index', 'dossier_documents.position', 'dossier_documents.metadata']).orderBy('dossiers.case_index').orderBy('position').execute())
          .filter((r) => r.case_index !== '03-20')
          .map((r) => {
            const m = r.metadata as { files: { sha256: string }[]; signatures: { verdict: string }[]; title: string };
            return { index: r.case_index, position: r.position, title: m.title, files: m.files.map((f) => f.sha256).sort(), verdicts: m.signatures.map((s) => s.verdict) };
          });
      expect(await docs(target)).toEqual(await docs(env));
      expect((await listAuditEvents(target.db, { objectType: 'transfer', objectId: transfer.transferId })).map((e) => e.action)).toContain('exchange.import');
    });
  });
}
