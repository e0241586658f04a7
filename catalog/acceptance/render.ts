// The acceptance act's PDF/A in Kazakh and in Russian, rendered by the forms domain from the
// act's model and stored like any document of the archive (forms/store.ts, audited form.store);
// the act records which stored renditions are its current ones, so the transfer page offers them.
import type { Kysely } from 'kysely';
import type { Actor } from '../../audit/audit.service';
import { logger } from '../../common/logger';
import type { Database } from '../../database/database';
import { renderForm } from '../../forms/render';
import { storeRendition } from '../../forms/store';
import type { Storage } from '../../storage';
import { createAcceptanceService, type ActRenderer } from './acceptance.service';
import { loadAcceptanceActForm } from './form';
import type { ActRenditions } from './tables';

export const ACT_FORM_LANGUAGES = ['kk', 'ru'] as const;

/** Renders and stores both languages; returns what was stored. */
export async function renderAndStoreAct(deps: { db: Kysely<Database>; storage: Storage }, actId: string, actor: Actor): Promise<ActRenditions> {
  const model = await loadAcceptanceActForm(deps.db, actId);
  const renditions: ActRenditions = {};
  for (const lang of ACT_FORM_LANGUAGES) {
    const rendition = await renderForm(model, lang, 'pdf', { author: 'Muragat' });
    const stored = await storeRendition(deps, actor, { kind: 'acceptance-act', subjectId: actId, rendition });
    renditions[lang] = { renditionId: stored.id, sha256: stored.sha256, size: stored.size, storedAt: stored.createdAt };
  }
  await createAcceptanceService({ db: deps.db }).recordRenditions(actId, renditions, actor);
  return renditions;
}

/**
 * The renderer the acceptance service calls after accepting or approving. A failure (a font,
 * the store) is logged with the act and does not undo the decision already committed.
 */
export function actRenderer(storage: Storage): ActRenderer {
  return async (db, actId, actor) => {
    try {
      await renderAndStoreAct({ db, storage }, actId, actor);
    } catch (error) {
      logger().error({ act: actId, err: error }, 'the acceptance act could not be rendered and stored');
    }
  };
}
