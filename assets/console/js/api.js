// The legacy signed API as a browser client speaks it (spec §2.2): every protected call carries
// user_id, timestamp and rand_str = md5(timestamp + token) in its query string. The token itself
// never goes into a URL: it stays in this page's memory and sessionStorage (gone with the tab).

const md5 = globalThis.md5; // vendor/md5.js, loaded by a classic <script> before the modules

export const RADAR = '/zhugeleida/qiyeweixin';
export const MINI = '/zhugeleida/xiaochengxu';

/** An answer that is not `code 200`, or no answer at all (`code -1`). */
export class ApiError extends Error {
  constructor(code, msg, envelope = null) {
    super(typeof msg === 'string' ? msg : JSON.stringify(msg));
    this.code = code;
    this.envelope = envelope;
  }
}

/** The signature triple for principal `{user_id, token}`, fresh for every request and frame. */
export function sign(principal) {
  const timestamp = String(Date.now());
  return { user_id: String(principal.user_id), timestamp, rand_str: md5(timestamp + principal.token) };
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined) q.set(k, String(v));
  }
  return q.toString();
}

/**
 * Calls `path`, signed by `principal` when given; `form` makes it a form POST. Resolves with the
 * envelope when `code` is one of `accept` (default 200), else rejects with an ApiError.
 */
export async function call(path, { principal = null, params = {}, form = null, accept = [200] } = {}) {
  const signed = principal ? { ...sign(principal), ...params } : params;
  const url = `${path}?${query(signed)}`;
  const init = form
    ? { method: 'POST', body: new URLSearchParams(query(form)), credentials: 'omit' }
    : { method: 'GET', credentials: 'omit' };
  let envelope;
  try {
    const response = await fetch(url, init);
    envelope = await response.json();
  } catch (e) {
    throw new ApiError(-1, '网络错误，请稍后重试');
  }
  if (!accept.includes(envelope.code)) throw new ApiError(envelope.code, envelope.msg, envelope);
  return envelope;
}

/** The first error text of a legacy form-error object, or the message itself. */
export function errorText(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  const msg = err.envelope?.msg;
  if (msg && typeof msg === 'object') {
    const first = Object.values(msg)[0];
    if (Array.isArray(first) && first[0]?.message) return first[0].message;
  }
  return err.message;
}

/** A principal kept in sessionStorage under `key` (per tab; cleared by logout and tab close). */
export const store = {
  load(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key) ?? 'null');
    } catch {
      return null;
    }
  },
  save(key, value) {
    sessionStorage.setItem(key, JSON.stringify(value));
  },
  clear(key) {
    sessionStorage.removeItem(key);
  },
};
