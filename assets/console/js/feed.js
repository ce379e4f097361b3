// The radar feed (R6 `action/time`): newest first, paged backwards, and live by polling for logs
// newer than the newest one shown (`since_id`) every few seconds while the page is visible.

import { $, el, clear, avatar, shortTime } from './dom.js';

const PAGE = 20;
const POLL_MS = 4000;

/** One feed entry: "<customer> <remark>", the action's label and time. */
export function feedRow(item, onclick = null) {
  return el('li', { class: item.is_new ? 'new' : '', dataset: { id: String(item.id) }, onclick },
    avatar(item.headimgurl, 'sm'),
    el('div', { class: 'text' },
      el('span', { class: 'who', text: item.customer_username }),
      el('span', { text: item.remark }),
      el('div', { class: 'meta' }, el('span', { class: 'kind', text: item.action_text || '动态' }), el('span', { text: shortTime(item.create_date) }))));
}

export class Feed {
  constructor(app) {
    this.app = app;
    this.items = new Map(); // id → item
    this.pages = 0;
    this.total = 0;
    this.timer = null;
    this.visible = false;
    $('feed-more').onclick = () => this.loadPage(this.pages + 1);
    $('tab-feed').onclick = () => this.showTab(true);
  }

  start() {
    this.loadPage(1);
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.items.clear();
  }

  showTab(feed) {
    this.visible = feed;
    $('tab-feed').classList.toggle('active', feed);
    $('tab-contacts').classList.toggle('active', !feed);
    $('feed-pane').hidden = !feed;
    $('contacts-pane').hidden = feed;
    if (feed) $('feed-dot').hidden = true;
  }

  get newestId() {
    let id = 0;
    for (const key of this.items.keys()) id = Math.max(id, key);
    return id;
  }

  async loadPage(page) {
    const env = await this.app.api('/action/time', { params: { current_page: page, length: PAGE } });
    this.pages = Math.max(this.pages, page);
    this.total = env.data.data_count;
    this.add(env.data.ret_data);
  }

  async poll() {
    if (document.hidden || !this.timer) return;
    try {
      if (this.pages === 0) return await this.loadPage(1);
      const env = await this.app.api('/action/time', { params: { since_id: this.newestId, length: 50 } });
      const fresh = env.data.ret_data.filter((i) => !this.items.has(i.id));
      if (fresh.length === 0) return;
      this.total += fresh.length;
      this.add(fresh);
      if (!this.visible) $('feed-dot').hidden = false;
      this.app.profile.arrived(fresh);
    } catch {
      /* next tick retries; a refused token already logged out */
    }
  }

  add(list) {
    for (const item of list) this.items.set(item.id, item);
    this.render();
  }

  render() {
    const ul = clear($('feed'));
    const sorted = [...this.items.values()].sort((a, b) => b.id - a.id);
    for (const item of sorted) {
      ul.append(feedRow(item, () => this.app.openCustomer(this.contactOf(item))));
    }
    $('feed-empty').hidden = sorted.length > 0;
    $('feed-more').hidden = this.pages * PAGE >= this.total;
  }

  contactOf(item) {
    return this.app.contacts.get(item.customer_id) ?? { customer_id: item.customer_id, name: item.customer_username, src: item.headimgurl };
  }
}
