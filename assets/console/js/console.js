// The radar console: login, then the contact list (WS-R3), the unread badge (WS-R2), one chat at a
// time (WS-R1), the radar feed (R6, polled) and the customer's profile. Logging out stops every
// socket and timer and forgets the token, so a logged-out page can reach no data.

import { $, clear, fallback, mediaUrl } from './dom.js';
import { call, errorText, sign, store, RADAR } from './api.js';
import { LiveSocket } from './live.js';
import { Contacts } from './contacts.js';
import { ChatView } from './chat.js';
import { Feed } from './feed.js';
import { Profile } from './profile.js';

const SESSION_KEY = 'radar.console.session';
let current = null; // the logged-in console; null while logged out

class ConsoleApp {
  constructor(session) {
    this.session = session;
    this.states = new Map();
    this.contacts = new Contacts(this);
    this.chat = new ChatView(this);
    this.feed = new Feed(this);
    this.profile = new Profile(this);
    this.badgeSocket = new LiveSocket(`${RADAR}/websocket/leida_query_info_num`, {
      hello: () => ({ type: 'register', ...sign(this.session) }),
      onFrame: (frame) => this.onBadge(frame),
      onState: (state) => this.setState('badge', state),
    });
  }

  start() {
    $('me-name').textContent = this.session.username || this.session.login_user;
    $('me-avatar').src = mediaUrl(this.session.avatar);
    this.badgeSocket.start();
    this.contacts.start();
    this.feed.start();
    this.showPane('list');
  }

  stop() {
    this.badgeSocket.stop();
    this.contacts.stop();
    this.chat.close();
    this.feed.stop();
    this.profile.clear();
  }

  /** A signed radar call; a refused signature logs out. */
  async api(path, options = {}) {
    try {
      return await call(RADAR + path, { principal: this.session, ...options });
    } catch (err) {
      if (err.code === 400) this.expired();
      throw err;
    }
  }

  /** Frames every socket may answer with: 400 = token refused, the socket closes. */
  socketError(frame) {
    if (frame.code === 400) this.expired();
  }

  expired() {
    if (current === this) logout('登录已失效，请重新登录');
  }

  onBadge(frame) {
    if (frame.code !== 200) return this.socketError(frame);
    if (typeof frame.data?.unread_msg_num === 'number') this.setBadge(frame.data.unread_msg_num);
  }

  setBadge(count) {
    const badge = $('badge');
    badge.textContent = String(count);
    badge.dataset.count = String(count);
    document.title = count > 0 ? `(${count}) 诸葛雷达 · 销售控制台` : '诸葛雷达 · 销售控制台';
  }

  /** Connection state of one socket; the top bar shows the worst. */
  setState(name, state) {
    if (state === 'stopped') this.states.delete(name);
    else this.states.set(name, state);
    const all = [...this.states.values()];
    const open = all.length > 0 && all.every((s) => s === 'open');
    const conn = $('conn');
    conn.dataset.state = open ? 'open' : 'retry';
    conn.textContent = open ? '在线' : all.includes('retry') ? '重新连接中…' : '连接中…';
  }

  /** Phone-sized windows show one pane: 'list', 'chat' or 'profile'. */
  showPane(pane) {
    $('panes').dataset.pane = pane;
  }

  openCustomer(contact) {
    this.chat.open(contact);
    this.profile.show(contact.customer_id);
    this.contacts.setActive(contact.customer_id);
    this.showPane('chat');
  }
}

function showLogin(message = '') {
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message;
  $('login-password').value = '';
  $('login-user').focus();
}

function showApp(session) {
  current = new ConsoleApp(session);
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  current.start();
}

/** Forgets the token and every piece of data on the page. */
function logout(message = '') {
  if (current) current.stop();
  current = null;
  store.clear(SESSION_KEY);
  for (const id of ['contacts', 'feed', 'message-list', 'profile-tags', 'profile-feed', 'me-name']) clear($(id));
  showLogin(message);
}

async function login(event) {
  event.preventDefault();
  const loginUser = $('login-user').value.trim();
  const password = $('login-password').value;
  if (!loginUser || !password) {
    $('login-error').textContent = '请输入账号和密码';
    return;
  }
  const button = $('login-submit');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const env = await call(`${RADAR}/login`, { form: { login_user: loginUser, password } });
    const session = { ...env.data, login_user: loginUser };
    store.save(SESSION_KEY, session);
    showApp(session);
  } catch (err) {
    $('login-error').textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

function boot() {
  fallback($('me-avatar'));
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => logout());
  const saved = store.load(SESSION_KEY);
  if (saved?.token && saved?.user_id) showApp(saved);
  else showLogin();
}

boot();
