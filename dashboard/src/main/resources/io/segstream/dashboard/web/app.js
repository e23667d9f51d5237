// segstream dashboard: one EventSource, state kept here, the DOM redrawn from it. No build step, no libraries.
'use strict';

const view = {
  cameras: new Map(),      // camera id -> latest tile figures (from "camera" events)
  alerts: new Map(),       // alert id -> active alert
  timelines: new Map(),    // camera id -> [{alertId, rule, state, seq, time}]
  system: [],              // newest last
  counters: {},
  server: {},
  skewMs: 0,               // server clock minus this browser's clock
  labelSets: new Map(),    // name -> [{id, name, color}]
  selected: null,          // camera shown in the detail view
};
const TIMELINE_KEEP = 50;
const SYSTEM_KEEP = 100;
// a camera is stalled when no mask came for 5 s, or for four of its usual gaps between masks if those are longer:
// exactly-once masks arrive in bursts, one per checkpoint, and a loaded job is slower without being stuck
const STALL_MS = 5000;
const STALL_GAPS = 4;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
};
const serverNow = () => Date.now() + view.skewMs;
const pct = (f) => (100 * f).toFixed(1) + ' %';
const clock = (ms) => new Date(ms).toLocaleTimeString([], {hour12: false});
function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? s + ' s' : Math.round(s / 60) + ' min';
}

// ---- the event stream ----

function connect() {
  // EventSource reconnects by itself and sends the last id it saw: the server answers with what was missed
  const es = new EventSource('/events');
  es.onopen = () => setConnection('live');
  es.onerror = () => setConnection('reconnecting');
  es.addEventListener('snapshot', (m) => onSnapshot(JSON.parse(m.data)));
  es.addEventListener('camera', (m) => onCamera(JSON.parse(m.data)));
  es.addEventListener('alert', (m) => onAlert(JSON.parse(m.data)));
  es.addEventListener('alert-frame', (m) => onAlertFrame(JSON.parse(m.data)));
  es.addEventListener('system', (m) => onSystem(JSON.parse(m.data)));
}

function setConnection(state) {
  const c = $('connection');
  c.dataset.state = state;
  c.textContent = state;
}

function onSnapshot(s) {
  view.skewMs = s.serverTime - Date.now();
  view.cameras.clear();
  s.cameras.forEach((t) => view.cameras.set(t.camera, t));
  view.alerts.clear();
  s.activeAlerts.forEach((a) => view.alerts.set(a.alertId, a));
  view.timelines.clear();
  Object.entries(s.timelines).forEach(([cam, entries]) => view.timelines.set(cam, entries.slice()));
  view.system = s.systemEvents.slice();
  view.counters = s.counters;
  view.server = s.server || {};
  renderTiles();
  renderAlerts();
  renderTimelines();
  renderSystem();
  renderCounters();
}

function onCamera(e) {
  const t = e.tile;
  view.skewMs = t.serverTime - Date.now();
  t.receivedAt = Date.now();
  const before = view.cameras.get(t.camera);
  if (before && before.receivedAt) {
    // the usual gap between this camera's masks, smoothed
    const gap = t.receivedAt - before.receivedAt;
    t.gapMs = before.gapMs == null ? gap : 0.8 * before.gapMs + 0.2 * gap;
  }
  view.cameras.set(t.camera, t);
  view.counters = e.counters;
  renderTile(t);
  renderCounters();
  if (view.selected === t.camera) renderDetail();
}

function onAlert(e) {
  const a = e.alert;
  view.counters.alerts = (view.counters.alerts || 0) + 1;
  if (a.state === 'RAISED') view.alerts.set(a.alertId, a);
  else view.alerts.delete(a.alertId);
  const entries = view.timelines.get(a.camera) || [];
  entries.push(e.timelineEntry);
  if (entries.length > TIMELINE_KEEP) entries.shift();
  view.timelines.set(a.camera, entries);
  renderAlerts();
  renderTimelines();
  renderCounters();
  view.cameras.forEach((t) => renderTile(t));
}

// the alert came before the mask of its frame; now the frame is kept and a thumbnail can be shown
function onAlertFrame(e) {
  const a = view.alerts.get(e.alertId);
  if (a) { a.thumbnail = true; renderAlerts(); }
}

function onSystem(e) {
  view.system.push(e);
  if (e.kind === 'dead-letter') view.counters.deadLetters = (view.counters.deadLetters || 0) + 1;
  if (view.system.length > SYSTEM_KEEP) view.system.shift();
  renderSystem();
  renderCounters();
}

// ---- camera tiles ----

const visible = new Set();
const observer = 'IntersectionObserver' in window ? new IntersectionObserver((entries) => {
  for (const en of entries) {
    const cam = en.target.dataset.camera;
    if (en.isIntersecting) { visible.add(cam); loadImage(en.target); } else visible.delete(cam);
  }
}) : null;

function renderTiles() {
  const tiles = $('tiles');
  tiles.replaceChildren();
  if (view.cameras.size === 0) tiles.append(el('p', {class: 'empty muted', textContent: 'no masks yet'}));
  [...view.cameras.keys()].sort().forEach((cam) => renderTile(view.cameras.get(cam)));
}

function tileOf(cam) {
  let tile = document.querySelector(`.tile[data-camera="${CSS.escape(cam)}"]`);
  if (tile) return tile;
  const tiles = $('tiles');
  tiles.querySelector('.empty')?.remove();
  const img = el('img', {alt: 'camera ' + cam});
  img.addEventListener('load', () => onImageLoaded(tile, img));
  img.addEventListener('error', () => { tile.dataset.loading = ''; });
  tile = el('figure', {class: 'tile', 'data-camera': cam, 'data-nonblank': 'false'},
      img, el('span', {class: 'stale-badge'}), el('figcaption'));
  tile.addEventListener('click', () => openDetail(cam));
  const after = [...tiles.children].find((t) => t.dataset.camera > cam);
  tiles.insertBefore(tile, after || null);
  if (observer) observer.observe(tile); else visible.add(cam);
  $('camera-count').textContent = '(' + tiles.children.length + ')';
  return tile;
}

function renderTile(t) {
  const tile = tileOf(t.camera);
  const raised = [...view.alerts.values()].filter((a) => a.camera === t.camera);
  tile.classList.toggle('alerting', raised.length > 0);
  tile.dataset.seq = t.seq;
  tile.dataset.alerts = raised.map((a) => a.rule).join(' ');
  const cap = tile.querySelector('figcaption');
  const figure = (cls, text) => el('span', {class: cls, textContent: text});
  cap.replaceChildren(
      figure('camera', t.camera),
      figure('fps', t.fps == null ? '– fps' : t.fps.toFixed(1) + ' fps'),
      figure('latency', 'latency ' + Math.round(t.latencyMs) + ' ms'),
      figure('model', t.model),
      figure('miou', t.miou == null ? 'no ground truth' : 'mIoU ' + t.miou.toFixed(2)),
      figure('age', ''));
  updateAge(tile, t);
  loadImage(tile);
}

// only visible tiles of a visible page ask for overlays: the server renders nothing nobody looks at
function loadImage(tile) {
  const t = view.cameras.get(tile.dataset.camera);
  if (!t || !t.hasFrame || document.hidden || !visible.has(t.camera)) return;
  const want = String(t.seq);
  if (tile.dataset.loading) { tile.dataset.pending = want; return; }
  if (tile.dataset.shown === want) return;
  tile.dataset.loading = want;
  tile.querySelector('img').src = `/api/overlay?camera=${encodeURIComponent(t.camera)}&seq=${want}&w=640`;
}

function onImageLoaded(tile, img) {
  tile.dataset.shown = tile.dataset.loading;
  tile.dataset.loading = '';
  tile.dataset.nonblank = String(nonBlank(img));
  if (tile.dataset.pending && tile.dataset.pending !== tile.dataset.shown) {
    tile.dataset.pending = '';
    loadImage(tile);
  }
}

/** Whether an image holds more than one flat colour (a decoded frame, not an empty or broken one). */
function nonBlank(img) {
  const c = document.createElement('canvas');
  c.width = 64; c.height = 32;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0, c.width, c.height);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let min = 255, max = 0;
  for (let i = 0; i < d.length; i += 4) {
    const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min > 16;
}

function updateAge(tile, t) {
  const sinceUpdate = t.receivedAt ? Date.now() - t.receivedAt : serverNow() - t.updated;
  const stalled = sinceUpdate > Math.max(STALL_MS, STALL_GAPS * (t.gapMs || 0));
  tile.classList.toggle('stalled', stalled);
  tile.dataset.stalled = String(stalled);
  tile.querySelector('.stale-badge').textContent = 'stalled · last mask ' + age(sinceUpdate) + ' ago';
  tile.querySelector('.age').textContent = 'frame age ' + age(serverNow() - t.captureTime);
}

// ---- alerts, timelines, system events ----

function renderAlerts() {
  const list = $('alerts');
  list.replaceChildren();
  const alerts = [...view.alerts.values()].sort((a, b) => b.since - a.since);
  $('alert-count').textContent = '(' + alerts.length + ')';
  if (alerts.length === 0) list.append(el('li', {class: 'empty muted', textContent: 'none'}));
  for (const a of alerts) {
    const text = el('div', {},
        el('span', {class: 'severity ' + a.severity, textContent: a.severity}), ' ',
        el('span', {class: 'rule', textContent: a.rule}),
        el('div', {class: 'where', textContent: a.camera + ' · seq ' + a.seq}),
        el('div', {class: 'since', textContent: 'since ' + clock(a.since) + ' (' + age(serverNow() - a.since) + ')'}),
        el('div', {class: 'fraction', textContent: pct(a.areaFraction) + ' of ' + (a.zone || 'the frame')
            + (a.classes.length ? ' · ' + a.classes.join(', ') : '')}));
    const li = el('li', {class: 'alert', 'data-alert-id': a.alertId, 'data-rule': a.rule, 'data-camera': a.camera,
      'data-severity': a.severity}, text);
    if (a.thumbnail) {
      li.append(el('img', {src: '/api/thumbnail?alert=' + encodeURIComponent(a.alertId), alt: 'raising frame',
        loading: 'lazy'}));
    }
    list.append(li);
  }
}

function renderTimelines() {
  const box = $('timelines');
  box.replaceChildren();
  const cams = [...new Set([...view.cameras.keys(), ...view.timelines.keys()])].sort();
  if (cams.length === 0) box.append(el('p', {class: 'empty muted', textContent: 'none'}));
  const now = serverNow();
  const span = 10 * 60 * 1000;   // the strip shows the last ten minutes
  for (const cam of cams) {
    const entries = view.timelines.get(cam) || [];
    const strip = el('div', {class: 'strip'});
    for (const e of entries) {
      const x = 100 * (1 - Math.min(1, Math.max(0, (now - e.time) / span)));
      strip.append(el('span', {class: 'mark ' + e.state, title: e.state + ' ' + e.rule + ' at ' + clock(e.time)
          + ' (seq ' + e.seq + ')', style: `left: calc(${x.toFixed(2)}% - 2px)`}));
    }
    const last = entries[entries.length - 1];
    box.append(el('div', {class: 'timeline', 'data-camera': cam},
        el('div', {textContent: cam + ' · ' + entries.filter((e) => e.state === 'RAISED').length + ' raised, '
            + entries.filter((e) => e.state === 'CLEARED').length + ' cleared'}),
        strip,
        el('div', {class: 'last', textContent: last ? 'last: ' + last.state.toLowerCase() + ' ' + last.rule + ' at '
            + clock(last.time) : 'no alerts'})));
  }
}

function renderSystem() {
  const list = $('system');
  list.replaceChildren();
  if (view.system.length === 0) list.append(el('li', {class: 'empty muted', textContent: 'none'}));
  for (const e of view.system.slice().reverse()) {
    list.append(el('li', {class: 'system-event', 'data-kind': e.kind},
        el('span', {class: 'kind ' + e.kind, textContent: e.kind}),
        el('span', {class: 'muted', textContent: clock(e.time) + ' '}),
        (e.camera ? e.camera + (e.seq != null ? ' seq ' + e.seq : '') + ': ' : '') + (e.message || '')));
  }
}

function renderCounters() {
  const c = view.counters;
  const parts = [c.frames + ' frames', c.masks + ' masks', c.alerts + ' alerts', c.deadLetters + ' dead letters'];
  const undecodable = Object.entries(c).filter(([k]) => k.startsWith('undecodable.')).reduce((s, [, v]) => s + v, 0);
  if (undecodable) parts.push(undecodable + ' undecodable');
  $('counters').textContent = parts.join(' · ');
}

// ---- the detail view ----

async function openDetail(cam) {
  view.selected = cam;
  const t = view.cameras.get(cam);
  if (t && !view.labelSets.has(t.labelSet)) {
    const r = await fetch('/api/labels?set=' + encodeURIComponent(t.labelSet));
    if (r.ok) view.labelSets.set(t.labelSet, await r.json());
  }
  renderDetail();
  const d = $('detail');
  if (!d.open) d.showModal();
}

function renderDetail() {
  const t = view.cameras.get(view.selected);
  if (!t) return;
  $('detail-title').textContent = t.camera + ' · seq ' + t.seq;
  $('detail-image').src = `/api/overlay?camera=${encodeURIComponent(t.camera)}&seq=${t.seq}`;
  $('detail-figures').textContent = [t.size, t.model, t.fps == null ? null : t.fps.toFixed(1) + ' fps',
    'latency ' + Math.round(t.latencyMs) + ' ms', t.miou == null ? null : 'frame mIoU ' + t.miou.toFixed(3)]
      .filter((x) => x).join(' · ');
  const legend = $('detail-legend');
  legend.replaceChildren();
  const classes = (view.labelSets.get(t.labelSet) || []).slice()
      .sort((a, b) => (t.classFractions[b.name] || 0) - (t.classFractions[a.name] || 0));
  for (const c of classes) {
    const f = t.classFractions[c.name] || 0;
    legend.append(el('tr', {class: f > 0 ? 'present' : 'absent', 'data-class': c.name},
        el('td', {}, el('span', {class: 'swatch', style: 'background:' + c.color})),
        el('td', {textContent: c.name}),
        el('td', {textContent: pct(f)}),
        el('td', {style: 'width:40%'}, el('div', {class: 'bar', style: `width:${(100 * f).toFixed(1)}%`}))));
  }
}
$('detail').addEventListener('close', () => { view.selected = null; });

// ages and stalls move on without events
setInterval(() => {
  document.querySelectorAll('.tile').forEach((tile) => {
    const t = view.cameras.get(tile.dataset.camera);
    if (t) updateAge(tile, t);
  });
}, 1000);
document.addEventListener('visibilitychange', () => document.querySelectorAll('.tile').forEach(loadImage));

connect();
