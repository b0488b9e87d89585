// The drawing pad: white strokes on black like MNIST, and the MNIST way down to 28 × 28.

/** A canvas to draw on with mouse, pen or touch (pointer events). */
export class DrawingPad {
  constructor(canvas, { brush = 22, onStroke = () => {} } = {}) {
    this.canvas = canvas;
    this.brush = brush;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.last = null;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.line(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      e.preventDefault();
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
      for (const ev of events.length ? events : [e]) {
        const p = this.point(ev);
        this.line(this.last, p);
        this.last = p;
      }
    });
    const end = () => {
      if (this.last) onStroke();
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** The event's position in canvas pixels (the canvas may be scaled by CSS). */
  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [
      ((e.clientX - r.left) / r.width) * this.canvas.width,
      ((e.clientY - r.top) / r.height) * this.canvas.height,
    ];
  }

  line(a, b) {
    const ctx = this.ctx;
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = this.brush * (this.canvas.width / 280);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  clear() {
    this.ctx.fillStyle = '#000000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The drawing as 28 × 28 bytes (see toMnist), or null when nothing is drawn. */
  toMnist(size = 28, box = 20) {
    const { width: w, height: h } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, w, h).data;
    const ink = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++) ink[i] = rgba[4 * i];
    return mnistFromInk(ink, w, h, size, box);
  }
}

/**
 * MNIST's preprocessing of a w × h grey image (row-major, 0 … 255): crop the bounding box of the
 * ink, scale it (area average) so that its longer side is `box` pixels keeping the aspect ratio,
 * and place it in a size × size field with its centre of mass at the centre. Returns
 * Uint8Array(size * size), or null when there is no ink.
 */
export function mnistFromInk(ink, w, h, size = 28, box = 20) {
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] > 8) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const s = Math.max(cw, ch) / box; // source pixels per target pixel
  const tw = Math.max(1, Math.round(cw / s));
  const th = Math.max(1, Math.round(ch / s));
  const wx = coverage(cw, tw, s);
  const wy = coverage(ch, th, s);

  // Area average: each target pixel is the mean of the source area it covers (separable).
  const rows = new Float64Array(ch * tw);
  for (let y = 0; y < ch; y++) {
    for (const [t, i, a] of wx) rows[y * tw + t] += a * ink[(y0 + y) * w + x0 + i];
  }
  const small = new Float64Array(th * tw);
  for (const [t, j, a] of wy) {
    for (let x = 0; x < tw; x++) small[t * tw + x] += a * rows[j * tw + x];
  }
  for (let i = 0; i < small.length; i++) small[i] = Math.min(255, small[i] / (s * s));

  // Centre of mass of the ink → the centre of the field (index coordinates, centre (size-1)/2).
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const centre = (size - 1) / 2;
  const dx = mass > 0 ? Math.round(centre - mx / mass) : Math.round((size - tw) / 2);
  const dy = mass > 0 ? Math.round(centre - my / mass) : Math.round((size - th) / 2);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + dx;
      const Y = y + dy;
      if (X >= 0 && X < size && Y >= 0 && Y < size) out[Y * size + X] = Math.round(small[y * tw + x]);
    }
  }
  return out;
}

/**
 * The overlaps [target t, source i, length] of target cells [t·s, (t+1)·s) with source pixels
 * [i, i+1), for n source pixels and m target cells (lengths in source pixels).
 */
function coverage(n, m, s) {
  const out = [];
  for (let t = 0; t < m; t++) {
    const a = t * s;
    const b = Math.min(n, (t + 1) * s);
    for (let i = Math.floor(a); i < Math.ceil(b); i++) {
      const len = Math.min(b, i + 1) - Math.max(a, i);
      if (len > 0) out.push([t, i, len]);
    }
  }
  return out;
}
