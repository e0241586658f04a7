import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../tests/helpers/db';

describeEachDatabase('catalog database', (getDb) => {
  it('runs the migrations and answers queries', async () => {
    const { db } = getDb();
    await db.insertInto('muragat_meta').values({ key: 'k', value: 'v' }).execute();
    const row = await db.selectFrom('muragat_meta').selectAll().where('key', '=', 'k').executeTakeFirstOrThrow();
    expect(row.value).toBe('v');
  });

  it('returns int8 as numbers and rolls back failed transactions', async () => {
    const { db } = getDb();
    const { rows } = await sql<{ n: number }>`SELECT 9007199254740991::int8 AS n`.execute(db);
    expect(rows[0]?.n).toBe(9007199254740991);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('muragat_meta').values({ key: 'rolled', value: 'x' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const gone = await db.selectFrom('muragat_meta').selectAll().where('key', '=', 'rolled').executeTakeFirst();
    expect(gone).toBeUndefined();
  });
});
