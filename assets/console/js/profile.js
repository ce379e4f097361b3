// The customer's profile beside the chat: name, avatar, phone if known, tags, binding, and their
// latest actions from the feed.

import { $, clear, el, fallback, mediaUrl } from './dom.js';
import { feedRow } from './feed.js';

export class Profile {
  constructor(app) {
    this.app = app;
    this.customerId = null;
    fallback($('profile-avatar'));
  }

  /** Reloads the open profile shortly (a new message may have come with a phone number). */
  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.customerId && this.show(this.customerId), 800);
  }

  async show(customerId) {
    this.customerId = customerId;
    clearInterval(this.ticker);
    // Slow refresh: a phone number shared without a message shows up within half a minute.
    this.ticker = setInterval(() => this.refreshSoon(), 30000);
    $('profile-empty').hidden = true;
    $('profile-box').hidden = false;
    clear($('profile-tags'));
    clear($('profile-feed'));
    try {
      const [info, feed] = await Promise.all([
        this.app.api('/customer/info', { params: { customer_id: customerId } }),
        this.app.api('/action/time', { params: { customer_id: customerId, length: 10 } }),
      ]);
      if (this.customerId !== customerId) return;
      this.fill(info.data.ret_data);
      for (const item of feed.data.ret_data) $('profile-feed').append(feedRow(item));
    } catch {
      /* shown empty; a refused token already logged out */
    }
  }

  fill(c) {
    $('profile-avatar').src = mediaUrl(c.headimgurl);
    $('profile-name').textContent = c.note_name || c.name;
    $('profile-source').textContent = [c.customer_source_text, c.source_text && `来源：${c.source_text}`].filter(Boolean).join(' · ');
    $('profile-phone').textContent = c.phone || '未知';
    $('profile-area').textContent = [c.province, c.city].filter(Boolean).join(' ') || '未知';
    $('profile-bound').textContent = c.bound_date || '未绑定';
    $('profile-active').textContent = c.last_activity_time || '—';
    const tags = clear($('profile-tags'));
    for (const t of c.tags_list) tags.append(el('li', { text: t }));
    if (c.tags_list.length === 0) tags.append(el('li', { class: 'muted', text: '暂无标签' }));
  }

  /** New feed items: the open customer's go on top of their list. */
  arrived(items) {
    const mine = items.filter((i) => i.customer_id === this.customerId).sort((a, b) => a.id - b.id);
    for (const item of mine) $('profile-feed').prepend(feedRow(item));
  }

  clear() {
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.customerId = null;
    $('profile-box').hidden = true;
    $('profile-empty').hidden = false;
  }
}
