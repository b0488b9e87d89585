// The demo page of `engram serve` (docs/demo.md): one session, its frames drawn as they arrive.
import { ApiError, decodePixels, encodePixels, getJSON, postJSON } from './api.js';
import { Controls } from './controls.js';
import { DrawingPad } from './draw.js';
import { EnergyChart, PcaPlot, ProbBars, classColor, drawPixels } from './plots.js';

const HISTORY = 2000; // frames kept in engramDemo.history
const TRAIL = 40; // frames of the state's trail in the PCA plane
const GALLERY_PAGE = 48; // 12 columns × 4 rows (8 × 6 on a phone)

/** What the tests read (and what the page knows). */
const demo = (window.engramDemo = { sessionId: null, frames: 0, history: [], last: null, info: null });

const $ = (id) => document.getElementById(id);
const ui = {};
let source = null;
let trail = [];
let clamped = null; // what classify mode clamped: {kind: 'test', index, label} or {kind: 'drawing'}
let selectedImage = 0;
let galleryOffset = 0;
let statusTimer = null;

function setStatus(text, kind = 'ok', seconds = 0) {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${kind}`;
  clearTimeout(statusTimer);
  statusTimer = null;
  if (seconds) statusTimer = setTimeout(() => setStatus(liveText(), 'ok'), seconds * 1000);
}

function liveText() {
  if (!source || source.readyState !== EventSource.OPEN) return 'connecting…';
  const f = demo.last;
  const id = demo.sessionId ? demo.sessionId.slice(0, 8) : '';
  return f ? `live · session ${id} · frame ${f.frame} · step ${f.step} · segment ${f.segment}` : `live · session ${id}`;
}

function className(k) {
  return demo.info.classes[k] ?? String(k);
}

// ---- session lifecycle ------------------------------------------------------------------------

function closeSession() {
  if (source) source.close();
  source = null;
  if (demo.sessionId) navigator.sendBeacon(`/api/sessions/${demo.sessionId}/close`, '{}');
  demo.sessionId = null;
}

async function startSession() {
  closeSession();
  setStatus('starting a session…', 'pending');
  let session;
  try {
    session = await postJSON('/api/sessions');
  } catch (e) {
    const busy = e instanceof ApiError && e.status === 503;
    setStatus(`${busy ? 'server busy' : 'cannot start a session'}: ${e.message} (retrying in 10 s)`, 'error');
    setTimeout(startSession, 10000);
    return;
  }
  demo.sessionId = session.id;
  trail = [];
  const stream = (source = new EventSource(session.frames));
  stream.addEventListener('frame', (ev) => onFrame(JSON.parse(ev.data)));
  stream.addEventListener('open', () => setStatus(liveText(), 'ok'));
  stream.addEventListener('error', () => {
    if (stream !== source) return;
    if (stream.readyState === EventSource.CLOSED) {
      setStatus('the frame stream was refused or closed by the server: starting a new session', 'error');
      setTimeout(() => stream === source && startSession(), 1000);
    } else {
      setStatus('the frame stream was interrupted: reconnecting…', 'error');
    }
  });
}

/** Posts a control request to the session; a missing session is started afresh. */
async function control(body) {
  if (!demo.sessionId) return null;
  try {
    return await postJSON(`/api/sessions/${demo.sessionId}/control`, body);
  } catch (e) {
    setStatus(`control failed: ${e.message}`, 'error', 6);
    if (e instanceof ApiError && e.status === 404) startSession();
    return null;
  }
}

// ---- frames -----------------------------------------------------------------------------------

let lastStatus = 0;
let lastFrameAt = 0;
let stalled = false;

function onFrame(f) {
  demo.frames += 1;
  demo.last = f;
  demo.history.push({ frame: f.frame, step: f.step, segment: f.segment, energy: f.energy, label: f.label, mode: f.mode });
  if (demo.history.length > HISTORY) demo.history.splice(0, demo.history.length - HISTORY);
  trail.push(f.pca);
  if (trail.length > TRAIL) trail.shift();

  const [h, w] = demo.info.image_shape;
  drawPixels(ui.image, decodePixels(f.image), w, h);
  const top = argmax(f.probabilities);
  ui.probs.update(f.probabilities, f.mode === 'classify' ? top : f.label);
  ui.energy.draw(demo.history);
  ui.pca.draw(trail, f.label);
  ui.controls.sync(f);
  showMode(f, top);
  const now = performance.now();
  lastFrameAt = now;
  if (stalled) {
    stalled = false;
    setStatus(liveText(), 'ok');
  }
  if (now - lastStatus > 250 && !statusTimer && $('status').classList.contains('ok')) {
    $('status').textContent = liveText();
    lastStatus = now;
  }
}

let shownMode = null;

function showMode(f, top) {
  const generate = f.mode === 'generate';
  if (generate && shownMode !== 'generate') $('reading').textContent = 'engram reads this as: …';
  shownMode = f.mode;
  $('mode-generate').classList.toggle('active', generate);
  $('mode-classify').classList.toggle('active', !generate);
  document.body.dataset.mode = f.mode;
  for (const b of ui.labelButtons) {
    const k = Number(b.dataset.label);
    b.classList.toggle('active', generate && k === f.label);
    b.classList.toggle('clamped', generate && k === f.label && !f.auto);
  }
  $('cycle').classList.toggle('active', generate && f.auto);
  $('switch').textContent = generate
    ? f.auto && f.next_switch != null ? `next label in ${f.next_switch.toFixed(1)} s` : 'label clamped'
    : '';
  const p = f.probabilities[top] ?? 0;
  const [big, small] = generate
    ? [className(f.label), f.auto ? 'generating (labels cycle)' : 'generating (label clamped)']
    : [className(top), `classified, p = ${(100 * p).toFixed(1)}%`];
  if (ui.currentLabel.big !== big || ui.currentLabel.small !== small) {
    $('current-label').innerHTML = '<span class="big"></span><span class="small"></span>';
    $('current-label').firstChild.textContent = big;
    $('current-label').lastChild.textContent = small;
    $('current-label').style.setProperty('--class-color', classColor(generate ? f.label : top));
    Object.assign(ui.currentLabel, { big, small });
  }
  if (!generate) {
    $('reading').textContent = clamped?.kind === 'test'
      ? `clamped: test image #${clamped.index} (its label: ${className(clamped.label)})`
      : clamped?.kind === 'drawing' ? 'clamped: your drawing' : 'clamped: an image';
  }
}

function argmax(v) {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

/** In generate mode, what engram's classifier reads the current image as (every 1.5 s). */
function startReading() {
  let busy = false;
  setInterval(async () => {
    const f = demo.last;
    if (busy || !f || f.mode !== 'generate') return;
    busy = true;
    try {
      const r = await postJSON('/api/classify', { pixels: f.image });
      if (demo.last?.mode === 'generate') {
        const p = r.probabilities[r.label];
        $('reading').textContent = `engram reads this as: ${className(r.label)} (${(100 * p).toFixed(0)}%)`;
      }
    } catch (e) {
      $('reading').textContent = `engram cannot read it: ${e.message}`;
    } finally {
      busy = false;
    }
  }, 1500);
}

// ---- the classifier's inputs --------------------------------------------------------------------

async function loadGallery(offset) {
  const total = demo.info.test_images;
  if (!total) {
    $('gallery').textContent = 'no test images on this server';
    return;
  }
  galleryOffset = offset % total;
  const page = await getJSON(`/api/test-images?offset=${galleryOffset}&count=${GALLERY_PAGE}`);
  const [h, w] = demo.info.image_shape;
  $('gallery').replaceChildren(...page.images.map((im) => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    c.dataset.index = im.index;
    c.dataset.label = im.label;
    c.title = `test image #${im.index}, label ${className(im.label)}`;
    c.tabIndex = 0;
    c.classList.toggle('selected', im.index === selectedImage);
    drawPixels(c, decodePixels(im.pixels), w, h);
    return c;
  }));
  const last = galleryOffset + page.images.length - 1;
  $('gallery-range').textContent = `#${galleryOffset}–${last} of ${page.total}`;
}

function classifyTestImage(index, label) {
  selectedImage = index;
  clamped = { kind: 'test', index, label };
  for (const c of $('gallery').children) c.classList.toggle('selected', Number(c.dataset.index) === index);
  return control({ mode: 'classify', test_image: index });
}

function classifyDrawing() {
  const bytes = ui.pad.toMnist();
  if (!bytes) {
    setStatus('draw something first', 'error', 3);
    return null;
  }
  drawPixels($('draw-preview'), bytes, 28, 28);
  clamped = { kind: 'drawing' };
  for (const c of $('gallery').children) c.classList.remove('selected');
  return control({ mode: 'classify', pixels: encodePixels(bytes) });
}

// ---- set-up -------------------------------------------------------------------------------------

function buildLabels() {
  ui.labelButtons = demo.info.classes.map((name, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.label = k;
    b.textContent = name;
    b.style.setProperty('--class-color', classColor(k));
    b.title = `clamp the label ${name}`;
    b.addEventListener('click', () => control({ mode: 'generate', label: k }));
    return b;
  });
  $('labels').replaceChildren(...ui.labelButtons);
}

function wire() {
  $('cycle').addEventListener('click', () => control({ mode: 'generate', label: null }));
  $('mode-generate').addEventListener('click', () => control({ mode: 'generate', label: null }));
  $('mode-classify').addEventListener('click', () => {
    const c = $('gallery').querySelector(`[data-index="${selectedImage}"]`);
    if (c) classifyTestImage(selectedImage, Number(c.dataset.label));
    else control({ mode: 'classify', test_image: selectedImage });
  });
  $('gallery').addEventListener('click', (e) => {
    const c = e.target.closest('[data-index]');
    if (c) classifyTestImage(Number(c.dataset.index), Number(c.dataset.label));
  });
  $('gallery').addEventListener('keydown', (e) => {
    const c = e.target.closest('[data-index]');
    if (c && (e.key === 'Enter' || e.key === ' ')) classifyTestImage(Number(c.dataset.index), Number(c.dataset.label));
  });
  $('gallery-more').addEventListener('click', () => loadGallery(galleryOffset + GALLERY_PAGE));
  $('clear-drawing').addEventListener('click', () => {
    ui.pad.clear();
    $('draw-preview').getContext('2d').clearRect(0, 0, 28, 28);
  });
  $('classify-drawing').addEventListener('click', classifyDrawing);
  window.addEventListener('pagehide', closeSession);
  window.addEventListener('resize', () => demo.last && onResize());
}

function onResize() {
  ui.energy.draw(demo.history);
  ui.pca.draw(trail, demo.last.label);
}

async function main() {
  try {
    demo.info = await getJSON('/api/info');
  } catch (e) {
    setStatus(`cannot reach the server: ${e.message}`, 'error');
    return;
  }
  ui.image = $('image');
  ui.currentLabel = {};
  ui.probs = new ProbBars($('probs'), demo.info.classes);
  ui.energy = new EnergyChart($('energy'));
  ui.pca = new PcaPlot($('pca'), $('pca-legend'), demo.info.classes);
  ui.controls = new Controls(demo.info, control);
  ui.pad = new DrawingPad($('draw'), { brush: 22 });
  buildLabels();
  wire();
  ui.energy.draw([]);
  getJSON('/api/memories')
    .then((m) => { ui.pca.setMemories(m); ui.pca.draw(trail, demo.last?.label); })
    .catch((e) => setStatus(`cannot load the memories: ${e.message}`, 'error', 8));
  loadGallery(0).catch((e) => setStatus(`cannot load the test images: ${e.message}`, 'error', 8));
  await startSession();
  startReading();
  // A stream that is open but silent is a problem worth showing.
  setInterval(() => {
    if (!stalled && source?.readyState === EventSource.OPEN && demo.last && performance.now() - lastFrameAt > 5000) {
      stalled = true;
      setStatus('no frames for 5 s: is the server still running?', 'error');
    }
  }, 1000);
}

main();
