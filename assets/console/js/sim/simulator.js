// The customer simulator: several mini-program customers side by side, each in its own column
// (js/sim/customer.js). Who they are is kept in sessionStorage, so a reload brings them back.

import { $ } from '../dom.js';
import { store } from '../api.js';
import { SimCustomer } from './customer.js';

const LIST_KEY = 'radar.simulator.customers';
const NAMES = ['林晓', '陈女士', '赵敏', '刘洋', '孙悦', '周杰'];
let owners = [];
let appid = '';

async function loadOwners() {
  const response = await fetch('/console/simulator/radar_users', { credentials: 'omit' });
  if (!response.ok) throw new Error('模拟器未开启');
  const body = await response.json();
  owners = body.radar_users;
  appid = body.appid ?? '';
}

function saved() {
  return store.load(LIST_KEY) ?? [];
}

function remember(list) {
  store.save(LIST_KEY, list);
}

function mount(profile) {
  const column = new SimCustomer(profile, owners, appid, {
    changed: (p) => remember(saved().map((x) => (x.key === p.key ? p : x))),
    removed: (p) => remember(saved().filter((x) => x.key !== p.key)),
  });
  $('sims').append(column.root);
  column.start();
}

function addCustomer() {
  const list = saved();
  const index = list.length;
  const key = `sim-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const profile = { key, nickname: NAMES[index % NAMES.length], uid: owners[index % Math.max(owners.length, 1)]?.id ?? null };
  remember([...list, profile]);
  mount(profile);
}

async function boot() {
  $('add-customer').onclick = addCustomer;
  try {
    await loadOwners();
  } catch (err) {
    $('sims').textContent = String(err.message);
    return;
  }
  const list = saved();
  if (list.length === 0) {
    addCustomer();
    addCustomer();
  } else {
    list.forEach(mount);
  }
}

boot();
