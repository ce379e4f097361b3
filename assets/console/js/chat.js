// One conversation: history over HTTP (R3, paging backwards), live over the radar chat socket
// (WS-R1), sends over that socket with a `client_msg_id` (HTTP R5 when the socket is down or slow,
// with the same id, so a retry never stores twice). After a reconnect the gap is fetched with
// `since_id` (R4); every message is keyed by its `id`, so none shows twice.

import { $, el, clear, avatar, fallback, mediaUrl, randomId, shortTime, toast } from './dom.js';
import { errorText, sign, RADAR } from './api.js';
import { LiveSocket } from './live.js';

const PAGE = 20;
const ACK_TIMEOUT_MS = 6000;

export class ChatView {
  constructor(app) {
    this.app = app;
    this.customer = null;
    this.socket = null;
    this.messages = new Map(); // id → item
    this.pending = new Map(); // client_msg_id → unsent item
    this.pages = 0;
    this.total = 0;
    this.products = null;
    // Handlers are properties, not listeners: a console built after a logout replaces them.
    $('composer').onsubmit = (e) => {
      e.preventDefault();
      this.sendText();
    };
    $('compose-text').onkeydown = (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendText();
      }
    };
    $('history-more').onclick = () => this.loadOlder();
    $('ask-phone').onclick = () => this.send({ info_type: 3, msg: '' });
    $('send-product').onclick = () => this.toggleProducts();
    $('chat-back').onclick = () => this.app.showPane('list');
    $('chat-info').onclick = () => this.app.showPane('profile');
    $('profile-back').onclick = () => this.app.showPane('chat');
  }

  get customerId() {
    return this.customer?.customer_id;
  }

  open(contact) {
    this.close();
    this.customer = contact;
    $('chat-empty').hidden = true;
    $('chat-box').hidden = false;
    $('chat-title').textContent = contact.name ?? '';
    $('compose-text').value = '';
    this.loadLatest().then(() => {
      if (this.customer !== contact) return;
      this.socket = new LiveSocket(`${RADAR}/websocket/leida_chat`, {
        hello: () => ({ type: 'register', customer_id: contact.customer_id, ...sign(this.app.session) }),
        onFrame: (frame) => this.onFrame(frame),
        onState: (state) => this.app.setState('chat', state),
      }).start();
    });
    $('compose-text').focus();
  }

  close() {
    this.socket?.stop();
    this.socket = null;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.messages.clear();
    this.customer = null;
    this.pages = 0;
    this.total = 0;
    clear($('message-list'));
    $('product-picker').hidden = true;
    $('chat-box').hidden = true;
    $('chat-empty').hidden = false;
  }

  get lastId() {
    let last = 0;
    for (const id of this.messages.keys()) last = Math.max(last, id);
    return last;
  }

  /** The newest page (R3 marks the pair read); also refreshes read flags after a reconnect. */
  async loadLatest() {
    const customer = this.customer;
    const env = await this.app.api('/chat', { params: { customer_id: customer.customer_id, current_page: 1, length: PAGE } });
    if (this.customer !== customer) return;
    this.total = env.data.data_count;
    this.pages = Math.max(this.pages, 1);
    this.add(env.data.ret_data, { stick: true });
  }

  async loadOlder() {
    const customer = this.customer;
    const box = $('messages');
    const before = box.scrollHeight - box.scrollTop;
    const env = await this.app.api('/chat', { params: { customer_id: customer.customer_id, current_page: this.pages + 1, length: PAGE } });
    if (this.customer !== customer) return;
    this.pages += 1;
    this.total = env.data.data_count;
    this.add(env.data.ret_data);
    box.scrollTop = box.scrollHeight - before;
  }

  /** Everything after the newest message we hold (R4 with since_id), page by page. */
  async catchUp() {
    const customer = this.customer;
    for (let round = 0; round < 20 && this.customer === customer; round += 1) {
      const env = await this.app.api('/chat/getmsg/0', { params: { customer_id: customer.customer_id, since_id: this.lastId } });
      if (this.customer !== customer) return;
      this.add(env.data.ret_data, { stick: true });
      if (env.data.ret_data.length < 500) return;
    }
  }

  onFrame(frame) {
    const data = frame.data ?? {};
    if (frame.code === 199) {
      // Registered: fetch whatever arrived before this socket was listening (and, after a drop,
      // the read flags that changed meanwhile).
      const refresh = this.socket?.reconnected ? this.loadLatest() : Promise.resolve();
      refresh.then(() => this.catchUp()).catch(() => {});
    } else if (frame.code === 200 && Array.isArray(data.ret_data)) {
      this.add(data.ret_data, { stick: true });
      if (data.ret_data.some((m) => m.send_type === 2)) this.app.profile.refreshSoon();
    } else if (frame.code === 200 && data.id !== undefined) {
      this.acked(data.client_msg_id, data);
    } else if (frame.code === 202) {
      for (const m of this.messages.values()) if (m.send_type === 1) m.is_customer_already_read = 1;
      this.render();
    } else if (frame.code === 301 || frame.code === 429) {
      this.failOldest(typeof frame.msg === 'string' ? frame.msg : '发送失败');
    } else if (frame.code === 400 || frame.code === 401) {
      this.app.socketError(frame);
    }
  }

  add(items, { stick = false } = {}) {
    for (const item of items) {
      if (typeof item.id !== 'number') continue;
      const known = this.messages.get(item.id);
      this.messages.set(item.id, known ? { ...known, ...item } : item);
      if (item.client_msg_id && this.pending.has(item.client_msg_id)) {
        clearTimeout(this.pending.get(item.client_msg_id).timer);
        this.pending.delete(item.client_msg_id);
      }
    }
    this.render(stick);
  }

  sendText() {
    const box = $('compose-text');
    const text = box.value.trim();
    if (!text) return;
    box.value = '';
    this.send({ info_type: 1, msg: text });
  }

  send(content) {
    if (!this.customer) return;
    $('product-picker').hidden = true;
    const item = { client_msg_id: randomId('c-'), content, ...content, send_type: 1, state: 'sending', dateTime: '' };
    this.pending.set(item.client_msg_id, item);
    this.render(true);
    this.deliver(item);
  }

  deliver(item) {
    item.state = 'sending';
    const frame = {
      ...sign(this.app.session),
      customer_id: this.customer.customer_id,
      content: JSON.stringify(item.content),
      client_msg_id: item.client_msg_id,
    };
    if (this.socket?.send(frame)) {
      item.viaSocket = true;
      item.timer = setTimeout(() => this.deliverHttp(item), ACK_TIMEOUT_MS);
    } else {
      this.deliverHttp(item);
    }
  }

  async deliverHttp(item) {
    item.viaSocket = false;
    try {
      const env = await this.app.api('/chat/send_msg/0', {
        form: { customer_id: this.customer.customer_id, content: JSON.stringify(item.content), send_type: 1, client_msg_id: item.client_msg_id },
      });
      this.acked(item.client_msg_id, env.data);
    } catch (err) {
      this.fail(item, errorText(err));
    }
  }

  acked(clientMsgId, data) {
    const item = this.pending.get(clientMsgId);
    if (!item) return;
    clearTimeout(item.timer);
    this.pending.delete(clientMsgId);
    const stored = { ...item.content, id: data.id, client_msg_id: clientMsgId, dateTime: data.dateTime, send_type: 1, is_customer_already_read: 0 };
    this.add([stored], { stick: true });
  }

  failOldest(reason) {
    const item = [...this.pending.values()].find((p) => p.viaSocket && p.state === 'sending');
    if (item) this.fail(item, reason);
  }

  fail(item, reason) {
    clearTimeout(item.timer);
    item.state = 'failed';
    toast(reason, 'error');
    this.render();
  }

  async toggleProducts() {
    const picker = $('product-picker');
    if (!picker.hidden) {
      picker.hidden = true;
      return;
    }
    if (!this.products) {
      const env = await this.app.api('/product/product_list', { params: { length: 50 } });
      this.products = env.data.ret_data;
    }
    clear(picker);
    if (this.products.length === 0) picker.append(el('li', { class: 'muted', text: '您的名片上还没有产品' }));
    for (const p of this.products) {
      picker.append(el('li', {
        onclick: () => this.send({ info_type: 2, product_id: p.id, product_name: p.name, product_price: p.price, product_cover_url: p.cover_url }),
      }, fallback(el('img', { alt: '', src: mediaUrl(p.cover_url) })), el('div', {}, el('div', { text: p.name }), el('div', { class: 'muted', text: p.price }))));
    }
    picker.hidden = false;
  }

  render(stick = false) {
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const list = clear($('message-list'));
    const sorted = [...this.messages.values()].sort((a, b) => a.id - b.id);
    let lastStamp = '';
    for (const m of [...sorted, ...this.pending.values()]) {
      const stamp = (m.dateTime || '').replace('T', ' ').slice(0, 15); // per ten minutes
      if (stamp && stamp !== lastStamp) list.append(el('li', { class: 'stamp', text: shortTime(m.dateTime) }));
      lastStamp = stamp || lastStamp;
      list.append(this.row(m));
    }
    $('history-more').hidden = this.messages.size >= this.total || this.pages * PAGE >= this.total;
    if (stick || atBottom) box.scrollTop = box.scrollHeight;
  }

  row(m) {
    const mine = m.send_type === 1;
    const li = el('li', { class: mine ? 'mine' : 'theirs', dataset: { id: String(m.id ?? ''), clientMsgId: m.client_msg_id ?? '' } });
    if (!mine) li.append(avatar(this.customer?.src, 'sm'));
    li.append(el('div', { class: 'bubble' }, body(m)));
    if (mine) li.append(stateLabel(m, () => this.deliver(m)));
    return li;
  }
}

/** What a message shows, by `info_type` (spec §6.1); all as text. */
export function body(m) {
  switch (Number(m.info_type)) {
    case 2:
      return el('div', { class: 'card-msg' },
        fallback(el('img', { alt: '', src: mediaUrl(m.product_cover_url) })),
        el('div', {}, el('div', { text: m.product_name ?? '' }), el('div', { class: 'price', text: m.product_price ?? '' })));
    case 3:
      return el('span', { text: `📱 ${m.msg ?? ''}` });
    case 4:
      return el('img', { class: 'picture', alt: '[图片]', src: mediaUrl(m.url, '') });
    case 5:
      return el('span', { text: '[视频]' });
    case 6:
      return el('span', { text: `🛒 ${m.msg ?? ''}` });
    default:
      return el('span', { text: m.msg ?? '' });
  }
}

function stateLabel(m, retry) {
  if (m.state === 'sending') return el('span', { class: 'state', text: '发送中' });
  if (m.state === 'failed') return el('button', { class: 'state failed ghost', type: 'button', text: '发送失败，重试', onclick: retry });
  const read = Number(m.is_customer_already_read) === 1;
  return el('span', { class: read ? 'state read' : 'state unread', text: read ? '已读' : '未读' });
}
