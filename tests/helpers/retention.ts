// Shared by the retention list tests (catalog/retention): what a refused list file says.
import { expect } from 'vitest';
import { RetentionListInvalidError } from '../../catalog/retention/retention.service';
import type { ListProblem } from '../../catalog/retention/list-file';

/** The problems of a list the service refused; fails the test if it was not refused as invalid. */
export async function problemsOf(promise: Promise<unknown>): Promise<ListProblem[]> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RetentionListInvalidError);
  return (error as RetentionListInvalidError).problems;
}
