// The approved form kept like any document: when the organisation head approves a nomenclature
// (App. 26) or a transfer schedule (App. 31), the form is rendered as PDF/A in Kazakh and in
// Russian and stored (forms/store.ts, audited form.store), so the head can sign exactly those
// bytes afterwards. As for the acceptance act (catalog/acceptance/render.ts), the approval is
// already committed: a rendering or storage failure is logged with the subject and never undoes
// it; the form can be stored again with POST /api/forms/{kind}/{id}/renditions.
import type { Kysely } from 'kysely';
import type { Actor } from '../audit/audit.service';
import { logger } from '../common/logger';
import type { Database } from '../database/database';
import type { Storage } from '../storage';
import { renderForm } from './render';
import { storeRendition, type FormRenditionView } from './store';
import type { FormModel } from './types';

export const APPROVED_FORM_LANGUAGES = ['kk', 'ru'] as const;

/** Renders the model in kk and ru as PDF/A and stores both; returns the stored renditions. */
export async function renderAndStoreForm(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  input: { kind: 'nomenclature' | 'schedule'; subjectId: string; load: () => Promise<FormModel> },
): Promise<FormRenditionView[]> {
  const model = await input.load();
  const stored: FormRenditionView[] = [];
  for (const lang of APPROVED_FORM_LANGUAGES) {
    const rendition = await renderForm(model, lang, 'pdf', { author: 'Muragat' });
    stored.push(await storeRendition(deps, actor, { kind: input.kind, subjectId: input.subjectId, rendition }));
  }
  return stored;
}

/** As renderAndStoreForm, but a failure is logged and reported as an empty list (the approval stands). */
export async function storeApprovedForm(
  deps: { db: Kysely<Database>; storage: Storage },
  actor: Actor,
  input: { kind: 'nomenclature' | 'schedule'; subjectId: string; load: () => Promise<FormModel> },
): Promise<FormRenditionView[]> {
  try {
    return await renderAndStoreForm(deps, actor, input);
  } catch (error) {
    logger().error({ kind: input.kind, subject: input.subjectId, err: error }, 'the approved form could not be rendered and stored');
    return [];
  }
}
