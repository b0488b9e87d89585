// The live settings: log-scale sliders for β, λ and dt, a linear one for the steps per frame.

const round3 = (v) => +v.toPrecision(3);

/**
 * One <input type="range"> bound to a setting. A log slider's position is log10(value); the value
 * sent (3 significant digits) is kept in the input's data-value and shown in `output`.
 */
class Slider {
  constructor(input, output, { lo, hi, value, log, integer }) {
    this.input = input;
    this.output = output;
    this.log = log;
    this.integer = integer;
    this.touched = 0;
    if (log) {
      input.min = Math.log10(lo);
      input.max = Math.log10(hi);
      input.step = (Math.log10(hi) - Math.log10(lo)) / 400;
    } else {
      input.min = lo;
      input.max = hi;
      input.step = integer ? 1 : (hi - lo) / 400;
    }
    this.show(value);
  }

  /** The value at the slider's position. */
  read() {
    const p = Number(this.input.value);
    if (this.integer) return Math.round(p);
    return round3(this.log ? 10 ** p : p);
  }

  /** Moves the slider to `value` and shows it (unless the user moved it a moment ago). */
  show(value, fromServer = false) {
    if (fromServer && performance.now() - this.touched < 1500) return;
    if (this.value === value) return;
    this.value = value;
    this.input.value = this.log ? Math.log10(value) : value;
    this.input.dataset.value = value;
    this.output.textContent = this.integer ? String(value) : String(round3(value));
  }
}

/**
 * The sliders and buttons of the controls panel. `send(body)` posts a control request; moving a
 * slider sends its value at most every 120 ms while dragging, and once more when released.
 */
export class Controls {
  constructor(info, send) {
    const { defaults, limits } = info;
    const $ = (id) => document.getElementById(id);
    this.defaults = defaults;
    this.sliders = {
      beta: new Slider($('beta'), $('beta-value'), { ...range(limits.beta, defaults.beta), log: true }),
      lambda: new Slider($('lambda'), $('lambda-value'),
        { ...range(limits.lambda, defaults.lambda), log: true }),
      dt: new Slider($('dt'), $('dt-value'), { ...range(limits.dt, defaults.dt), log: true }),
      steps_per_frame: new Slider($('steps'), $('steps-value'),
        { ...range(limits.steps_per_frame, defaults.steps_per_frame), integer: true }),
    };
    for (const [key, slider] of Object.entries(this.sliders)) {
      let timer = null;
      const post = () => {
        timer = null;
        send({ [key]: slider.value });
      };
      slider.input.addEventListener('input', () => {
        slider.touched = performance.now();
        slider.show(slider.read());
        timer ??= setTimeout(post, 120);
      });
      slider.input.addEventListener('change', () => {
        slider.touched = performance.now();
        slider.show(slider.read());
        clearTimeout(timer);
        post();
      });
    }
    $('reset').addEventListener('click', () => send({ reset: true }));
    $('defaults').addEventListener('click', () => {
      for (const [key, slider] of Object.entries(this.sliders)) slider.show(defaults[key]);
      send({ ...defaults });
    });
  }

  /** Follows the settings a frame reports. */
  sync(frame) {
    for (const [key, slider] of Object.entries(this.sliders)) {
      if (typeof frame[key] === 'number') slider.show(frame[key], true);
    }
  }
}

function range([lo, hi], value) {
  return { lo, hi, value: Math.min(hi, Math.max(lo, value)) };
}
