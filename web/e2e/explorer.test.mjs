// End-to-end test of the ActorGraph explorer in Debian's headless Chromium, driven by playwright-core.
//
//   ACTORGRAPH_URL=http://127.0.0.1:8080 node web/e2e/explorer.test.mjs
//
// The server must hold the seed dataset. The test searches "Karrar", opens the al-Karrar office, finds the
// paths to ISKP, checks that Turkey (the transit country of al-Karrar's money) is on the highlighted route,
// clicks a relation of the route and checks its citation in the evidence panel, and checks that the page
// logged no console error and asked nothing of any host but the server. It saves a screenshot to
// web/e2e/out/explorer.png and ends with "N passed, N failed".

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.ACTORGRAPH_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const TIMEOUT = 20_000;

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

function step(text) {
  console.log(`  - ${text}`);
}

/** Waits until the explorer has no request in flight. */
async function idle(page) {
  await page.waitForFunction(() => window.__explorer && !window.__explorer.busy() && document.body.dataset.busy === 'false',
    null, { timeout: TIMEOUT });
}

/** Types into a suggestion box like a person and picks the suggestion with the given actor id. */
async function pick(page, inputSelector, text, id) {
  const input = page.locator(inputSelector);
  await input.click();
  await input.fill('');
  await input.pressSequentially(text, { delay: 40 });
  const option = page.locator(`${inputSelector}-suggestions li[data-id="${id}"]`);
  await option.waitFor({ state: 'visible', timeout: TIMEOUT });
  await option.click();
}

/** Clicks a relation where it is drawn; true when the evidence panel then shows that relation. */
async function clickRelation(page, relId) {
  const p = await page.evaluate((id) => window.__explorer.clientPoint(id), relId);
  if (!p) return false;
  await page.mouse.click(p.x, p.y);
  try {
    await page.locator(`#details [data-relation="${relId}"]`).waitFor({ timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

async function explorerTest(page, problems) {
  step(`open ${BASE}/`);
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
  await idle(page);

  step('search "Karrar" and pick the al-Karrar office');
  await pick(page, '#search', 'Karrar', 'al-karrar-office');
  await page.waitForFunction(() => window.__explorer.hasNode('al-karrar-office'), null, { timeout: TIMEOUT });
  await idle(page);
  await page.locator('#details [data-actor="al-karrar-office"]').waitFor({ timeout: TIMEOUT });

  step('path finder: from al-Karrar office to ISKP');
  const section = page.locator('#path-section');
  if (!(await section.evaluate((d) => d.open))) await section.locator('summary').click();
  const from = await page.locator('#path-from').evaluate((i) => i.dataset.id);
  if (from !== 'al-karrar-office') await pick(page, '#path-from', 'al-Karrar', 'al-karrar-office');
  await pick(page, '#path-to', 'ISKP', 'iskp');
  await page.locator('#path-find').click();
  await page.locator('#path-results .result').first().waitFor({ timeout: TIMEOUT });
  await idle(page);

  const highlighted = await page.evaluate(() => window.__explorer.highlighted());
  step(`highlighted actors: ${highlighted.join(', ')}`);
  for (const id of ['al-karrar-office', 'iskp', 'turkey']) {
    assert(highlighted.includes(id), `${id} is on the highlighted path (highlighted: ${highlighted.join(', ')})`);
  }
  const attr = await page.locator('#cy').getAttribute('data-highlighted');
  assert(attr.split(' ').includes('turkey'), 'the canvas data-highlighted attribute names turkey');

  step('click a relation of the highlighted path');
  const relations = await page.evaluate(() => window.__explorer.highlightedRelations());
  assert(relations.length > 0, 'the path has highlighted relations');
  // Prefer the money leg that transits Turkey; fall back on any highlighted relation that can be clicked.
  const order = ['al-karrar-office:FUNDS:abu-miskin', ...relations.filter((r) => r !== 'al-karrar-office:FUNDS:abu-miskin')];
  let clicked = null;
  for (const rel of order) {
    if (relations.includes(rel) && await clickRelation(page, rel)) {
      clicked = rel;
      break;
    }
  }
  assert(clicked, `a click on one of ${relations.join(', ')} opens its evidence`);
  step(`evidence panel shows ${clicked}`);

  const citation = page.locator('#details .citation').first();
  await citation.waitFor({ state: 'visible', timeout: TIMEOUT });
  const title = (await citation.locator('.source-title').innerText()).trim();
  const claim = (await citation.locator('.claim').innerText()).trim();
  assert(title.length > 0, 'the citation names its source');
  assert(claim.length > 0, 'the citation states its claim');
  step(`citation: "${title}": ${claim}`);
  const status = (await page.locator('#details .status').innerText()).trim();
  assert(status.length > 0, 'the evidence panel shows the relation status');

  await mkdir(OUT, { recursive: true });
  const shot = join(OUT, 'explorer.png');
  await page.screenshot({ path: shot });
  step(`screenshot saved to ${shot}`);

  assert(problems.console.length === 0, `no console error (got: ${problems.console.join(' | ')})`);
  assert(problems.foreign.length === 0, `no request to another host (got: ${problems.foreign.join(', ')})`);
  step(`${problems.requests} requests, all to ${new URL(BASE).origin}`);
}

/**
 * The rest of the toolbox on a fresh page: double-click expansion with its "+N more" note, the time slider,
 * the funding view, the exports, and a shared link that restores the view in another tab.
 */
async function viewTest(page, problems, context) {
  step('open ISKP from an example button and expand it by double-click');
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle' });
  await idle(page);
  await page.locator('#empty [data-open="iskp"]').click();
  await page.waitForFunction(() => window.__explorer.hasNode('iskp'), null, { timeout: TIMEOUT });
  await idle(page);
  const p = await page.evaluate(() => window.__explorer.clientPoint('iskp'));
  await page.mouse.dblclick(p.x, p.y);
  await page.waitForFunction(() => window.__explorer.hash().includes('expand=iskp'), null, { timeout: TIMEOUT });
  await idle(page);
  const status = await page.locator('#status-message').innerText();
  assert(/\+\d+ more relations not shown/.test(status), `the status bar reports the omitted relations (got "${status}")`);
  const label = await page.evaluate(() => window.__explorer.label('iskp'));
  assert(/\+\d+ more/.test(label), `the expanded node carries a "+N more" badge (label "${label}")`);

  step('move the time slider to 2012');
  const more = async () => Number((await page.evaluate(() => window.__explorer.label('iskp'))).match(/\+(\d+) more/)?.[1] ?? 0);
  const before = await more();
  await page.locator('#asof').fill('2012');
  await page.waitForFunction(() => window.__explorer.hash().includes('asOf=2012'), null, { timeout: TIMEOUT });
  await idle(page);
  const after = await more();
  assert(after < before, `ISKP had fewer relations in 2012 than now (+${after} more vs +${before} more)`);
  assert((await page.locator('#asof-label').innerText()).trim() === '2012', 'the slider shows 2012');
  await page.locator('#asof').fill('2026');
  await page.waitForFunction(() => !window.__explorer.hash().includes('asOf='), null, { timeout: TIMEOUT });
  await idle(page);

  step('funding view: money through Turkey');
  await page.locator('#fund-section summary').click();
  await page.locator('#fund-role').selectOption('through');
  await pick(page, '#fund-actor', 'Turkey', 'turkey');
  await page.locator('#fund-form button[type=submit]').click();
  await page.locator('#fund-results .result.money').first().waitFor({ timeout: TIMEOUT });
  await idle(page);
  const funded = await page.evaluate(() => window.__explorer.highlighted());
  for (const id of ['turkey', 'abu-miskin', 'al-karrar-office', 'iskp']) {
    assert(funded.includes(id), `${id} is on a highlighted funding route (highlighted: ${funded.join(', ')})`);
  }

  step('export PNG, JSON and GraphML');
  const json = JSON.parse(await downloadText(page, '#export-json'));
  assert(json.nodes.some((n) => n.id === 'turkey') && json.edges.some((e) => e.type === 'FUNDS'),
    'the JSON export holds the actors and FUNDS relations on the canvas');
  const graphml = await downloadText(page, '#export-graphml');
  assert(graphml.includes('<graphml') && graphml.includes('<node id="turkey">') && graphml.includes('>FUNDS</data>'),
    'the GraphML export holds the nodes and typed edges');
  const png = await downloadBytes(page, '#export-png');
  assert(png.subarray(1, 4).toString() === 'PNG' && png.length > 10_000, `the PNG export is an image (${png.length} bytes)`);

  step('a shared link restores the view in a new tab');
  const link = page.url();
  const expected = await page.evaluate(() => ({ nodes: window.__explorer.counts().actors, hl: window.__explorer.highlighted() }));
  const other = await context.newPage();
  watch(other, problems);
  await other.goto(link, { waitUntil: 'networkidle' });
  await other.waitForFunction((n) => window.__explorer && window.__explorer.counts().actors === n && !window.__explorer.busy(),
    expected.nodes, { timeout: TIMEOUT });
  const restored = await other.evaluate(() => window.__explorer.highlighted());
  assert(JSON.stringify(restored) === JSON.stringify(expected.hl), `the link restores the highlighted route (${restored.join(', ')})`);
  assert(await other.locator('#fund-actor').inputValue() === 'Turkey', 'the link restores the funding view form');
  await other.close();
  assert(problems.console.length === 0, `no console error (got: ${problems.console.join(' | ')})`);
  assert(problems.foreign.length === 0, `no request to another host (got: ${problems.foreign.join(', ')})`);
}

/** Clicks an export button and returns the downloaded file. */
async function downloadBytes(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.locator(button).click()]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  return Buffer.concat(chunks);
}

async function downloadText(page, button) {
  return (await downloadBytes(page, button)).toString('utf8');
}

/** Records console errors and requests to other hosts. */
function watch(page, problems) {
  const origin = new URL(BASE).origin;
  page.on('console', (msg) => { if (msg.type() === 'error') problems.console.push(msg.text()); });
  page.on('pageerror', (err) => problems.console.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    problems.requests++;
    const url = new URL(req.url());
    // data: and blob: URLs are made inside the page and reach no host.
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) problems.foreign.push(req.url());
  });
}

const TESTS = [
  ['explorer: search "Karrar", path to ISKP through Turkey, evidence', explorerTest],
  ['view: expand, time slider, funding view, exports, shared link', viewTest],
];

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, test] of TESTS) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      const problems = { console: [], foreign: [], requests: 0 };
      watch(page, problems);
      console.log(name);
      try {
        await test(page, problems, context);
        passed++;
        console.log(`ok ${name}`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${name}: ${err.message}`);
        await mkdir(OUT, { recursive: true });
        await page.screenshot({ path: join(OUT, `failure-${passed + failed}.png`) }).catch(() => {});
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.log(`FAIL setup: ${err.message}`);
  console.log(`0 passed, ${TESTS.length} failed`);
  process.exitCode = 1;
});
