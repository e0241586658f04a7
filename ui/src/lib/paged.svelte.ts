/**
 * A list the server gives page by page ("show more"): the first page replaces what is shown,
 * each further page (offset = how many are shown) is added below. The fetch reads the page's
 * filters synchronously, so an $effect that calls load() runs again when a filter changes.
 */
export class PagedList<T> {
  items = $state<T[]>([]);
  total = $state(0);
  loading = $state(false);
  error = $state<unknown>(null);
  readonly #fetchPage: (offset: number) => Promise<{ items: T[]; total: number }>;

  constructor(fetchPage: (offset: number) => Promise<{ items: T[]; total: number }>) {
    this.#fetchPage = fetchPage;
  }

  /** Whether the server holds more than is shown. */
  get more(): boolean {
    return this.items.length < this.total;
  }

  async load(offset = 0): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const page = await this.#fetchPage(offset);
      this.items = offset ? [...this.items, ...page.items] : page.items;
      this.total = page.total;
    } catch (e) {
      this.error = e;
    } finally {
      this.loading = false;
    }
  }
}
