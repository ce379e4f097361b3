// The contact list: loaded over HTTP (R1, paged), kept live by the contact-list socket (WS-R3),
// whose pushes carry the newest ten conversations; those move to the top, the rest keep their order.

import { $, el, clear, avatar } from './dom.js';
import { sign, RADAR } from './api.js';
import { LiveSocket } from './live.js';

const PAGE = 20;

export class Contacts {
  constructor(app) {
    this.app = app;
    this.items = new Map(); // customer_id → contact item
    this.order = []; // customer ids, newest conversation first
    this.pages = 1;
    this.total = 0;
    this.active = null;
    this.socket = null;
    $('contacts-more').onclick = () => this.loadMore();
    $('tab-contacts').onclick = () => this.app.feed.showTab(false);
  }

  start() {
    this.socket = new LiveSocket(`${RADAR}/websocket/leida_query_contact_list`, {
      hello: () => ({ type: 'register', ...sign(this.app.session) }),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.app.setState('contacts', state),
    }).start();
  }

  stop() {
    this.socket?.stop();
    this.items.clear();
    this.order = [];
  }

  onFrame(frame) {
    if (frame.code !== 200) return this.app.socketError(frame);
    if (Array.isArray(frame.data?.ret_data)) this.merge(frame.data.ret_data);
    else this.reload(); // the register ack: (re)load, so nothing from before or during a drop is missed
    if (typeof frame.data?.unread_msg_num === 'number') this.app.setBadge(frame.data.unread_msg_num);
  }

  async reload() {
    try {
      const env = await this.app.api('/contact', { params: { current_page: 1, length: PAGE * this.pages } });
      this.items.clear();
      this.order = [];
      this.total = env.data.data_count;
      this.merge(env.data.ret_data, true);
      this.app.setBadge(env.data.unread_msg_num);
    } catch {
      /* the socket retries; a refused token already logged out */
    }
  }

  async loadMore() {
    this.pages += 1;
    const env = await this.app.api('/contact', { params: { current_page: this.pages, length: PAGE } });
    this.total = env.data.data_count;
    this.merge(env.data.ret_data, true);
  }

  /** `list` is newest first; with `append` it continues the list instead of topping it. */
  merge(list, append = false) {
    const ids = list.map((c) => c.customer_id);
    for (const c of list) this.items.set(c.customer_id, { ...this.items.get(c.customer_id), ...c });
    const rest = this.order.filter((id) => !ids.includes(id));
    this.order = append ? [...rest, ...ids] : [...ids, ...rest];
    this.render();
  }

  get(customerId) {
    return this.items.get(customerId);
  }

  setActive(customerId) {
    this.active = customerId;
    this.render();
  }

  render() {
    const ul = clear($('contacts'));
    for (const id of this.order) ul.append(this.row(this.items.get(id)));
    $('contacts-empty').hidden = this.order.length > 0;
    $('contacts-more').hidden = this.order.length >= this.total;
  }

  row(c) {
    const count = Number(c.count) || 0;
    return el('li', {
      class: c.customer_id === this.active ? 'active' : '',
      dataset: { customerId: String(c.customer_id) },
      onclick: () => this.app.openCustomer(c),
    },
    avatar(c.src),
    el('div', { class: 'body' },
      el('div', { class: 'row' }, el('span', { class: 'name', text: c.name }), el('span', { class: 'time', text: c.dateTime })),
      el('div', { class: 'row' },
        el('span', { class: 'preview', text: c.msg }),
        count > 0 ? el('b', { class: 'badge', dataset: { count: String(count) }, text: count }) : null)));
  }
}
