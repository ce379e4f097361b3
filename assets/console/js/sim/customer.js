// One simulated mini-program customer: dev-mode login (M1), profile authorization (M3), binding to
// a radar user (M2), then the mini-program's pages: the card (M10, praise M14, call/WeChat/forward
// M12/M13/M15), products (M19/M20, consult M22), cases (M27) and the chat (M5/M6/M8 over HTTP, live
// over WS-M: `register` while the chat page is open, so pushes arrive read; `query_num` elsewhere,
// so they stay unread and the tab shows the badge).

import { el, clear, avatar, fallback, mediaUrl, randomId, shortTime, toast } from '../dom.js';
import { call, errorText, sign, MINI } from '../api.js';
import { LiveSocket } from '../live.js';
import { body } from '../chat.js';

const TABS = [['card', '名片'], ['products', '产品'], ['cases', '案例'], ['chat', '聊天']];

export class SimCustomer {
  constructor(profile, owners, appid, hooks) {
    this.profile = profile; // {key, nickname, uid, session?: {cid, token, uid, company_id}}
    this.owners = owners;
    this.appid = appid;
    this.hooks = hooks;
    this.socket = null;
    this.tab = 'card';
    this.messages = new Map();
    this.badge = 0;
    this.root = el('section', { class: 'phone', dataset: { sim: profile.key } });
  }

  get principal() {
    return { user_id: this.profile.session.cid, token: this.profile.session.token };
  }

  get uid() {
    return this.profile.session.uid;
  }

  start() {
    if (this.profile.session) this.enter().catch((e) => toast(errorText(e), 'error'));
    else this.renderSetup();
  }

  api(path, params = {}, options = {}) {
    return call(MINI + path, { principal: this.principal, params, ...options });
  }

  renderSetup() {
    const nickname = el('input', { name: 'nickname', value: this.profile.nickname, maxlength: 64 });
    const owner = el('select', { name: 'owner' }, this.owners.map((o) => el('option', { value: o.id, text: `${o.username}（${o.position}）`, selected: o.id === this.profile.uid })));
    const error = el('p', { class: 'error' });
    const go = el('button', { type: 'submit', class: 'primary', text: '进入名片' });
    const form = el('form', { class: 'setup' },
      el('p', { class: 'muted', text: '模拟一位从名片二维码进入小程序的客户：开发模式登录、授权昵称并绑定到所选销售。' }),
      el('label', {}, '昵称', nickname), el('label', {}, '名片主人', owner), error, go,
      el('button', { type: 'button', class: 'ghost', text: '移除', onclick: () => this.remove() }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      go.disabled = true;
      this.profile.nickname = nickname.value.trim() || '客户';
      this.profile.uid = Number(owner.value);
      try {
        await this.login();
        await this.enter();
      } catch (err) {
        error.textContent = errorText(err);
        go.disabled = false;
      }
    });
    clear(this.root).append(el('header', { class: 'phone-head' }, el('span', { class: 'title', text: '新客户' })), el('div', { class: 'phone-body' }, form));
  }

  /** M1 (dev-mode code = this customer's key), M3 (nickname), M2 (binding). */
  async login() {
    const env = await call(`${MINI}/login`, { params: { code: this.profile.key, user_type: 2, uid: this.profile.uid } });
    this.profile.session = { cid: env.data.cid, token: env.data.token, uid: this.profile.uid, company_id: env.data.company_id };
    await this.api('/login/send_user_info', { uid: this.uid }, { form: { nickName: this.profile.nickname, gender: 1, city: '北京', province: '北京', country: '中国', page: 1 } });
    await this.api('/login/binding', { uid: this.uid, source: 1 }, { accept: [200, 302] });
    this.hooks.changed(this.profile);
  }

  async enter() {
    this.renderShell();
    this.socket = new LiveSocket(`${MINI}/websocket/xiaochengxu_chat`, {
      hello: () => this.frame(this.tab === 'chat' ? 'register' : 'query_num'),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => { this.conn.textContent = state === 'open' ? '在线' : '连接中…'; },
    }).start();
    await this.show('card');
  }

  frame(type) {
    return { type, u_id: this.uid, ...sign(this.principal) };
  }

  renderShell() {
    const owner = this.owners.find((o) => o.id === this.uid);
    this.conn = el('span', { class: 'muted', text: '连接中…' });
    this.body = el('div', { class: 'phone-body' });
    this.tabBadge = el('b', { class: 'badge', dataset: { count: '0' }, text: '0', hidden: true });
    this.tabButtons = new Map(TABS.map(([id, label]) => [id, el('button', { type: 'button', dataset: { tab: id }, onclick: () => this.show(id) }, label, id === 'chat' ? this.tabBadge : null)]));
    clear(this.root).append(
      el('header', { class: 'phone-head' },
        el('span', { class: 'title', text: `${this.profile.nickname} → ${owner?.username ?? `销售${this.uid}`}` }), this.conn,
        el('button', { type: 'button', class: 'ghost', text: '移除', onclick: () => this.remove() })),
      this.body,
      el('nav', { class: 'phone-tabs' }, [...this.tabButtons.values()]));
  }

  async show(tab) {
    const leavingChat = this.tab === 'chat' && tab !== 'chat';
    this.tab = tab;
    for (const [id, b] of this.tabButtons) b.classList.toggle('active', id === tab);
    if (leavingChat) this.socket?.send(this.frame('query_num'));
    this.body.classList.toggle('chat-body', tab === 'chat');
    try {
      if (tab === 'card') await this.showCard();
      if (tab === 'products') await this.showProducts();
      if (tab === 'cases') await this.showCases();
      if (tab === 'chat') await this.showChat();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  /** M10: every showing is a card view in the radar user's feed. */
  async showCard() {
    const env = await this.api('/mingpian', { uid: this.uid });
    const c = env.data.ret_data;
    const counters = el('div', { class: 'counters' }, el('span', { text: `人气 ${c.popularity_num}` }), el('span', { text: `靠谱 ${c.praise_num}` }), el('span', { text: `转发 ${c.forward_num}` }));
    const praise = el('button', { type: 'button', class: c.is_praise ? 'on' : '', text: c.is_praise ? '已觉得靠谱' : '觉得靠谱' });
    praise.onclick = async () => {
      const r = (await this.api('/mingpian/praise', { uid: this.uid })).data.ret_data;
      praise.classList.toggle('on', r.is_praise);
      praise.textContent = r.is_praise ? '已觉得靠谱' : '觉得靠谱';
      toast(r.is_praise ? '已点靠谱' : '已取消靠谱');
    };
    const act = (label, op, done) => el('button', { type: 'button', text: label, onclick: async () => { await this.api(`/mingpian/${op}`, { uid: this.uid }); toast(done); } });
    clear(this.body).append(el('div', { class: 'card-view' },
      el('div', { class: 'who' }, avatar(c.mingpian_avatar, 'lg'), el('div', {}, el('div', { class: 'name', text: c.username }), el('div', { class: 'muted', text: c.position }), el('div', { class: 'muted', text: c.company }))),
      el('div', { text: `电话：${c.mingpian_phone || '未公开'}` }), el('div', { text: `微信：${c.wechat || '—'}` }), el('div', { text: `邮箱：${c.email || '—'}` }),
      c.sign ? el('div', { class: 'muted', text: `“${c.sign}”` }) : null,
      el('ul', { class: 'tags' }, (c.tag ?? []).map((t) => el('li', { text: t.name }))),
      counters,
      el('div', { class: 'actions' }, praise, act('拨打电话', 'calling', '已拨打'), act('复制微信', 'save_wechat', '已复制微信'), act('转发名片', 'forward', '已转发'),
        el('button', { type: 'button', text: '再看一次', onclick: () => this.show('card') }))));
  }

  async showProducts() {
    const env = await this.api('/product/product_list', { uid: this.uid }, { accept: [200, 302] });
    const list = env.code === 200 ? env.data.ret_data : [];
    const detail = el('div');
    clear(this.body).append(
      list.length === 0 ? el('p', { class: 'empty', text: '暂无产品' }) : null,
      el('ul', { class: 'items' }, list.map((p) => el('li', { onclick: () => this.showProduct(p.id, detail) },
        fallback(el('img', { alt: '', src: mediaUrl(p.content?.cover_data?.[0]?.data?.[0]) })),
        el('div', {}, el('div', { text: p.name }), el('div', { class: 'price', text: p.price }))))),
      detail);
  }

  async showProduct(id, box) {
    const p = (await this.api('/product/product_single', { uid: this.uid, product_id: id })).data.ret_data[0];
    const texts = (p.content?.article_data ?? []).flatMap((a) => (a.type === 'picture_url' ? [] : a.data));
    clear(box).append(el('div', { class: 'detail' },
      el('strong', { text: p.name }), el('div', { class: 'price', text: p.price }), el('div', { class: 'muted', text: p.reason }),
      texts.map((t) => el('div', { text: t })),
      el('button', { type: 'button', class: 'primary', text: '咨询这个产品', onclick: async () => {
        await this.api('/product/consult_product', { uid: this.uid, product_id: id });
        await this.show('chat');
      } })));
  }

  async showCases() {
    const env = await this.api('/case_manage/case_list', { company_id: this.profile.session.company_id }, { accept: [200, 302] });
    const list = env.code === 200 ? env.data.ret_data : [];
    clear(this.body).append(
      list.length === 0 ? el('p', { class: 'empty', text: '暂无案例' }) : null,
      el('ul', { class: 'items' }, list.map((c) => el('li', {},
        fallback(el('img', { alt: '', src: mediaUrl(Array.isArray(c.cover_picture) ? c.cover_picture[0] : '') })),
        el('div', {}, el('div', { text: c.case_name }), el('div', { class: 'muted', text: (c.tag_list ?? []).map((t) => t.name).join(' · ') }),
          c.last_diary_data ? el('div', { class: 'muted', text: c.last_diary_data.title }) : null)))));
  }

  /** The chat page: `register` (inside), then M5 marks everything read (the console flips 已读). */
  async showChat() {
    this.list = el('ol', { class: 'message-list' });
    this.scroller = el('div', { class: 'sim-messages' }, this.list);
    const input = el('input', { placeholder: '输入消息', maxlength: 5000 });
    const composer = el('form', { class: 'sim-composer' }, input, el('button', { type: 'submit', class: 'primary', text: '发送' }));
    composer.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      this.send({ info_type: 1, msg: text });
    });
    clear(this.body).append(el('div', { class: 'where', text: '在聊天页：收到的消息立即已读' }), this.scroller, composer);
    this.socket?.send(this.frame('register'));
    const env = await this.api('/chat', { u_id: this.uid, current_page: 1, length: 50 });
    this.add(env.data.ret_data);
    this.setBadge(0);
  }

  onFrame(frame) {
    const data = frame.data ?? {};
    if (frame.code === 200 && Array.isArray(data.ret_data)) {
      this.add(data.ret_data);
      if (this.tab !== 'chat') this.setBadge(data.unread_msg_num ?? this.badge + data.count);
    } else if (frame.code === 200 && data.id !== undefined) {
      this.add([{ ...this.sending?.get(data.client_msg_id), id: data.id, client_msg_id: data.client_msg_id, dateTime: data.dateTime, send_type: 2 }]);
    } else if (frame.code === 200 && typeof data.unread_msg_num === 'number') {
      this.setBadge(data.unread_msg_num);
    } else if (frame.code === 200 && this.socket?.reconnected) {
      this.catchUp();
    } else if (frame.code === 301 || frame.code === 429 || frame.code === 400 || frame.code === 401) {
      toast(String(frame.msg), 'error');
    }
  }

  async catchUp() {
    const since = Math.max(0, ...this.messages.keys());
    const env = await this.api('/chat/getmsg/0', { u_id: this.uid, since_id: since });
    this.add(env.data.ret_data);
  }

  send(content) {
    this.sending ??= new Map();
    const clientMsgId = randomId('s-');
    this.sending.set(clientMsgId, content);
    const frame = { ...sign(this.principal), u_id: this.uid, content: JSON.stringify(content), client_msg_id: clientMsgId };
    if (this.socket?.send(frame)) return;
    this.api('/chat/send_msg/0', {}, { form: { u_id: this.uid, content: JSON.stringify(content), send_type: 2, client_msg_id: clientMsgId } })
      .then((env) => this.add([{ ...content, id: env.data.id, client_msg_id: clientMsgId, dateTime: env.data.dateTime, send_type: 2 }]))
      .catch((err) => toast(errorText(err), 'error'));
  }

  add(items) {
    for (const m of items) {
      if (typeof m.id !== 'number') continue;
      this.messages.set(m.id, { ...this.messages.get(m.id), ...m });
    }
    if (this.tab !== 'chat' || !this.list) return;
    clear(this.list);
    for (const m of [...this.messages.values()].sort((a, b) => a.id - b.id)) {
      const mine = m.send_type === 2;
      this.list.append(el('li', { class: mine ? 'mine' : 'theirs', dataset: { id: String(m.id) } },
        mine ? null : avatar(m.user_avatar, 'sm'),
        el('div', { class: 'bubble' }, body(m),
          Number(m.info_type) === 3 && !mine ? el('button', { type: 'button', class: 'primary', text: '发送手机号', onclick: () => this.sharePhone() }) : null),
        el('span', { class: 'state', text: shortTime(m.dateTime) })));
    }
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /**
   * M7 as the mini-program does it: WeChat's encrypted phone number. Dev mode's session key is
   * md5("session:" + code) (src/wechat/dev.rs), so the page can encrypt what WeChat would.
   */
  async sharePhone() {
    if (!crypto.subtle) return toast('需要 https 或本机地址才能加密手机号', 'error');
    const phone = `139${String(this.profile.session.cid).padStart(8, '0').slice(-8)}`;
    const keyBytes = Uint8Array.from(globalThis.md5(`session:${this.profile.key}`, undefined, true), (c) => c.charCodeAt(0));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const key = await crypto.subtle.importKey('raw', keyBytes, 'AES-CBC', false, ['encrypt']);
    const plain = new TextEncoder().encode(JSON.stringify({
      phoneNumber: phone, purePhoneNumber: phone, countryCode: '86',
      watermark: { timestamp: Math.floor(Date.now() / 1000), appid: this.appid },
    }));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, key, plain));
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
    try {
      await this.api('/chat/encrypted_phone_number/0', {}, { form: { u_id: this.uid, encryptedData: b64(sealed), iv: b64(iv) } });
      toast(`已发送手机号 ${phone}`);
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  setBadge(n) {
    this.badge = n;
    this.tabBadge.textContent = String(n);
    this.tabBadge.dataset.count = String(n);
    this.tabBadge.hidden = n === 0;
  }

  remove() {
    this.socket?.stop();
    this.root.remove();
    this.hooks.removed(this.profile);
  }
}
