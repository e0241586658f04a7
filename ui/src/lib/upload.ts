// Resumable upload of a transfer package: announce it, send 8 MB pieces, and after a network
// error or a page reload ask the server how far it got and continue from there. The upload id
// is kept in localStorage under the file's name, size and modification time, so picking the
// same file again resumes it.
import { ApiError, type Api } from './api';

export const CHUNK_BYTES = 8 * 1024 * 1024;
const STORE_KEY = 'muragat.uploads';

export interface UploadProgress {
  sent: number;
  total: number;
  /** The upload continued from a previous attempt (reload or network error). */
  resumed: boolean;
  /** Every byte is on the server, which now hashes and receives the package. */
  finishing?: boolean;
}

/** 409 codes for a package that already is a transfer: failed or cancelled (retry it), or accepted. */
export const DUPLICATE_FAILED = 'transfer.duplicate_failed';
export const DUPLICATE_ACCEPTED = 'transfer.duplicate_accepted';

/**
 * Whether the file begins like a transfer package: gzip (1f 8b) or a POSIX tar header
 * ("ustar" at byte 257). Checked before uploading so that a wrong file is refused at once,
 * in words, instead of after the whole upload.
 */
export async function looksLikeTransferPackage(file: File): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar';
}

interface Remembered {
  id: string;
  savedAt: number;
}

function fileKey(file: File): string {
  return `${file.name}\u0000${file.size}\u0000${file.lastModified}`;
}

function readStore(): Record<string, Remembered> {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}') as Record<string, Remembered>;
  } catch {
    return {};
  }
}

function writeStore(store: Record<string, Remembered>): void {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(store));
  } catch {
    // Private mode or a full quota: uploads still work, only resume after reload does not.
  }
}

export function rememberedUpload(file: File): string | null {
  return readStore()[fileKey(file)]?.id ?? null;
}

function remember(file: File, id: string | null): void {
  const store = readStore();
  if (id) store[fileKey(file)] = { id, savedAt: Date.now() };
  else delete store[fileKey(file)];
  // Forget uploads older than the server keeps them (a week).
  for (const [key, value] of Object.entries(store)) if (Date.now() - value.savedAt > 7 * 24 * 3600 * 1000) delete store[key];
  writeStore(store);
}

/** The double-submit CSRF token the server set as a readable cookie. */
function csrfToken(): string {
  const match = /(?:^|;\s*)muragat_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : '';
}

async function putPiece(api: Api, id: string, body: Blob, offset: number, total: number, lang: string, signal?: AbortSignal): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`/api/transfers/uploads/${id}?lang=${lang}`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${offset}-${offset + body.size - 1}/${total}`,
        'x-csrf-token': csrfToken(),
        accept: 'application/json',
      },
      body,
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'network', (error as Error).message, null, null);
  }
  const answer = (await response.json().catch(() => null)) as { offset?: number; error?: { code: string; details?: { offset?: number } } } | null;
  if (response.ok && typeof answer?.offset === 'number') return answer.offset;
  const e = answer?.error;
  // The server holds a different number of bytes: continue from there.
  if (response.status === 409 && e?.code === 'ingest.upload_offset_mismatch' && typeof e.details?.offset === 'number') return e.details.offset;
  if (response.status === 401) void api.session().catch(() => undefined);
  throw ApiError.fromAnswer(response.status, response.statusText, answer, response.headers.get('x-request-id'));
}

async function sha256Hex(file: File): Promise<string | null> {
  // Hashing a large package in the browser means reading it whole into memory; only small
  // packages are hashed here (the server hashes every package anyway).
  if (file.size > 256 * 1024 * 1024 || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Uploads the file (resuming a remembered upload of the same file) and completes it.
 * Network errors are retried with growing pauses; server refusals are thrown as ApiError.
 */
export async function uploadTransfer(
  api: Api,
  file: File,
  options: { lang: string; onProgress: (p: UploadProgress) => void; signal?: AbortSignal; retries?: number },
): Promise<{ transferId: string }> {
  const id = await sendUpload(api, file, options);
  let done: { transferId: string };
  try {
    done = await api.post<{ transferId: string }>(`/api/transfers/uploads/${id}/complete`);
  } catch (error) {
    // The same package is already a transfer: this upload has nothing left to resume.
    if (error instanceof ApiError && (error.code === DUPLICATE_FAILED || error.code === DUPLICATE_ACCEPTED)) remember(file, null);
    throw error;
  }
  remember(file, null);
  return { transferId: done.transferId };
}

/** Forgets the remembered upload of a file once it became a transfer (or is of no use). */
export function forgetUpload(file: File): void {
  remember(file, null);
}

/**
 * Sends every byte of the file (resuming a remembered upload of the same file) and returns the
 * upload id without completing it: a transfer prepared in the browser is checked and completed
 * through its own route (/api/transfers/uploads/:id/prepare).
 */
export async function sendUpload(
  api: Api,
  file: File,
  options: { lang: string; onProgress: (p: UploadProgress) => void; signal?: AbortSignal; retries?: number },
): Promise<string> {
  let id = rememberedUpload(file);
  let offset = 0;
  let resumed = false;
  if (id) {
    try {
      const state = await api.get<{ offset: number; size: number }>(`/api/transfers/uploads/${id}`);
      if (state.size === file.size) {
        offset = state.offset;
        resumed = offset > 0;
      } else id = null;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0) throw error;
      id = null; // expired or not ours: start afresh
    }
  }
  if (!id) {
    const sha256 = await sha256Hex(file);
    const started = await api.post<{ id: string; offset: number }>('/api/transfers/uploads', { filename: file.name, size: file.size, ...(sha256 ? { sha256 } : {}) });
    id = started.id;
    offset = started.offset;
    remember(file, id);
  }
  options.onProgress({ sent: offset, total: file.size, resumed });
  let failures = 0;
  while (offset < file.size) {
    const end = Math.min(offset + CHUNK_BYTES, file.size);
    try {
      offset = await putPiece(api, id, file.slice(offset, end), offset, file.size, options.lang, options.signal);
      failures = 0;
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.code === 'ingest.upload_busy' || error.code === 'ingest.upload_piece_short');
      if (!transient || options.signal?.aborted || ++failures > (options.retries ?? 8)) throw error;
      await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)));
      // Ask where the server stands before sending again.
      try {
        offset = (await api.get<{ offset: number }>(`/api/transfers/uploads/${id}`)).offset;
        resumed = true;
      } catch {
        // Still offline; the next attempt will tell.
      }
    }
    options.onProgress({ sent: offset, total: file.size, resumed });
  }
  options.onProgress({ sent: offset, total: file.size, resumed, finishing: true });
  return id;
}
