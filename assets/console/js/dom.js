// DOM helpers shared by the console and the simulator. Every piece of data enters the page as text
// (textContent / text nodes) or as a checked URL, never as HTML: customer names, messages and tags
// are hostile input.

/** Creates an element. `text` sets textContent; `on<event>` adds a listener; other keys are attributes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, or strings as text nodes), skipping null/false. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The element with this id (throws when the page lacks it: a bug, not a user error). */
export function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} missing`);
  return node;
}

/** Removes every child. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

const DEFAULT_AVATAR = '/console/img/avatar.svg';

/**
 * A URL an <img> may load: absolute http(s) URLs as they are, the legacy relative `statics/…`
 * paths from this server, anything else (javascript:, data:, protocol-relative) replaced.
 */
export function mediaUrl(path, fallback = DEFAULT_AVATAR) {
  const p = String(path ?? '').trim();
  if (/^https?:\/\//i.test(p)) return p;
  if (p && !p.includes(':') && !p.startsWith('//')) return '/' + p.replace(/^\/+/, '');
  return fallback;
}

/** Makes `img` show the default picture whenever its file is missing. */
export function fallback(img) {
  img.addEventListener('error', () => {
    if (!img.src.endsWith(DEFAULT_AVATAR)) img.src = DEFAULT_AVATAR;
  });
  return img;
}

/** An avatar image that falls back to the default picture when the file is missing. */
export function avatar(path, size = '') {
  return fallback(el('img', { class: `avatar ${size}`.trim(), alt: '', src: mediaUrl(path) }));
}

/** `YYYY-MM-DD HH:MM:SS` or ISO `YYYY-MM-DDTHH:MM:SS(.mmm)` (both Asia/Shanghai) → short label. */
export function shortTime(text) {
  const s = String(text ?? '').replace('T', ' ');
  if (s.length < 16) return s;
  const today = shanghaiDate(new Date());
  return s.slice(0, 10) === today ? s.slice(11, 16) : s.slice(5, 16);
}

/** Today's `YYYY-MM-DD` in Asia/Shanghai (UTC+8, no DST). */
export function shanghaiDate(now) {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A short message at the bottom of the page. */
export function toast(text, kind = 'info') {
  let box = document.querySelector('.toasts');
  if (!box) {
    box = el('div', { class: 'toasts', role: 'status' });
    document.body.append(box);
  }
  const item = el('div', { class: `toast ${kind}`, text });
  box.append(item);
  setTimeout(() => item.remove(), 3000);
}

/** A random id for `client_msg_id` (retry key of a send). */
export function randomId(prefix) {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
