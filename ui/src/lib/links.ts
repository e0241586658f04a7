import { app } from './app.svelte';

/**
 * The click handler of an in-app link (`<a href={path} onclick={(e) => followLink(e, path)}>`):
 * a plain left click moves within the single-page app; a middle click or a click with a modifier
 * key is left to the browser, so opening the page in a new tab or window still works.
 */
export function followLink(event: MouseEvent, path: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  app.navigate(path);
}
