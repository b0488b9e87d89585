// The demo page of `engram serve` in a real browser (docs/demo.md): frames arrive at the served
// rate, the energy never rises within a segment, clamping a label generates that class, the
// classifier reads a test image and a drawn 1, the sliders act live, and the server stops cleanly.
//
//   node tests/browser/demo.test.mjs build/bin/engram build/browser
//
// Writes <out>/demo.png (generator mode), <out>/demo-classify.png and <out>/server.log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error('usage: node tests/browser/demo.test.mjs <engram binary> <output folder>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const summary = [];
const failures = [];

/** Runs one check; a failed assertion is recorded and the next checks still run. */
async function step(what, check) {
  try {
    await check();
  } catch (e) {
    // A custom assert message is followed by node's "actual !== expected"; the message says it.
    const message = e.message.replace(/\n\n.* !== .*\n*$/, '');
    console.log(`FAIL ${what}: ${message}`);
    failures.push(`${what}: ${message}`);
  }
}
const ok = (what, detail) => {
  console.log(`ok   ${what}${detail ? `: ${detail}` : ''}`);
  summary.push([what, detail]);
};

/** Starts `engram serve` on a free port; resolves once it printed its URL. */
function startServer() {
  const args = ['serve', '--port', '0', '--fps', '25', '--max-sessions', '8'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { child, log: '', url: null };
  server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (d) => (server.log += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engram serve printed no URL within 60 s:\n${server.log}`)), 60000);
    child.on('error', (e) => reject(new Error(`cannot start ${binary}: ${e.message}`)));
    child.stdout.on('data', (d) => {
      server.log += d;
      const m = server.log.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m && !server.url) {
        server.url = m[0];
        clearTimeout(timer);
        resolve(server);
      }
    });
    server.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`engram serve exited (code ${code}, signal ${signal}) before printing its URL:\n${server.log}`));
    });
  });
}

/** SIGTERM, then the exit status must be 0 within 5 s. */
async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(`engram serve died during the test (code ${child.exitCode}, signal ${child.signalCode})`);
  }
  child.kill('SIGTERM');
  const t0 = Date.now();
  const result = await Promise.race([server.exited, sleep(5000).then(() => null)]);
  if (!result) {
    child.kill('SIGKILL');
    throw new Error('engram serve did not exit within 5 s of SIGTERM');
  }
  assert.equal(result.code, 0, `engram serve exited with code ${result.code} (signal ${result.signal}) on SIGTERM`);
  ok('clean shutdown', `exit code 0, ${Date.now() - t0} ms after SIGTERM`);
}

const demo = (page, fn, arg) => page.evaluate(fn, arg);
const lastFrame = (page) => demo(page, () => window.engramDemo.last);
const argmax = (v) => v.reduce((k, x, i) => (x > v[k] ? i : k), 0);
const classify = (page, pixels) =>
  demo(page, async (p) => {
    const r = await fetch('/api/classify', { method: 'POST', body: JSON.stringify({ pixels: p }) });
    return r.json();
  }, pixels);

/** Waits until a frame satisfies `predicate` (evaluated in the page on engramDemo.last). */
async function waitForFrame(page, predicate, arg, timeout, what) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  } catch {
    const f = await lastFrame(page);
    const brief = f && { ...f, image: `${f.image.length} chars` };
    throw new Error(`${what}: not seen within ${timeout} ms; last frame ${JSON.stringify(brief)}`);
  }
}

async function checkFramesArrive(page, info) {
  await page.waitForFunction(() => window.engramDemo?.frames > 40, null, { timeout: 10000 }).catch(() => {
    throw new Error('fewer than 41 frames within 10 s of loading the page');
  });
  const f0 = await demo(page, () => window.engramDemo.frames);
  const t0 = Date.now();
  await sleep(3000);
  const f1 = await demo(page, () => window.engramDemo.frames);
  const fps = ((f1 - f0) * 1000) / (Date.now() - t0);
  assert.ok(fps >= 15, `frames arrive at ${fps.toFixed(1)} per second, expected at least 15 (server: ${info.fps})`);
  ok('frames arrive', `${fps.toFixed(1)} frames/s (server targets ${info.fps})`);
  return fps;
}

/** The labels cycle by themselves: at least two labels with auto = true within label_period + 3 s. */
async function checkCycling(page, info) {
  const timeout = (info.label_period + 3) * 1000;
  await page.waitForFunction(() => {
    const auto = window.engramDemo.history.filter((h) => h.mode === 'generate');
    return new Set(auto.map((h) => h.label)).size >= 2;
  }, null, { timeout }).catch(() => {
    throw new Error(`the label did not change by itself within ${timeout} ms`);
  });
  const f = await lastFrame(page);
  assert.equal(f.auto, true, 'frames in cycling generate mode carry auto = true');
  assert.ok(typeof f.next_switch === 'number' && f.next_switch <= info.label_period,
    `next_switch is a number of seconds ≤ label_period, got ${f.next_switch}`);
  const labels = [...new Set((await demo(page, () => window.engramDemo.history)).map((h) => h.label))];
  ok('labels cycle', `labels seen ${labels.join(', ')}; next switch in ${f.next_switch.toFixed(1)} s`);
}

/** Within one segment, energy[i+1] ≤ energy[i] + 1e-6 · max(1, |energy[i]|). */
async function checkEnergy(page, when) {
  const history = await demo(page, () => window.engramDemo.history);
  let maxRise = -Infinity;
  let pairs = 0;
  for (let i = 0; i + 1 < history.length; i++) {
    const [a, b] = [history[i], history[i + 1]];
    if (a.segment !== b.segment) continue;
    pairs++;
    const rise = b.energy - a.energy;
    maxRise = Math.max(maxRise, rise);
    assert.ok(rise <= 1e-6 * Math.max(1, Math.abs(a.energy)),
      `energy rose within segment ${a.segment}: frame ${a.frame} E=${a.energy} → frame ${b.frame} E=${b.energy}`);
  }
  assert.ok(pairs > 20, `too few frames to check the energy (${pairs} pairs)`);
  const segments = new Set(history.map((h) => h.segment)).size;
  ok(`energy never rises within a segment (${when})`,
    `${pairs} consecutive frames over ${segments} segments, largest rise ${maxRise.toExponential(2)}`);
  return maxRise;
}

/** Clamps label k by clicking it; after 4 s engram's classifier must read the image as k. */
async function checkGenerate(page, info, k) {
  const name = info.classes[k];
  await page.click(`#labels button[data-label="${k}"]`);
  await waitForFrame(page, (k) => window.engramDemo.last.label === k && !window.engramDemo.last.auto, k, 2000,
    `label ${k} clamped`);
  await sleep(4000);
  const f = await lastFrame(page);
  assert.equal(f.mode, 'generate');
  assert.equal(f.label, k, `the frames' label is the clamped ${k}`);
  assert.equal(f.next_switch, null, 'a clamped label has no next_switch');
  const r = await classify(page, f.image);
  assert.equal(r.label, k, `4 s after clamping label ${k} engram reads the image as ${r.label} ` +
    `(probabilities ${r.probabilities.map((p) => p.toFixed(3)).join(' ')})`);
  const want = `reads this as: ${name} (`;
  await page.waitForFunction((w) => document.querySelector('#reading').textContent.includes(w), want,
    { timeout: 5000 }).catch(async () => {
    throw new Error(`#reading does not say "${want}…": "${await page.textContent('#reading')}"`);
  });
  const reading = (await page.textContent('#reading')).trim();
  assert.match(await page.textContent('#current-label'), new RegExp(name));
  ok(`generate label ${k}`, `classifier reads ${r.label} with p = ${r.probabilities[k].toFixed(3)}; #reading "${reading}"`);
  return r.probabilities[k];
}

async function checkGallery(page) {
  await page.click('#mode-classify');
  await waitForFrame(page, () => window.engramDemo.last.mode === 'classify', null, 2000, 'classify mode');
  const img = page.locator('#gallery [data-index="0"]');
  const label = Number(await img.getAttribute('data-label'));
  await img.click();
  await sleep(3000);
  const f = await lastFrame(page);
  assert.equal(f.mode, 'classify');
  assert.equal(argmax(f.probabilities), label,
    `test image 0 (label ${label}) is classified as ${argmax(f.probabilities)}: ${f.probabilities.map((p) => p.toFixed(3))}`);
  ok('classify test image 0', `label ${label}, p = ${f.probabilities[label].toFixed(3)} after 3 s`);
  return label;
}

/** A drawn 1: a thick vertical stroke in the middle of #draw, then "classify drawing". */
async function checkDrawing(page) {
  await page.click('#clear-drawing');
  const pad = page.locator('#draw');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const x = box.x + box.width / 2;
  await page.mouse.move(x + 6, box.y + box.height * 0.18);
  await page.mouse.down();
  await page.mouse.move(x - 6, box.y + box.height * 0.82, { steps: 25 });
  await page.mouse.up();
  await page.click('#classify-drawing');
  await sleep(3000);
  const f = await lastFrame(page);
  assert.equal(f.mode, 'classify');
  const k = argmax(f.probabilities);
  assert.equal(k, 1, `a drawn 1 is classified as ${k}: ${f.probabilities.map((p) => p.toFixed(3))}`);
  ok('classify a drawn 1', `p(1) = ${f.probabilities[1].toFixed(3)} after 3 s`);
}

/** Moves the β slider; the following frames must report the value the page shows. */
async function checkBetaSlider(page) {
  const before = await lastFrame(page);
  const beta = await page.$eval('#beta', (el) => {
    const [lo, hi] = [Number(el.min), Number(el.max)];
    el.value = String(lo + 0.7 * (hi - lo));
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return Number(el.dataset.value);
  });
  assert.ok(Number.isFinite(beta) && Math.abs(beta - before.beta) > 1e-3 * before.beta,
    `the slider gives a new β (${beta}, was ${before.beta})`);
  await waitForFrame(page, (b) => Math.abs(window.engramDemo.last.beta - b) <= 1e-9 * b, beta, 3000,
    `frames reporting β = ${beta}`);
  const f = await lastFrame(page);
  assert.ok(f.segment > before.segment, 'a new β starts a new segment');
  assert.equal(Number(await page.textContent('#beta-value')), beta, '#beta-value shows the new β');
  ok('β slider acts live', `β ${before.beta} → ${f.beta}, segment ${before.segment} → ${f.segment}`);
}

/** With every session taken, a new page says the server is busy. */
async function checkBusy(browser, url, info) {
  const taken = [];
  for (let i = 0; i < info.max_sessions; i++) {
    const r = await fetch(new URL('/api/sessions', url), { method: 'POST', body: '{}' });
    if (r.status === 503) break;
    assert.equal(r.status, 201);
    taken.push((await r.json()).id);
  }
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => /busy/.test(document.querySelector('#status').textContent), null,
      { timeout: 5000 }).catch(async () => {
      throw new Error(`with all sessions taken #status says "${await page.textContent('#status')}"`);
    });
    ok('server busy shown', `"${(await page.textContent('#status')).trim()}"`);
  } finally {
    await page.close();
    for (const id of taken) await fetch(new URL(`/api/sessions/${id}`, url), { method: 'DELETE' });
  }
}

async function run() {
  let server = null;
  let browser = null;
  const pageErrors = [];
  let failure = null;
  try {
    server = await startServer();
    ok('engram serve started', server.url);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(`console: ${m.text()}`));

    await page.goto(server.url);
    assert.match(await page.title(), /engram/, 'the page title names engram');
    assert.ok(await page.$('#image'), 'the page has the #image canvas');
    const info = await demo(page, async () => {
      while (!window.engramDemo?.info) await new Promise((r) => setTimeout(r, 50));
      return window.engramDemo.info;
    });
    ok('page loaded', `"${await page.title()}", ${info.classes.length} classes, ${info.memories} memories`);

    await checkFramesArrive(page, info); // the later checks need frames: a failure here ends the test
    await step('labels cycle', () => checkCycling(page, info));
    await step('energy (generator)', () => checkEnergy(page, 'generator'));
    await step('generate label 3', () => checkGenerate(page, info, 3));
    await step('generate label 8', () => checkGenerate(page, info, 8));
    await page.screenshot({ path: path.join(outDir, 'demo.png'), fullPage: true });
    await step('classify test image 0', () => checkGallery(page));
    await step('classify a drawn 1', () => checkDrawing(page));
    await page.screenshot({ path: path.join(outDir, 'demo-classify.png'), fullPage: true });
    await step('β slider', () => checkBetaSlider(page));
    await step('energy (whole run)', () => checkEnergy(page, 'whole run'));
    await step('server busy', () => checkBusy(browser, server.url, info));
    assert.deepEqual(pageErrors, [], `the page reported errors:\n${pageErrors.join('\n')}`);
    ok('no errors in the page');
  } catch (e) {
    failure = e;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) {
      try {
        await stopServer(server);
      } catch (e) {
        failure ??= e;
      }
      writeFileSync(path.join(outDir, 'server.log'), server.log);
    }
  }
  if (failure) failures.push(failure.message);
  if (failures.length) {
    console.error(`\nFAILED: ${failures.length} check(s); ${summary.length} passed`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
  console.log(`\nPASS: ${summary.length} checks; screenshots in ${outDir}/demo.png and demo-classify.png`);
}

await run();
