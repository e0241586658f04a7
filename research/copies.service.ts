// Certified copies of an approved request and their package (issue 13 "Certified copies").
//
// For every document of the request (a dossier item means each of its documents): the stored
// PDF/A rendition, read as the researcher (access rules apply to them, not to the archivist),
// certified (research/certify.ts), signed by the archive's system key (detached CMS,
// research/system-signer.ts) and verified at once; the verification report, a manifest of
// every file's SHA-256 (itself signed), the archive's certificate and a README in kk/ru/en go
// into one ZIP (opens on any computer without tools). The package is kept in the data folder
// and reached through an expiring link: a random 256-bit token whose SHA-256 only is stored,
// shown once to whoever made the copies (to send by e-mail, p.191), while the researcher
// downloads the same package from the portal with their session. Every download is audited
// and the first one by the researcher or through the link marks the request delivered.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { zipSync, unzipSync, strToU8 } from 'fflate';
import type { Kysely } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import type { Storage } from '../storage';
import { openDocumentFile } from '../ingest/intake/dossiers.service';
import { signDetached, verifySignature, type SignatureReport } from '../validators/signature';
import { reverifyAipSignatures, type Reverification } from '../ingest/aip/signature-evidence';
import { certifyCopy, STAMP, watermarkText, type SignatureRecheck, type SignatureVerdictText } from './certify';
import { loadArchiveSigner } from './system-signer';
import { assertArchivist, blockedItems, isArchivist, LINK_DAYS, loadRequest, markDelivered, notifyUsers, researcherActorOf, type RequestView } from './requests.service';
import type { PackageManifestFile } from './tables';

const DAY_MS = 24 * 60 * 60 * 1000;

/** 410: the link existed and ran out (or the package is gone). */
export class GoneError extends AppError {
  override readonly status = 410;
}

export interface CopiesDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** The data folder: packages are kept under research/packages/. */
  dataDir: string;
  /** The system keys folder (audit/audit-anchor.ts systemKeyDir). */
  keyDir: string;
}

export interface CopyProgress {
  done: number;
  total: number;
  item: string;
}

export interface MadeCopies {
  request: RequestView;
  /** The download token (shown once; only its SHA-256 is kept). */
  token: string;
  expiresAt: string;
  packageId: string;
  sha256: string;
  size: number;
  files: PackageManifestFile[];
  copies: { name: string; sheets: number; signature: string; verdict: string; original: { atIngest: string; atCopy: string; checkedAt: string } }[];
}

interface CopyTarget {
  dossierId: string;
  position: number;
  caseIndex: string;
  year: number | null;
}

/** Where a package's ZIP is kept in the data folder. */
export function packageFile(dataDir: string, id: string): string {
  return path.join(dataDir, 'research', 'packages', `${id}.zip`);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function streamBytes(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A file name safe on every system, keeping letters of any script. */
function safeName(text: string): string {
  const cleaned = text.normalize('NFC').replace(/[^\p{L}\p{N} ._-]+/gu, ' ').replace(/\s+/g, '_').replace(/^[._]+/, '');
  return cleaned.slice(0, 60) || 'document';
}

async function certifierOf(db: Kysely<Database>, actor: Actor, certifierUsername?: string): Promise<{ name: string; position: string; username: string }> {
  const username = actor.userId ? actor.username : certifierUsername;
  if (!username) throw new ValidationError('research.certifier_required', 'research.certifier_required', { option: '--certifier' });
  const row = await db.selectFrom('users').select(['username', 'full_name', 'position', 'roles', 'status']).where('username', '=', username).executeTakeFirst();
  if (!row || row.status !== 'active' || !(row.roles as string[]).includes('archivist')) {
    throw new ValidationError('research.certifier_not_archivist', 'research.certifier_not_archivist', { username });
  }
  return { name: row.full_name, position: row.position ?? 'архивист', username: row.username };
}

async function organisationName(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('organisation').select(['name_kk', 'name_ru']).executeTakeFirst().catch(() => undefined);
  return row?.name_kk || row?.name_ru || 'Muragat';
}

async function targetsOf(db: Kysely<Database>, requestId: string): Promise<CopyTarget[]> {
  const items = await db.selectFrom('research_request_items').selectAll().where('request_id', '=', requestId).orderBy('position').execute();
  const out: CopyTarget[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    const dossier = await db.selectFrom('dossiers').select(['id', 'case_index', 'year']).where('id', '=', it.dossier_id).executeTakeFirst();
    if (!dossier) throw new NotFoundError('research.item_not_found', 'research.item_not_found', { where: `items[${it.position - 1}]`, id: it.dossier_id });
    const positions =
      it.document_position !== null
        ? [it.document_position]
        : (await db.selectFrom('dossier_documents').select('position').where('dossier_id', '=', it.dossier_id).orderBy('position').execute()).map((r) => r.position);
    for (const position of positions) {
      const key = `${it.dossier_id}#${position}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ dossierId: it.dossier_id, position, caseIndex: dossier.case_index, year: dossier.year });
    }
  }
  return out;
}

function readme(view: RequestView, made: { expiresAt: string; organisation: string; count: number }): string {
  return [
    `${made.organisation}`,
    '',
    '=== Қазақша ===',
    `Сұрау № ${view.number}. Сұраушы: ${view.researcher.fullName} (${view.researcher.organisation}).`,
    `copies/ қалтасында электрондық құжаттардың куәландырылған көшірмелері (${made.count}), PDF/A-1b; әр көшірменің соңғы парағы — «${STAMP.kk}» куәландыру парағы.`,
    'Әр көшірмеге мұрағаттың жүйелік кілтімен бөлек CMS қолтаңбасы (.p7s) қойылған; verification-report.json — тексеру нәтижесі,',
    'manifest.json — барлық файлдардың SHA-256 хэштері (manifest.json.p7s — оның қолтаңбасы), system-certificate.pem — мұрағаттың сертификаты.',
    'Тексеру: openssl cms -verify -binary -inform DER -in copies/<файл>.pdf.p7s -content copies/<файл>.pdf -CAfile system-certificate.pem -purpose any -out /dev/null',
    '',
    '=== Русский ===',
    `Запрос № ${view.number}. Заявитель: ${view.researcher.fullName} (${view.researcher.organisation}).`,
    `В папке copies/ заверенные копии электронных документов (${made.count}), PDF/A-1b; последний лист каждой копии — лист заверения «${STAMP.ru}».`,
    'Каждая копия подписана системным ключом архива отдельной подписью CMS (.p7s); verification-report.json — результат проверки,',
    'manifest.json — хэши SHA-256 всех файлов (manifest.json.p7s — его подпись), system-certificate.pem — сертификат архива.',
    'Проверка: openssl cms -verify -binary -inform DER -in copies/<файл>.pdf.p7s -content copies/<файл>.pdf -CAfile system-certificate.pem -purpose any -out /dev/null',
    '',
    '=== English ===',
    `Request ${view.number} by ${view.researcher.fullName}. Certified copies in copies/, each with a detached CMS signature by the archive's system key; manifest.json lists every file's SHA-256.`,
    `The download link expires at ${made.expiresAt}.`,
    '',
  ].join('\n');
}

function reportSummary(report: SignatureReport) {
  return {
    verdict: report.verdict,
    ...(report.reason ? { reason: report.reason } : {}),
    signers: report.signers.map((s) => ({ subject: s.signer.subject, serialNumber: s.signer.serialNumber, verdict: s.verdict, signingTime: s.signingTime ?? null, checks: s.checks })),
  };
}

/** The original's signatures checked again now, from the dossier's AIP evidence alone. */
export interface OriginalRecheck extends SignatureRecheck {
  /** Each signature file of the document re-verified (AIP path, verdict, signers). */
  signatures: { path: string; verdict: string; reason?: string; signers: { subject: string; serialNumber: string; verdict: string; signingTime: string | null }[] }[];
}

/**
 * Re-verifies the document's signatures when its copy is made (p.37–38: the copy states the
 * check result), from the evidence kept in the dossier's AIP (certificates, anchors, CRLs,
 * OCSP responses; ingest/aip/signature-evidence.ts) — not the trust folder or the network, so
 * the answer is the one a later re-check of the archive would give. One re-verification per
 * dossier serves all of its documents.
 */
async function recheckOriginal(
  deps: CopiesDeps,
  cache: Map<string, Promise<Reverification[]>>,
  document: { dossierId: string; sha256: string; signed: boolean },
  lang: 'kk' | 'ru',
): Promise<OriginalRecheck> {
  const checkedAt = new Date().toISOString();
  if (!document.signed) return { verdict: 'unsigned', checkedAt, signatures: [] };
  let pending = cache.get(document.dossierId);
  if (!pending) {
    pending = (async () => {
      const dossier = await deps.db.selectFrom('dossiers').select('aip_manifest_sha256').where('id', '=', document.dossierId).executeTakeFirst();
      if (!dossier?.aip_manifest_sha256) return [];
      return reverifyAipSignatures(deps.storage, dossier.aip_manifest_sha256, { lang });
    })();
    cache.set(document.dossierId, pending);
  }
  let results: Reverification[];
  try {
    results = (await pending).filter((r) => r.record.content.sha256 === document.sha256);
  } catch (error) {
    // The AIP's evidence could not be read: the copy says the check could not be made, and why.
    return { verdict: 'cannot-verify', checkedAt, reason: (error as Error).message.slice(0, 500), signatures: [] };
  }
  if (!results.length) return { verdict: 'cannot-verify', checkedAt, reason: 'no-evidence', signatures: [] };
  const signatures = results.map(({ record, report }) => ({
    path: record.signature.path,
    verdict: report.verdict,
    ...(report.reason ? { reason: report.reason } : {}),
    signers: report.signers.map((sr) => ({ subject: sr.signer.subject, serialNumber: sr.signer.serialNumber, verdict: sr.verdict, signingTime: sr.signingTime ?? null })),
  }));
  const worst = signatures.find((x) => x.verdict === 'invalid') ?? signatures.find((x) => x.verdict === 'cannot-verify');
  return { verdict: (worst?.verdict ?? 'valid') as SignatureVerdictText, checkedAt, ...(worst?.reason ? { reason: worst.reason } : {}), signatures };
}

/**
 * Makes the certified copies of an approved request and their package; the request becomes
 * copies_ready. Again after expiry (a new package, a new link). Refused while the researcher
 * may not get every item in full (access/ researcherViewOf).
 */
export async function makeCopies(
  deps: CopiesDeps,
  actor: Actor,
  requestId: string,
  options: { certifier?: string; linkDays?: number; now?: Date; onProgress?: (p: CopyProgress) => void } = {},
): Promise<MadeCopies> {
  assertArchivist(actor);
  const now = options.now ?? new Date();
  const view = await loadRequest(deps.db, requestId, now);
  if (!['approved', 'copies_ready', 'expired'].includes(view.status)) {
    throw new ConflictError('research.request_status_conflict', 'research.request_status_conflict', { number: view.number, status: view.status, action: 'copy' }, { status: view.status, allowed: ['approved', 'copies_ready', 'expired'] });
  }
  const blocked = await blockedItems(deps.db, view.id, now);
  if (blocked.length) throw new ConflictError('research.items_not_open', 'research.items_not_open', { number: view.number, items: blocked.map((b) => b.label).join('; ') }, { items: blocked });

  const certifier = await certifierOf(deps.db, actor, options.certifier);
  const organisation = await organisationName(deps.db);
  const signer = await loadArchiveSigner(deps.keyDir, organisation);
  const researcher = await researcherActorOf(deps.db, (await deps.db.selectFrom('research_requests').select('user_id').where('id', '=', view.id).executeTakeFirstOrThrow()).user_id);
  const requester = `${view.researcher.fullName} (${view.researcher.organisation})`;
  const targets = await targetsOf(deps.db, view.id);
  if (!targets.length) throw new ValidationError('research.nothing_to_copy', 'research.nothing_to_copy', { number: view.number });

  const zipEntries: Record<string, Uint8Array> = {};
  const files: PackageManifestFile[] = [];
  const copies: MadeCopies['copies'] = [];
  const reports: Record<string, unknown>[] = [];
  const rechecks = new Map<string, Promise<Reverification[]>>();
  const add = (name: string, bytes: Uint8Array, role: PackageManifestFile['role']) => {
    zipEntries[name] = bytes;
    files.push({ path: name, sha256: sha256(bytes), size: bytes.length, role });
  };

  for (const [i, target] of targets.entries()) {
    const label = `${target.caseIndex} №${target.position}`;
    options.onProgress?.({ done: i, total: targets.length, item: label });
    const row = await deps.db
      .selectFrom('dossier_documents as dd')
      .innerJoin('documents as d', 'd.id', 'dd.document_id')
      .select(['dd.metadata', 'd.signature', 'd.sha256'])
      .where('dd.dossier_id', '=', target.dossierId)
      .where('dd.position', '=', target.position)
      .executeTakeFirstOrThrow();
    const meta = row.metadata as { title?: string; date?: string | null; number?: string | null; software?: { name?: string; version?: string } };
    const signature = row.signature as { verdict?: SignatureVerdictText; signers?: string[] } | null;
    const metaSignatures = (row.metadata as { signatures?: { verifiedAt?: string }[] }).signatures ?? [];
    let rendition: Uint8Array;
    try {
      const file = await openDocumentFile({ db: deps.db, storage: deps.storage }, researcher, target.dossierId, target.position, 'rendition', now);
      rendition = await streamBytes(file.stream);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new ConflictError('research.rendition_unreadable', 'research.rendition_unreadable', { document: label, error: (error as Error).message });
    }
    const recheck = await recheckOriginal(deps, rechecks, { dossierId: target.dossierId, sha256: row.sha256, signed: !!signature && signature.verdict !== 'unsigned' }, view.language);
    const software = meta.software?.name ? `; ${meta.software.name}${meta.software.version ? ` ${meta.software.version}` : ''}` : '';
    let certified: { bytes: Uint8Array; sheets: number };
    try {
      certified = await certifyCopy(rendition, {
        requestNumber: view.number,
        requester,
        document: { title: meta.title ?? label, date: meta.date ?? null, number: meta.number ?? null, dossier: `${target.caseIndex}${target.year ? ` (${target.year})` : ''}`, position: target.position },
        signature: { verdict: signature?.verdict ?? 'unsigned', signers: signature?.signers ?? [], checkedAt: metaSignatures[0]?.verifiedAt ?? null, recheck },
        sourceSystem: `Muragat — ${organisation}${software}`,
        certifier: { name: certifier.name, position: certifier.position },
        copyDate: now,
        organisation,
      });
    } catch (error) {
      throw new ConflictError('research.rendition_unreadable', 'research.rendition_unreadable', { document: label, error: (error as Error).message });
    }
    const name = `copies/${String(i + 1).padStart(3, '0')}_${safeName(`${target.caseIndex}_${target.position}_${meta.title ?? ''}`)}.pdf`;
    // The signature states when it was really made; `now` is the workflow's clock (dates, expiry).
    const cms = await signDetached(certified.bytes, signer.pkcs12, signer.password, { signingTime: new Date() });
    const report = await verifySignature({ signature: cms, content: certified.bytes, trustDir: signer.trustDir, lang: view.language });
    add(name, certified.bytes, 'copy');
    add(`${name}.p7s`, cms, 'signature');
    copies.push({ name, sheets: certified.sheets, signature: `${name}.p7s`, verdict: report.verdict, original: { atIngest: signature?.verdict ?? 'unsigned', atCopy: recheck.verdict, checkedAt: recheck.checkedAt } });
    reports.push({
      file: name,
      sha256: sha256(certified.bytes),
      sheets: certified.sheets,
      dossierId: target.dossierId,
      documentPosition: target.position,
      // The original's signature: as checked at ingest, and checked again now from the AIP's evidence.
      originalSignature: {
        atIngest: { verdict: signature?.verdict ?? 'unsigned', checkedAt: metaSignatures[0]?.verifiedAt ?? null },
        atCopy: recheck,
      },
      signature: reportSummary(report),
    });
  }
  options.onProgress?.({ done: targets.length, total: targets.length, item: '' });

  const expiresAt = new Date(now.getTime() + (options.linkDays ?? LINK_DAYS) * DAY_MS);
  add('system-certificate.pem', strToU8(signer.certificatePem), 'report');
  add(
    'verification-report.json',
    strToU8(JSON.stringify({ schema: 'muragat.copy-verification/1', request: view.number, madeAt: now.toISOString(), signer: signer.subject, certifier: certifier.name, watermark: watermarkText({ requester, requestNumber: view.number, copyDate: now }), copies: reports }, null, 2) + '\n'),
    'report',
  );
  add('README.txt', strToU8(readme(view, { expiresAt: expiresAt.toISOString(), organisation, count: copies.length })), 'readme');
  const manifest = strToU8(
    JSON.stringify({ schema: 'muragat.copy-package/1', request: view.number, requester, organisation, madeAt: now.toISOString(), expiresAt: expiresAt.toISOString(), algorithm: 'SHA-256', files }, null, 2) + '\n',
  );
  zipEntries['manifest.json'] = manifest;
  zipEntries['manifest.json.p7s'] = await signDetached(manifest, signer.pkcs12, signer.password, { signingTime: new Date() });
  // Fixed entry times keep the archive's bytes a function of its contents.
  const zip = zipSync(Object.fromEntries(Object.entries(zipEntries).map(([k, v]) => [k, [v, { mtime: now, level: k.endsWith('.pdf') ? 0 : 6 }]])));
  const zipSha = sha256(zip);
  const token = randomBytes(32).toString('base64url');
  const fileName = `muragat-copies-${view.number.replace(/\//g, '-')}.zip`;

  const packageId = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('research_packages')
      .values({ request_id: view.id, token_sha256: sha256(Buffer.from(token)), sha256: zipSha, size: zip.length, file_name: fileName, manifest: JSON.stringify({ files }), created_by: actor.username, created_at: now, expires_at: expiresAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    const file = packageFile(deps.dataDir, row.id);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, zip);
    await rename(temp, file);
    await trx.updateTable('research_requests').set({ status: 'copies_ready', copies_at: now, updated_at: now }).where('id', '=', view.id).execute();
    await recordAudit(trx, {
      actor,
      action: 'research_request.copies',
      objectType: 'research_request',
      objectId: view.id,
      details: { number: view.number, previousStatus: view.status, status: 'copies_ready', documents: copies.length, sha256: zipSha, size: zip.length, files: copies.map((c) => c.name), signer: signer.subject },
    });
    await notifyUsers(trx, [researcher.userId!], { kind: 'copies_ready', requestId: view.id, params: { number: view.number, expires: expiresAt.toISOString() } });
    return row.id;
  });
  return { request: await loadRequest(deps.db, view.id, now), token, expiresAt: expiresAt.toISOString(), packageId, sha256: zipSha, size: zip.length, files, copies };
}

export interface PackageDownload {
  bytes: Buffer;
  fileName: string;
  sha256: string;
  requestId: string;
}

async function readPackage(deps: CopiesDeps, pkg: { id: string; sha256: string }): Promise<Buffer> {
  const bytes = await readFile(packageFile(deps.dataDir, pkg.id)).catch(() => null);
  if (!bytes) throw new GoneError('research.package_gone', 'research.package_gone', {});
  // A package changed on disk is never handed out as the archive's.
  if (sha256(bytes) !== pkg.sha256) throw new GoneError('research.package_damaged', 'research.package_damaged', {});
  return bytes;
}

async function recordDownload(deps: CopiesDeps, actor: Actor, pkg: { id: string; request_id: string }, via: 'link' | 'portal', ip: string | undefined, now: Date, deliver: boolean): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('research_packages').set((eb) => ({ downloads: eb('downloads', '+', 1) })).where('id', '=', pkg.id).execute();
    const req = await trx.selectFrom('research_requests').select(['number', 'status']).where('id', '=', pkg.request_id).executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'research_package.download', objectType: 'research_request', objectId: pkg.request_id, details: { number: req.number, kind: via, ...(ip ? { ip } : {}) } });
    if (deliver && req.status === 'copies_ready') await markDelivered(trx, actor, pkg.request_id, 'download', now);
  });
}

/** The package behind a link token; 404 for an unknown token, 410 once it has expired. */
export async function downloadByToken(deps: CopiesDeps, token: string, context: { ip?: string; now?: Date } = {}): Promise<PackageDownload> {
  const now = context.now ?? new Date();
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new NotFoundError('research.link_unknown', 'research.link_unknown', {});
  const pkg = await deps.db.selectFrom('research_packages').selectAll().where('token_sha256', '=', sha256(Buffer.from(token))).executeTakeFirst();
  if (!pkg) throw new NotFoundError('research.link_unknown', 'research.link_unknown', {});
  const actor: Actor = { userId: null, username: 'link', roles: [] };
  if (new Date(pkg.expires_at).getTime() <= now.getTime()) {
    await recordAudit(deps.db, { actor, action: 'research_package.expired_link', objectType: 'research_request', objectId: pkg.request_id, details: { ...(context.ip ? { ip: context.ip } : {}) } });
    throw new GoneError('research.link_expired', 'research.link_expired', { expiresAt: new Date(pkg.expires_at).toISOString() });
  }
  const bytes = await readPackage(deps, pkg);
  await recordDownload(deps, actor, pkg, 'link', context.ip, now, true);
  return { bytes, fileName: pkg.file_name, sha256: pkg.sha256, requestId: pkg.request_id };
}

/** The latest package of a request for its researcher (or the archivist), while it is valid. */
export async function downloadForUser(deps: CopiesDeps, actor: Actor, requestId: string, context: { ip?: string; now?: Date } = {}): Promise<PackageDownload> {
  const now = context.now ?? new Date();
  const view = await loadRequest(deps.db, requestId, now);
  const owner = (await deps.db.selectFrom('research_requests').select('user_id').where('id', '=', view.id).executeTakeFirstOrThrow()).user_id;
  const archivist = actor.userId === null || isArchivist(actor);
  if (!archivist && actor.userId !== owner) throw new NotFoundError('research.request_not_found', 'research.request_not_found', { id: requestId });
  const pkg = await deps.db.selectFrom('research_packages').selectAll().where('request_id', '=', view.id).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  if (!pkg) throw new NotFoundError('research.package_missing', 'research.package_missing', { number: view.number });
  if (new Date(pkg.expires_at).getTime() <= now.getTime()) throw new GoneError('research.link_expired', 'research.link_expired', { expiresAt: new Date(pkg.expires_at).toISOString() });
  const bytes = await readPackage(deps, pkg);
  // The archivist's own look is audited but does not count as handing the copies over.
  await recordDownload(deps, actor, pkg, 'portal', context.ip, now, actor.userId === owner);
  return { bytes, fileName: pkg.file_name, sha256: pkg.sha256, requestId: view.id };
}

/** The files of a package as stored (tests and the print view read it back). */
export function unpack(zip: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(zip);
}

/**
 * The print view for paper copies: every certified copy of the latest package, one after
 * another in one PDF to print (each already ends with its certification sheet). Archivist only;
 * audited.
 */
export async function printCopies(deps: CopiesDeps, actor: Actor, requestId: string, now = new Date()): Promise<{ bytes: Uint8Array; fileName: string }> {
  assertArchivist(actor);
  const view = await loadRequest(deps.db, requestId, now);
  const pkg = await deps.db.selectFrom('research_packages').selectAll().where('request_id', '=', view.id).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  if (!pkg) throw new NotFoundError('research.package_missing', 'research.package_missing', { number: view.number });
  const entries = unpack(await readPackage(deps, pkg));
  const out = await PDFDocument.create();
  for (const name of Object.keys(entries).filter((n) => n.startsWith('copies/') && n.endsWith('.pdf')).sort()) {
    const src = await PDFDocument.load(entries[name]!);
    for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page);
  }
  out.setTitle(`${STAMP.ru}: ${view.number}`);
  const bytes = await out.save();
  await recordAudit(deps.db, { actor, action: 'research_request.print', objectType: 'research_request', objectId: view.id, details: { number: view.number, documents: Object.keys(entries).filter((n) => n.endsWith('.pdf')).length } });
  return { bytes, fileName: `muragat-print-${view.number.replace(/\//g, '-')}.pdf` };
}
