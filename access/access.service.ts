// Access decisions that need the catalog: who the user is (department code), which dossier
// or transfer a request names and whether the user may reach it. Another department's object
// answers exactly like a missing one (same 404 code and message), so its existence does not
// leak; a refusal the user can act on (an upload for the wrong department) is a 403.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Role } from '../accounts/roles';
import { recordAudit, type Actor } from '../audit/audit.service';
import { ForbiddenError, NotFoundError, isAppError } from '../common/errors';
import { findDossier, type DossierRecord } from '../ingest/dossier/queries';
import { departmentCode, dossierDepartment, transferOwner } from './access.repository';
import { assertMayUploadFor, mayReach, scopeOf, type DepartmentScope, type Subject } from './policy';
import { dossierAccess, documentViews, isResearcher, recordResearcherRead, researcherContext, researcherViewOf, researcherViewsOf, type EffectiveRule, type ReadEvent } from './researcher.service';
import type { ResearcherContext } from './researcher-filter';
import type { ResearcherView } from './rules';

/** What the access service needs to know of a user (UserView fits). */
export interface AccessUser {
  id: string | null;
  username: string;
  roles: readonly Role[];
  departmentId: string | null;
}

export interface ReachableDossier {
  id: string;
  caseIndex: string;
  department: string | null;
  /** Its catalog row as read for the decision: readers take it rather than reading it again. */
  record: DossierRecord;
  /** A researcher's view of the dossier as decided (absent for staff). */
  view?: ResearcherView;
}

/**
 * What a route needs of a dossier for a researcher (staff are scoped by department only):
 * `metadata` its description (the dossier page), `content` its documents' files (each document
 * is then checked by `document()`), `whole` the dossier with every document at least described
 * (internal inventory, forms, packages: they list every document). `whole` is the default, so a
 * route that forgets to say gives away the least.
 */
export type DossierNeed = 'metadata' | 'content' | 'whole';

export function createAccessService(deps: { db: Kysely<Database>; now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  /** 404 as for a missing dossier when a researcher may not see it; 403 "restricted until" when it shows its description only. */
  async function assertResearcherMay(user: AccessUser, dossier: ReachableDossier, need: DossierNeed, idOrIndex: string): Promise<ResearcherView> {
    const view = await researcherViewOf(db, user, { dossierId: dossier.id }, now());
    if (view === 'none') throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
    if (need === 'metadata') return view;
    if (view !== 'full') throw await restricted(dossier.id, null);
    if (need === 'whole') {
      const views = await documentViews(db, user, dossier.id, now());
      const hidden = [...views].find(([, v]) => v === 'none');
      if (hidden) throw await restricted(dossier.id, hidden[0]);
    }
    return view;
  }

  /** The refusal a researcher can understand: what is closed and from when it opens (if ever). */
  async function restricted(dossierId: string, position: number | null): Promise<ForbiddenError> {
    const a = await dossierAccess(db, dossierId);
    const doc = position === null ? undefined : a.documents.find((d) => d.position === position);
    // A document is checked only once its dossier opened in full, so its own rule is the closing one.
    const rule = doc ? doc.rule : a.rule;
    const until = rule.kind === 'official_use' ? null : rule.until ?? null;
    return new ForbiddenError(
      until ? 'access.restricted_until' : 'access.restricted',
      until ? 'access.restricted_until' : 'access.restricted',
      { until: until ?? '', dossier: a.caseIndex, ...(position !== null ? { position } : {}) },
      { until, kind: rule.kind, dossier: a.caseIndex, ...(position !== null ? { position } : {}) },
    );
  }

  async function subject(user: AccessUser): Promise<Subject> {
    return { userId: user.id, username: user.username, roles: user.roles, departmentCode: await departmentCode(db, user.departmentId) };
  }

  async function scope(user: AccessUser): Promise<DepartmentScope> {
    return scopeOf(await subject(user));
  }

  /** The dossier's record, or the 404 of a missing one when the user's department may not reach it. */
  async function reach(user: AccessUser, idOrIndex: string): Promise<ReachableDossier> {
    const row = await findDossier(db, idOrIndex);
    const department = dossierDepartment(row);
    if (!mayReach(await scope(user), department)) {
      throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
    }
    return { id: row.id, caseIndex: row.case_index, department, record: row };
  }

  const api = {
    subject,
    scope,

    /**
     * The dossier named by id or case index, or the same 404 as a missing one: another
     * department's for department staff, one a researcher may not see (access rules, p.212).
     * `need` says what the route gives away (default the whole dossier). A researcher's read is
     * recorded by `whileRecording`, the one path for that.
     */
    async dossier(user: AccessUser, idOrIndex: string, options: { need?: DossierNeed } = {}): Promise<ReachableDossier> {
      const found = await reach(user, idOrIndex);
      if (isResearcher(user.roles)) found.view = await assertResearcherMay(user, found, options.need ?? 'whole', idOrIndex);
      return found;
    },

    /**
     * A document's file for this user: the dossier as `dossier(…, { need: 'content' })`, then the
     * document's own rule (404 when hidden, 403 "restricted until" when described only). Both
     * views of a researcher are read in one query.
     */
    async document(user: AccessUser, idOrIndex: string, position: number): Promise<ReachableDossier> {
      const found = await reach(user, idOrIndex);
      if (!isResearcher(user.roles)) return found;
      const views = await researcherViewsOf(db, user, found.id, position, now());
      if (views.dossier === 'none') throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
      if (views.dossier !== 'full') throw await restricted(found.id, null);
      if (views.document === 'none') throw new NotFoundError('ingest.document_not_in_dossier', 'ingest.document_not_in_dossier', { position, dossier: found.caseIndex });
      if (views.document !== 'full') throw await restricted(found.id, position);
      found.view = views.dossier;
      return found;
    },

    /**
     * The busiest reads (a dossier's page, a document's file): access decided first as by
     * `dossier` / `document`, then the researcher's read recorded while `prepare` makes the
     * answer — the audit commit no longer waits in line before the work — and the answer given
     * only once both succeeded. When the record fails, what `prepare` made is `discard`ed (an
     * open stream closed) and nothing is sent.
     */
    async whileRecording<T>(
      user: AccessUser,
      target: { dossier: string; position?: number; need?: DossierNeed },
      read: Omit<ReadEvent, 'dossierId' | 'caseIndex' | 'position'>,
      prepare: (d: ReachableDossier) => Promise<T>,
      discard: (made: T) => void = () => undefined,
    ): Promise<T> {
      const d = target.position === undefined ? await api.dossier(user, target.dossier, { need: target.need }) : await api.document(user, target.dossier, target.position);
      if (!isResearcher(user.roles)) return prepare(d);
      const recording = recordResearcherRead(db, actorOf(user), { ...read, dossierId: d.id, caseIndex: d.caseIndex, ...(target.position === undefined ? {} : { position: target.position }) });
      const [recorded, made] = await Promise.allSettled([recording, prepare(d)]);
      if (recorded.status === 'rejected') {
        if (made.status === 'fulfilled') discard(made.value);
        throw recorded.reason;
      }
      if (made.status === 'rejected') throw made.reason;
      return made.value;
    },

    /**
     * A dossier's detail as this user may see it. Staff: unchanged. A researcher: documents they
     * may not see left out, those described only without their files and with the date they
     * open, the dossier's own access, and no IIN of anyone (signers are persons).
     */
    async detailFor<D extends ResearcherDetailShape>(user: AccessUser, detail: D, reached?: ReachableDossier): Promise<D & { researcherAccess?: ResearcherAccessView }> {
      if (!isResearcher(user.roles)) return detail;
      const [views, dossierView] = await Promise.all([
        documentViews(db, user, detail.id, now()),
        reached?.id === detail.id && reached.view ? reached.view : researcherViewOf(db, user, { dossierId: detail.id }, now()),
      ]);
      // The rules themselves only say when something closed opens: read them only then.
      let rules: Promise<Awaited<ReturnType<typeof dossierAccess>>> | undefined;
      const access = () => (rules ??= dossierAccess(db, detail.id));
      const openOn = (rule: EffectiveRule | undefined) => (rule && rule.kind !== 'official_use' && rule.kind !== 'open' ? rule.until ?? null : null);
      const dossierOpens = dossierView === 'full' ? null : openOn((await access()).rule);
      const documents: (D['documents'][number] & { researcherAccess: { view: ResearcherView; until?: string | null } })[] = [];
      for (const d of detail.documents) {
        const view = views.get(d.position) ?? 'none';
        if (view === 'none') continue;
        if (view === 'full') {
          documents.push({ ...d, researcherAccess: { view } });
          continue;
        }
        // Closed by the dossier's rule or by its own: the later opening date is the one that counts.
        const own = openOn((await access()).documents.find((x) => x.position === d.position)?.rule);
        const until = [own, dossierOpens].filter((x): x is string => !!x).sort().at(-1) ?? null;
        documents.push({ ...d, hasRendition: false, researcherAccess: { view, until } });
      }
      const whole = dossierView === 'full' && documents.length === detail.documents.length;
      const redacted = withoutIin({ ...detail, documents, inventory: whole ? detail.inventory : { json: false, pdf: false } }) as D;
      return { ...redacted, researcherAccess: { view: dossierView, until: dossierOpens } };
    },

    /** The views of a dossier's documents for this user, by position ('full' for staff). */
    documentViews(user: AccessUser, dossierId: string): Promise<Map<number, ResearcherView>> {
      return documentViews(db, user, dossierId, now());
    },

    /** The SQL context of this user's researcher filter, or null for staff (who are not filtered by it). */
    researcher(user: AccessUser): ResearcherContext | null {
      return isResearcher(user.roles) ? researcherContext(user, now()) : null;
    },

    /** What a researcher is shown of a value: no person's IIN (staff: unchanged). */
    redactFor<T>(user: AccessUser, value: T): T {
      return isResearcher(user.roles) ? (withoutIin(value) as T) : value;
    },

    /** Records a researcher's view or download (staff reads are not recorded here). */
    recordRead(user: AccessUser, event: ReadEvent): Promise<void> {
      return recordResearcherRead(db, actorOf(user), event);
    },

    /** Throws the same 404 as a missing transfer unless the user may reach it. */
    async transfer(user: AccessUser, id: string): Promise<void> {
      const owner = await transferOwner(db, id);
      if (!owner || !mayReach(await scope(user), owner.department, owner.submittedBy)) {
        throw new NotFoundError('ingest.transfer_not_found', 'ingest.transfer_not_found', { id });
      }
    },

    /**
     * A dossier list filter narrowed to what the user may see; null when the filter asks for
     * another department only (the answer is then an empty list, as for an unknown code).
     */
    async dossierFilter<F extends { department?: string }>(user: AccessUser, filter: F): Promise<(F & { researcher?: ResearcherContext }) | null> {
      const s = await scope(user);
      // A researcher's list names only what the access rules let them see (ingest/intake/dossiers.service.ts applies it).
      if (s.kind === 'all') return isResearcher(user.roles) ? { ...filter, researcher: researcherContext(user, now()) } : filter;
      if (s.code === null || (filter.department !== undefined && filter.department !== s.code)) return null;
      return { ...filter, department: s.code };
    },

    /**
     * 403 (400 when the package names no department) unless the user may hand in a transfer
     * of department `code`; a refusal of an upload is recorded in the audit log.
     */
    async assertMayUploadFor(user: AccessUser, code: string | null, audit?: { actor: Actor; uploadId: string }): Promise<void> {
      try {
        assertMayUploadFor(await subject(user), code);
      } catch (error) {
        if (audit && isAppError(error)) {
          await recordAudit(db, {
            actor: audit.actor,
            action: 'transfer.upload_refuse',
            objectType: 'upload',
            objectId: audit.uploadId,
            details: { reason: error.code, department: code, own: (error.params as { own?: string }).own ?? null },
          });
        }
        throw error;
      }
    },
  };
  return api;
}

/** What detailFor needs of a dossier detail (ingest/intake/dossiers.service.ts DossierDetail fits). */
export interface ResearcherDetailShape {
  id: string;
  documents: { position: number; hasRendition: boolean }[];
  inventory: { json: boolean; pdf: boolean };
}

export interface ResearcherAccessView {
  view: ResearcherView;
  /** The date the item opens by itself; null when it is open or never opens by itself. */
  until: string | null;
}

/**
 * A copy without any `iin` member and with every "IIN" + 12 digits masked (Kazakh certificates
 * carry the holder's IIN in the subject's SERIALNUMBER): a person's IIN is personal data.
 */
export function withoutIin(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/IIN\d{12}/g, 'IIN************');
  if (Array.isArray(value)) return value.map(withoutIin);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'iin').map(([k, v]) => [k, withoutIin(v)]));
  }
  return value;
}

function actorOf(user: AccessUser): Actor {
  return { userId: user.id, username: user.username, roles: [...user.roles] };
}

export type AccessService = ReturnType<typeof createAccessService>;
