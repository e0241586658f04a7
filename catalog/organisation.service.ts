// The fonds-forming organisation and its departments. Department codes are the first part
// of every case index in the nomenclature (p.149: "03-12" is case 12 of department 03).
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError } from '../common/errors';
import { recordAudit, type Actor } from '../audit/audit.service';
import type { Database } from '../database/database';
import { optionalText, requirePattern, requireText } from './fields';
import {
  findDepartment,
  findOrganisation,
  insertDepartment,
  insertOrganisation,
  listDepartmentRows,
  updateDepartment,
  updateOrganisation,
  type DepartmentRow,
  type OrganisationRow,
} from './organisation.repository';
import { assertCanAdminister } from '../accounts/users.service';

export interface OrganisationView {
  id: string;
  nameKk: string;
  nameRu: string;
  shortNameKk: string | null;
  shortNameRu: string | null;
  bin: string;
  fondsNumber: string;
  createdAt: string;
}

export interface OrganisationInput {
  nameKk: string;
  nameRu: string;
  shortNameKk?: string | null;
  shortNameRu?: string | null;
  bin: string;
  fondsNumber: string;
}

export interface DepartmentView {
  id: string;
  code: string;
  nameKk: string;
  nameRu: string;
  createdAt: string;
}

export const BIN_PATTERN = /^[0-9]{12}$/;
export const DEPARTMENT_CODE_PATTERN = /^[0-9]{2,3}$/;

export function toOrganisationView(row: OrganisationRow): OrganisationView {
  return {
    id: row.id,
    nameKk: row.name_kk,
    nameRu: row.name_ru,
    shortNameKk: row.short_name_kk,
    shortNameRu: row.short_name_ru,
    bin: row.bin,
    fondsNumber: row.fonds_number,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toDepartmentView(row: DepartmentRow): DepartmentView {
  return { id: row.id, code: row.code, nameKk: row.name_kk, nameRu: row.name_ru, createdAt: new Date(row.created_at).toISOString() };
}

function organisationValues(input: OrganisationInput) {
  return {
    name_kk: requireText(input.nameKk, 'nameKk', 500),
    name_ru: requireText(input.nameRu, 'nameRu', 500),
    short_name_kk: optionalText(input.shortNameKk, 'shortNameKk', 200),
    short_name_ru: optionalText(input.shortNameRu, 'shortNameRu', 200),
    bin: requirePattern(input.bin, 'bin', BIN_PATTERN, '12 digits'),
    fonds_number: requireText(input.fondsNumber, 'fondsNumber', 50),
  };
}

export function createOrganisationService(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  return {
    /** null until the organisation has been registered. */
    async get(): Promise<OrganisationView | null> {
      const row = await findOrganisation(db);
      return row ? toOrganisationView(row) : null;
    },

    /** Registers the organisation, or updates its details; one organisation per installation. */
    async save(actor: Actor, input: OrganisationInput): Promise<OrganisationView> {
      assertCanAdminister(actor);
      const values = organisationValues(input);
      return db.transaction().execute(async (trx) => {
        const existing = await findOrganisation(trx);
        const row = existing ? await updateOrganisation(trx, existing.id, values) : await insertOrganisation(trx, values);
        const changed = existing
          ? Object.fromEntries(
              Object.entries(values)
                .filter(([k, v]) => existing[k as keyof typeof values] !== v)
                .map(([k, v]) => [k, { from: existing[k as keyof typeof values], to: v }]),
            )
          : values;
        await recordAudit(trx, {
          actor,
          action: existing ? 'organisation.update' : 'organisation.create',
          objectType: 'organisation',
          objectId: row.id,
          details: changed,
        });
        return toOrganisationView(row);
      });
    },

    async listDepartments(): Promise<DepartmentView[]> {
      return (await listDepartmentRows(db)).map(toDepartmentView);
    },

    /** By code ("03") or id. */
    async getDepartment(codeOrId: string): Promise<DepartmentView> {
      const row = await findDepartment(db, String(codeOrId ?? ''));
      if (!row) throw new NotFoundError('department.not_found', 'catalog.department_not_found', { department: String(codeOrId) });
      return toDepartmentView(row);
    },

    async addDepartment(actor: Actor, input: { code: string; nameKk: string; nameRu: string }): Promise<DepartmentView> {
      assertCanAdminister(actor);
      const code = requirePattern(input.code, 'code', DEPARTMENT_CODE_PATTERN, '2–3 digits, e.g. 03');
      const values = { code, name_kk: requireText(input.nameKk, 'nameKk', 300), name_ru: requireText(input.nameRu, 'nameRu', 300) };
      if (await findDepartment(db, code)) throw new ConflictError('department.code_taken', 'catalog.department_code_taken', { code });
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await insertDepartment(trx, values);
          await recordAudit(trx, { actor, action: 'department.create', objectType: 'department', objectId: row.id, details: values });
          return toDepartmentView(row);
        });
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new ConflictError('department.code_taken', 'catalog.department_code_taken', { code });
        throw error;
      }
    },

    /** Names change with reorganisations; the code stays, since case indexes are built on it. */
    async renameDepartment(actor: Actor, codeOrId: string, input: { nameKk: string; nameRu: string }): Promise<DepartmentView> {
      assertCanAdminister(actor);
      const values = { name_kk: requireText(input.nameKk, 'nameKk', 300), name_ru: requireText(input.nameRu, 'nameRu', 300) };
      const existing = await findDepartment(db, String(codeOrId ?? ''));
      if (!existing) throw new NotFoundError('department.not_found', 'catalog.department_not_found', { department: String(codeOrId) });
      return db.transaction().execute(async (trx) => {
        const row = await updateDepartment(trx, existing.id, values);
        await recordAudit(trx, {
          actor,
          action: 'department.rename',
          objectType: 'department',
          objectId: row.id,
          details: { code: row.code, from: { nameKk: existing.name_kk, nameRu: existing.name_ru }, to: { nameKk: row.name_kk, nameRu: row.name_ru } },
        });
        return toDepartmentView(row);
      });
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
