// Canvas drawings: the image, the label distribution, the energy chart and the PCA plane.

/** Tableau 10: one colour per class (classes beyond 10 repeat). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const classColor = (k) => PALETTE[k % PALETTE.length];

const AXIS = '#8b93a7';
const GRID = 'rgba(139, 147, 167, 0.15)';
const FONT = '12px system-ui, sans-serif';

/** Sizes a canvas's backing store to its CSS box (× devicePixelRatio); returns [ctx, w, h] in CSS px. */
function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return [ctx, w, h];
}

/** About `count` round tick values covering [lo, hi]. */
function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

export function formatNumber(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return +v.toPrecision(4) + '';
}

/** Draws a row-major w × h image of bytes (0 black … 255 white) filling the canvas, crisp pixels. */
export function drawPixels(canvas, bytes, w, h) {
  const small = drawPixels.buffer ?? (drawPixels.buffer = document.createElement('canvas'));
  small.width = w;
  small.height = h;
  const sctx = small.getContext('2d');
  const data = sctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = bytes[i] ?? 0;
    data.data.set([v, v, v, 255], 4 * i);
  }
  sctx.putImageData(data, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** The label distribution as horizontal bars with class names (inside `el`). */
export class ProbBars {
  constructor(el, classes) {
    el.replaceChildren();
    this.rows = classes.map((name, k) => {
      const row = document.createElement('div');
      row.className = 'prob-row';
      row.dataset.label = k;
      row.innerHTML = '<span class="prob-name"></span><span class="prob-track"><span class="prob-fill">' +
        '</span></span><span class="prob-pct"></span>';
      row.querySelector('.prob-name').textContent = name;
      row.querySelector('.prob-fill').style.background = classColor(k);
      el.append(row);
      return { row, fill: row.querySelector('.prob-fill'), pct: row.querySelector('.prob-pct') };
    });
  }

  update(probabilities, highlight) {
    this.rows.forEach((r, k) => {
      const p = probabilities[k] ?? 0;
      r.fill.style.width = `${(100 * p).toFixed(2)}%`;
      r.pct.textContent = p >= 0.995 ? '100%' : p >= 0.001 ? `${(100 * p).toFixed(1)}%` : '0%';
      r.row.classList.toggle('top', k === highlight);
    });
  }
}

/** The energy of the last frames against the step, one line per segment, boundaries dashed. */
export class EnergyChart {
  constructor(canvas) {
    this.canvas = canvas;
  }

  draw(history, count = 300) {
    const [ctx, W, H] = fit(this.canvas);
    const pts = history.slice(-count);
    const m = { left: 68, right: 14, top: 14, bottom: 38 };
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    ctx.font = FONT;
    if (pts.length < 2 || pw < 20 || ph < 20) {
      ctx.fillStyle = AXIS;
      ctx.fillText('waiting for frames…', m.left, m.top + 20);
      return;
    }
    let s0 = pts[0].step;
    let s1 = pts[pts.length - 1].step;
    if (s1 <= s0) s1 = s0 + 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of pts) {
      lo = Math.min(lo, p.energy);
      hi = Math.max(hi, p.energy);
    }
    const pad = Math.max((hi - lo) * 0.06, Math.abs(hi) * 1e-6, 1e-9);
    lo -= pad;
    hi += pad;
    const x = (s) => m.left + ((s - s0) / (s1 - s0)) * pw;
    const y = (e) => m.top + (1 - (e - lo) / (hi - lo)) * ph;

    // Grid, ticks and axis labels.
    ctx.strokeStyle = GRID;
    ctx.fillStyle = AXIS;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of niceTicks(lo, hi, 5)) {
      ctx.beginPath();
      ctx.moveTo(m.left, y(t));
      ctx.lineTo(W - m.right, y(t));
      ctx.stroke();
      ctx.fillText(formatNumber(t), m.left - 6, y(t));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of niceTicks(s0, s1, Math.max(2, Math.floor(pw / 90)))) {
      ctx.fillText(String(t), x(t), H - m.bottom + 6);
    }
    ctx.strokeStyle = AXIS;
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, pw, ph);
    ctx.fillText('step', m.left + pw / 2, H - 16);
    ctx.save();
    ctx.translate(14, m.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('energy E', 0, 0);
    ctx.restore();

    // Segment boundaries: the energy function or the clamped values changed there.
    ctx.save();
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = 'rgba(237, 201, 72, 0.7)';
    for (let i = 1; i < pts.length; i++) {
      if (pts[i].segment === pts[i - 1].segment) continue;
      const bx = x((pts[i - 1].step + pts[i].step) / 2);
      ctx.beginPath();
      ctx.moveTo(bx, m.top);
      ctx.lineTo(bx, m.top + ph);
      ctx.stroke();
    }
    ctx.restore();

    // One polyline per segment (within a segment the energy never rises).
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top, pw, ph);
    ctx.clip();
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    for (let i = 0; i < pts.length;) {
      let j = i;
      while (j + 1 < pts.length && pts[j + 1].segment === pts[i].segment) j++;
      ctx.strokeStyle = pts[i].mode === 'classify' ? '#76b7b2' : '#7aa2ff';
      ctx.beginPath();
      ctx.moveTo(x(pts[i].step), y(pts[i].energy));
      for (let k = i + 1; k <= j; k++) ctx.lineTo(x(pts[k].step), y(pts[k].energy));
      if (i === j) ctx.arc(x(pts[i].step), y(pts[i].energy), 1.5, 0, 2 * Math.PI);
      ctx.stroke();
      i = j + 1;
    }
    ctx.restore();

    const last = pts[pts.length - 1];
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#e6e9f0';
    ctx.fillText(`E = ${formatNumber(last.energy)}`, W - m.right - 6, m.top + 6);
  }
}

/** The stored memories in their PCA plane, coloured by class, with the moving state on top. */
export class PcaPlot {
  constructor(canvas, legend, classes) {
    this.canvas = canvas;
    this.classes = classes;
    this.points = [];
    this.labels = [];
    this.explained = [0, 0];
    this.bounds = [-1, 1, -1, 1];
    legend.replaceChildren(...classes.map((name, k) => {
      const item = document.createElement('span');
      item.className = 'legend-item';
      item.innerHTML = '<span class="swatch"></span>';
      item.firstChild.style.background = classColor(k);
      item.append(name);
      return item;
    }));
  }

  setMemories({ pca, labels, explained_variance: explained }) {
    this.points = pca;
    this.labels = labels;
    this.explained = explained ?? [0, 0];
    const xs = pca.map((p) => p[0]);
    const ys = pca.map((p) => p[1]);
    this.bounds = pca.length ? [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] : [-1, 1, -1, 1];
    this.background = null;
  }

  /** Equal scales on both axes, the memories' box padded, centred in the canvas. */
  layout(W, H) {
    const m = { left: 14, right: 14, top: 14, bottom: 30 };
    let [x0, x1, y0, y1] = this.bounds;
    const pad = 0.06 * Math.max(x1 - x0, y1 - y0, 1e-9);
    [x0, x1, y0, y1] = [x0 - pad, x1 + pad, y0 - pad, y1 + pad];
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    const scale = Math.min(pw / (x1 - x0), ph / (y1 - y0));
    const cx = m.left + pw / 2;
    const cy = m.top + ph / 2;
    const mx = (x0 + x1) / 2;
    const my = (y0 + y1) / 2;
    const clampX = (v) => Math.min(W - 4, Math.max(4, v));
    const clampY = (v) => Math.min(H - m.bottom, Math.max(4, v));
    return {
      m, pw, ph,
      // The memories' box on the canvas, for the axis labels.
      box: [cx - ((x1 - x0) / 2) * scale, cy - ((y1 - y0) / 2) * scale,
        cx + ((x1 - x0) / 2) * scale, cy + ((y1 - y0) / 2) * scale],
      x: (a) => clampX(cx + (a - mx) * scale),
      y: (b) => clampY(cy - (b - my) * scale),
    };
  }

  drawBackground(W, H, dpr) {
    const bg = document.createElement('canvas');
    bg.width = Math.round(W * dpr);
    bg.height = Math.round(H * dpr);
    const ctx = bg.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { m, box, x, y } = this.layout(W, H);
    ctx.font = FONT;
    ctx.fillStyle = AXIS;
    ctx.textAlign = 'center';
    const pct = (v) => `${(100 * v).toFixed(1)}%`;
    ctx.fillText(`PC1 (${pct(this.explained[0])} of the variance) →`, (box[0] + box[2]) / 2, H - m.bottom + 20);
    ctx.save();
    ctx.translate(Math.max(10, box[0] - 8), (box[1] + box[3]) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(`PC2 (${pct(this.explained[1])}) →`, 0, 0);
    ctx.restore();
    ctx.globalAlpha = 0.7;
    this.points.forEach((p, i) => {
      ctx.fillStyle = classColor(this.labels[i]);
      ctx.beginPath();
      ctx.arc(x(p[0]), y(p[1]), 2.2, 0, 2 * Math.PI);
      ctx.fill();
    });
    return bg;
  }

  /** `trail`: the state's last positions [a, b], oldest first (null entries are skipped). */
  draw(trail, label) {
    const [ctx, W, H] = fit(this.canvas);
    const dpr = window.devicePixelRatio || 1;
    const key = `${W}x${H}@${dpr}`;
    if (!this.background || this.backgroundKey !== key) {
      this.background = this.drawBackground(W, H, dpr);
      this.backgroundKey = key;
    }
    ctx.drawImage(this.background, 0, 0, W, H);
    const pts = trail.filter((p) => Array.isArray(p));
    if (!pts.length) return;
    const { x, y } = this.layout(W, H);
    ctx.lineWidth = 2;
    ctx.lineCap = 'round';
    for (let i = 1; i < pts.length; i++) {
      ctx.strokeStyle = `rgba(255, 255, 255, ${(0.1 + 0.8 * (i / pts.length)).toFixed(3)})`;
      ctx.beginPath();
      ctx.moveTo(x(pts[i - 1][0]), y(pts[i - 1][1]));
      ctx.lineTo(x(pts[i][0]), y(pts[i][1]));
      ctx.stroke();
    }
    const [a, b] = pts[pts.length - 1];
    ctx.fillStyle = label == null ? '#ffffff' : classColor(label);
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.arc(x(a), y(b), 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
