// Where each form's model comes from: every domain loads its own (the nomenclature, the
// inventories, the schedules, the acceptance acts); App. 32 comes from the stored dossier.
// The domain modules are imported when asked for, so a kind whose loader is not there yet is a
// clear, translated error naming the module, not a crash of the whole CLI or server; the
// specifiers are kept in a table so this file's type check does not depend on them either.
import type { Kysely } from 'kysely';
import { NotFoundError, SystemError, ValidationError } from '../common/errors';
import type { Database } from '../database/database';
import type { Storage } from '../storage';
import { FORM_APPENDIX, FORM_KINDS, type FormKind, type FormModel } from './types';

/** Module and function of each kind's loader, relative to this folder. */
export const FORM_LOADERS: Record<Exclude<FormKind, 'internal-inventory'>, { module: string; name: string }> = {
  nomenclature: { module: '../catalog/nomenclature/form', name: 'loadNomenclatureForm' },
  inventory: { module: '../catalog/inventories/form', name: 'loadInventoryForm' },
  schedule: { module: '../catalog/schedules/form', name: 'loadScheduleForm' },
  'acceptance-act': { module: '../catalog/acceptance/form', name: 'loadAcceptanceActForm' },
};

type Loader = (db: Kysely<Database>, id: string) => Promise<FormModel>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isMissingModule(error: unknown, module: string): boolean {
  const e = error as { code?: string; message?: string };
  const base = module.split('/').slice(-2).join('/');
  return (
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    (typeof e?.message === 'string' && /Cannot find module|Failed to load url|Does the file exist/i.test(e.message) && e.message.includes(base))
  );
}

/** Imports a kind's loader; null when its module is not present (yet). */
async function importLoader(kind: Exclude<FormKind, 'internal-inventory'>): Promise<Loader | null> {
  const { module, name } = FORM_LOADERS[kind];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ module)) as Record<string, unknown>;
  } catch (error) {
    if (isMissingModule(error, module)) return null;
    throw error;
  }
  const fn = mod[name];
  return typeof fn === 'function' ? (fn as Loader) : null;
}

/** Is every loader there? (the CLI's help and the API's description list what is missing). */
export async function missingLoaders(): Promise<FormKind[]> {
  const missing: FormKind[] = [];
  for (const kind of Object.keys(FORM_LOADERS) as (keyof typeof FORM_LOADERS)[]) if (!(await importLoader(kind))) missing.push(kind);
  return missing;
}

/**
 * The model of form `kind` for subject `id` (a nomenclature, inventory, schedule, act or
 * dossier id). 400 for an unknown kind, 404 when the subject does not exist (from the loader),
 * 503 naming the module when the kind's loader is not installed.
 */
export async function loadForm(deps: { db: Kysely<Database>; storage: Storage }, kind: string, id: string): Promise<FormModel> {
  if (!(FORM_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError('forms.kind_unknown', 'forms.kind_unknown', { kind, kinds: FORM_KINDS.join(', ') });
  }
  const k = kind as FormKind;
  if (!id.trim()) throw new NotFoundError('forms.subject_not_found', 'forms.subject_not_found', { appendix: FORM_APPENDIX[k], id });
  // Dossiers, inventories and acts are named by uuid only (a schedule or a nomenclature may also
  // be named by its year): anything else is a missing subject, not a database error.
  if ((k === 'internal-inventory' || k === 'inventory' || k === 'acceptance-act') && !UUID.test(id)) {
    throw new NotFoundError('forms.subject_not_found', 'forms.subject_not_found', { appendix: FORM_APPENDIX[k], id });
  }
  let model: FormModel;
  if (k === 'internal-inventory') {
    const { loadInternalInventoryForm } = await import('./internal-inventory');
    model = await loadInternalInventoryForm(deps, id);
  } else {
    const loader = await importLoader(k);
    if (!loader) {
      throw new SystemError('forms.loader_missing', 'forms.loader_missing', { kind: k, appendix: FORM_APPENDIX[k], module: `${FORM_LOADERS[k].module.replace(/^\.\.\//, '')}.ts` });
    }
    model = await loader(deps.db, id);
  }
  if (model?.kind !== k) throw new Error(`loader of ${k} returned a ${String(model?.kind)} model`);
  return model;
}
