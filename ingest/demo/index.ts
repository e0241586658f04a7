// Demo data for `npm start`: a realistic transfer of the demo organisation's personnel
// department (see generate.ts), signed with a DEMO PKI (pki.ts), packed once and cached
// under $MURAGAT_DATA_DIR/demo/, ingested once as the demo clerk, and then partly signed by
// the demo archivist (inventories) and the demo head of department (integrity) so the demo
// shows both stored and awaiting-signature dossiers. Their DEMO certificates are registered
// to the demo users first: a signature counts only with a certificate bound to its signer.
// `muragat serve --demo` runs ensureDemoTransfer in the background after the server listens.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { logger, type Logger } from '../../common/logger';
import { SYSTEM_ACTOR, type Actor } from '../../audit/audit.service';
import { findUser } from '../../accounts/users.repository';
import { bindingOfCertificate } from '../../accounts/signers.repository';
import { createSignersService } from '../../accounts/signers.service';
import { readCertificate } from '../../validators/signature/certificate';
import type { Role } from '../../accounts/roles';
import { signDetached } from '../../validators/signature';
import { packTransfer } from '../transfer';
import { runIngest, type IngestProgress } from '../pipeline/run';
import type { IngestReport } from '../pipeline/report';
import { loadTools, type IngestDeps } from '../pipeline/tools';
import { attachDossierSignature, signingContent } from '../dossier/signing';
import { buildDemoTree, DEMO_DEPARTMENT_CODE } from './generate';
import { ensureDemoPki, type DemoPki } from './pki';

export { buildDemoTree } from './generate';
export { ensureDemoPki } from './pki';

/** Every demo package's file name starts with this: the catalog marker of the demo transfer. */
export const DEMO_SOURCE_PREFIX = 'muragat-demo-transfer-';

export type DemoPhase = 'pki' | 'generate' | 'ingest' | 'sign' | 'done';
export interface DemoProgress {
  phase: DemoPhase;
  ingest?: IngestProgress;
}

export interface EnsureDemoOptions {
  onProgress?: (p: DemoProgress) => void;
  /** Year of the demo dossiers (default: last year). */
  year?: number;
}

export interface DemoTransferResult {
  transferId: string;
  /** False when the demo transfer was already in the catalog (nothing ingested). */
  ingested: boolean;
  /** The ingest report when ingested now. */
  report?: IngestReport;
  tarPath: string;
  sha256: string;
  /** "<case index>:<inventory|integrity>" signed by this call. */
  signed: string[];
}

/** Which dossier gets which signatures: one fully signed, one half, one awaiting both. The
 * archivist signs inventories, the head of department integrity statements (p.206, p.208). */
const SIGN_PLAN: Record<string, ('inventory' | 'integrity')[]> = {
  [`${DEMO_DEPARTMENT_CODE}-1`]: ['inventory', 'integrity'],
  [`${DEMO_DEPARTMENT_CODE}-2`]: ['inventory'],
};

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function actorOf(deps: IngestDeps, username: string): Promise<Actor> {
  const user = await findUser(deps.db, username);
  if (!user) return SYSTEM_ACTOR;
  return { userId: user.id, username: user.username, roles: user.roles as Role[], requestId: 'demo-transfer' };
}

/**
 * The trust folder that verifies DEMO signatures. With the default trust folder (inside the
 * data folder) the DEMO root is installed there, so every later check (dossier view, AIP
 * verification) agrees; an explicitly configured trust folder is never written to — the demo
 * then uses a copy of it plus the DEMO root.
 */
async function demoTrust(deps: IngestDeps, pki: DemoPki): Promise<string> {
  const configured = path.resolve(deps.config.trustDir);
  const inside = !path.relative(path.resolve(deps.config.dataDir), configured).startsWith('..');
  const target = inside ? configured : path.join(deps.config.dataDir, 'demo', 'trust');
  await mkdir(target, { recursive: true });
  if (!inside) {
    for (const name of await readdir(configured).catch(() => [] as string[])) {
      const from = path.join(configured, name);
      if ((await stat(from)).isFile()) await copyFile(from, path.join(target, name));
    }
  }
  for (const name of await readdir(pki.trustDir)) {
    const to = path.join(target, name);
    if (!(await exists(to))) await copyFile(path.join(pki.trustDir, name), to);
  }
  return target;
}

/** The cached package for the year, built (deterministically) when absent. */
async function demoPackage(deps: IngestDeps, pki: DemoPki, year: number, onProgress: (p: DemoProgress) => void): Promise<string> {
  const dir = path.join(deps.config.dataDir, 'demo');
  const tar = path.join(dir, `${DEMO_SOURCE_PREFIX}${year}.tar`);
  if (await exists(tar)) return tar;
  onProgress({ phase: 'generate' });
  const tree = path.join(dir, `tree-${process.pid}`);
  const partial = `${tar}.${process.pid}.partial`;
  try {
    const built = await buildDemoTree(tree, { year, sign: (content, signingTime) => signDetached(content, pki.head.p12, pki.password, { signingTime }) });
    await packTransfer(tree, partial, { createdAt: built.createdAt });
    await rename(partial, tar);
  } finally {
    await rm(tree, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
  return tar;
}

/**
 * Makes sure the demo transfer is in the catalog: builds (once) and ingests it as the demo
 * clerk unless a demo transfer was already ingested, then adds the archivist's DEMO
 * signatures that are still missing. Safe to call on every start and after a crash: the
 * package is cached, the ingest resumes by the package's hash, signing checks what exists.
 */
export async function ensureDemoTransfer(deps: IngestDeps, options: EnsureDemoOptions = {}): Promise<DemoTransferResult> {
  const log = logger().child({ component: 'demo-transfer' });
  const onProgress = options.onProgress ?? (() => {});
  const year = options.year ?? new Date().getFullYear() - 1;
  onProgress({ phase: 'pki' });
  const pki = await ensureDemoPki(path.join(deps.config.dataDir, 'demo-pki'));
  const trustDir = await demoTrust(deps, pki);
  // The demo documents are made right here, so they need no malware scan to be trusted: without
  // ClamAV signatures (an offline demo machine) the refuse policy would reject every one. The
  // report still carries the "not scanned" warning.
  const demoDeps: IngestDeps = { ...deps, config: { ...deps.config, trustDir, malwarePolicy: 'accept-with-warning' } };

  const tar = await demoPackage(deps, pki, year, onProgress);
  const sha256 = await sha256File(tar);
  // The marker: this package's hash, or any completed demo package (a regenerated package
  // with other bytes must not bring a second copy of the same dossiers).
  const done = await deps.db
    .selectFrom('transfers')
    .select(['id', 'source_sha256'])
    .where('status', '=', 'completed')
    .where((eb) => eb.or([eb('source_sha256', '=', sha256), eb('source_name', 'like', `${DEMO_SOURCE_PREFIX}%`)]))
    .orderBy('received_at')
    .executeTakeFirst();

  let transferId: string;
  let report: IngestReport | undefined;
  if (done) {
    transferId = done.id;
  } else {
    onProgress({ phase: 'ingest' });
    const clerk = await actorOf(deps, 'clerk');
    report = await runIngest(demoDeps, { tarPath: tar, actor: clerk, onProgress: (p) => onProgress({ phase: 'ingest', ingest: p }) });
    transferId = report.transfer;
    const docs = report.dossiers.flatMap((d) => d.documents);
    log.info({ transfer: transferId, dossiers: report.dossiers.length, documents: docs.length, accepted: docs.filter((d) => d.status === 'accepted').length }, 'demo transfer ingested');
  }

  onProgress({ phase: 'sign' });
  await bindDemoCertificates(deps, pki);
  const signed = await signDemoDossiers(demoDeps, pki, trustDir, transferId);
  onProgress({ phase: 'done' });
  return { transferId, ingested: !done, ...(report ? { report } : {}), tarPath: tar, sha256, signed };
}

/** Registers the DEMO head's and archivist's certificates to the demo users (once). */
async function bindDemoCertificates(deps: IngestDeps, pki: DemoPki): Promise<void> {
  const signers = createSignersService({ db: deps.db });
  for (const name of ['head', 'archivist'] as const) {
    if (!(await findUser(deps.db, name))) continue;
    const pem = new Uint8Array(await readFile(path.join(pki.dir, `${name}.pem`)));
    const cert = readCertificate(pem, `${name}.pem`);
    if (await bindingOfCertificate(deps.db, cert.info.issuer, cert.info.serialNumber)) continue;
    await signers.addCertificate(SYSTEM_ACTOR, name, pem, `${name}.pem`);
  }
}

async function signDemoDossiers(deps: IngestDeps, pki: DemoPki, trustDir: string, transferId: string): Promise<string[]> {
  const dossiers = await deps.db.selectFrom('dossiers').select(['id', 'case_index']).where('transfer_id', '=', transferId).execute();
  if (!dossiers.length) return [];
  const signerOf = { inventory: { actor: await actorOf(deps, 'archivist'), key: pki.archivist }, integrity: { actor: await actorOf(deps, 'head'), key: pki.head } };
  const tools = deps.tools ?? (await loadTools());
  const signed: string[] = [];
  for (const d of dossiers) {
    const plan = SIGN_PLAN[d.case_index] ?? [];
    if (!plan.length) continue;
    const have = await deps.db.selectFrom('dossier_signatures').select('kind').where('dossier_id', '=', d.id).where('verdict', '=', 'valid').execute();
    for (const kind of plan) {
      if (have.some((s) => s.kind === kind)) continue;
      const content = await signingContent(deps, d.id, kind);
      const cms = await signDetached(new Uint8Array(content), signerOf[kind].key.p12, pki.password);
      await attachDossierSignature({ db: deps.db, storage: deps.storage, trustDir, tools }, signerOf[kind].actor, { dossierId: d.id, kind, cms });
      signed.push(`${d.case_index}:${kind}`);
    }
  }
  return signed;
}

export interface DemoTransferOutcome {
  ok: boolean;
  result?: DemoTransferResult;
  dossiers: number;
  documents: number;
  error?: string;
}

/**
 * For `serve --demo`: runs ensureDemoTransfer in the background, logging its progress, and
 * never rejects — a failed demo ingest is logged and the server keeps serving.
 */
export function startDemoTransfer(deps: IngestDeps, log: Pick<Logger, 'info' | 'error'>): Promise<DemoTransferOutcome> {
  let lastStep = '';
  const started = Date.now();
  return ensureDemoTransfer(deps, {
    onProgress: (p) => {
      const step = p.ingest ? `${p.phase}:${p.ingest.step}` : p.phase;
      if (step === lastStep || p.phase === 'done' || p.ingest?.step === 'receive') return;
      lastStep = step;
      log.info({ phase: p.phase, ...(p.ingest ? { step: p.ingest.step, done: p.ingest.done, total: p.ingest.total } : {}) }, 'demo transfer');
    },
  }).then(
    async (result) => {
      const dossiers = await deps.db.selectFrom('dossiers').select(['id']).where('transfer_id', '=', result.transferId).execute();
      const documents = dossiers.length
        ? Number((await deps.db.selectFrom('dossier_documents').select((eb) => eb.fn.countAll().as('n')).where('dossier_id', 'in', dossiers.map((d) => d.id)).executeTakeFirstOrThrow()).n)
        : 0;
      log.info({ transfer: result.transferId, ingested: result.ingested, dossiers: dossiers.length, documents, signed: result.signed, seconds: Math.round((Date.now() - started) / 1000) }, result.ingested ? 'demo transfer ingested' : 'demo transfer already in the archive');
      return { ok: true, result, dossiers: dossiers.length, documents };
    },
    (error: unknown) => {
      log.error({ err: error }, 'demo transfer failed; the server keeps running without it');
      return { ok: false, dossiers: 0, documents: 0, error: error instanceof Error ? error.message : String(error) };
    },
  );
}
