// Access decisions that need the catalog: who the user is (department code), which dossier
// or transfer a request names and whether the user may reach it. Another department's object
// answers exactly like a missing one (same 404 code and message), so its existence does not
// leak; a refusal the user can act on (an upload for the wrong department) is a 403.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Role } from '../accounts/roles';
import { recordAudit, type Actor } from '../audit/audit.service';
import { NotFoundError, isAppError } from '../common/errors';
import { findDossier } from '../ingest/dossier/queries';
import { departmentCode, dossierDepartment, transferOwner } from './access.repository';
import { assertMayUploadFor, mayReach, scopeOf, type DepartmentScope, type Subject } from './policy';

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
}

export function createAccessService(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  async function subject(user: AccessUser): Promise<Subject> {
    return { userId: user.id, username: user.username, roles: user.roles, departmentCode: await departmentCode(db, user.departmentId) };
  }

  async function scope(user: AccessUser): Promise<DepartmentScope> {
    return scopeOf(await subject(user));
  }

  return {
    subject,
    scope,

    /** The dossier named by id or case index, or the same 404 as a missing one. */
    async dossier(user: AccessUser, idOrIndex: string): Promise<ReachableDossier> {
      const row = await findDossier(db, idOrIndex);
      const department = await dossierDepartment(db, row.id);
      if (!mayReach(await scope(user), department)) {
        throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: idOrIndex });
      }
      return { id: row.id, caseIndex: row.case_index, department };
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
    async dossierFilter<F extends { department?: string }>(user: AccessUser, filter: F): Promise<F | null> {
      const s = await scope(user);
      if (s.kind === 'all') return filter;
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
}

export type AccessService = ReturnType<typeof createAccessService>;
