// The ActorGraph explorer: search, expand, trace paths and funding routes, read the evidence, export and
// share. State lives in `state` (mirrored in the URL hash); every change goes through a function that
// queries the API, draws the result on the canvas and calls commit().

import * as api from './api.js';
import { Canvas } from './canvas.js';
import { actorPanel, emptyPanel, relationPanel } from './details.js';
import { $, $$, download, el } from './dom.js';
import { toGraphML, toJSON } from './exporters.js';
import { KINDS, RELATIONS, RELATION_TYPES, humanize, kindSwatch, relationSwatch } from './style.js';
import { attachSuggest } from './suggest.js';
import { KINDS_WITHOUT_COUNTRIES, emptyState, parseHash, toHash } from './urlstate.js';

const NOW = 2026; // the slider's last stop stands for "now" (no asOf)
const MORE_FACTOR = 4; // "Show more" multiplies the per-actor limit by this
const MAX_PER_NODE = 500;

let state = parseHash(location.hash);
let highlight = null; // { nodes, relations, ends } currently emphasised, re-applied after every change
let generation = 0; // bumps on every rebuild, so a slow, outdated rebuild does not draw over a newer one
let pending = 0;

const canvas = new Canvas($('#cy'), {
  onNode: (id) => select(id),
  onEdge: (id) => select(id),
  onExpand: (id) => expand(id),
  onBackground: () => select(null),
});

// --- status bar ----------------------------------------------------------------------------------------------

const statusMsg = $('#status-message');

function info(text) {
  statusMsg.className = 'info';
  statusMsg.replaceChildren(text);
}

function warn(text) {
  statusMsg.className = 'warn';
  statusMsg.replaceChildren(text);
}

/** Shows an API error with its extensions.code (NOT_FOUND, INVALID, TIMEOUT, UNAVAILABLE, ...). */
function showError(err) {
  statusMsg.className = 'error';
  const code = err.code ?? 'ERROR';
  statusMsg.replaceChildren(el('span', { class: 'code' }, code), ' ', err.message ?? String(err));
}

/** Runs an async job with the busy indicator on; errors are shown in the status bar and swallowed. */
async function track(job) {
  pending++;
  document.body.dataset.busy = 'true';
  try {
    return await job();
  } catch (err) {
    if (err.name !== 'AbortError') showError(err);
    return undefined;
  } finally {
    pending--;
    if (pending === 0) document.body.dataset.busy = 'false';
  }
}

// --- state -> URL, counters, overlay ----------------------------------------------------------------------

/** Records the state in the URL (without a history entry per click) and refreshes the chrome around the canvas. */
function commit() {
  const hash = toHash(state);
  if (hash !== location.hash) history.replaceState(null, '', hash || location.pathname + location.search);
  const { actors, relations } = canvas.counts();
  $('#counts').textContent = `${actors} actor${actors === 1 ? '' : 's'} · ${relations} relation${relations === 1 ? '' : 's'}`
    + ` · as of ${state.asOf ?? 'now'}`;
  $('#empty').hidden = !canvas.isEmpty();
  canvas.highlight(highlight ?? {});
  $('#cy').dataset.highlighted = canvas.highlightedNodes().join(' ');
}

function expandOptions(limit) {
  return { types: typesParam(), asOf: state.asOf, perNodeLimit: limit ?? state.perNodeLimit };
}

/** The relation types to ask for: null when all are on. */
function typesParam() {
  return state.types ? [...state.types] : null;
}

// --- opening and expanding ------------------------------------------------------------------------------

/** Puts an actor on the canvas (from a search pick, an example or a link) and selects it. */
async function openActor({ id }) {
  const a = await track(() => api.actor(id));
  if (!a) return;
  if (!state.opened.includes(id)) state.opened.push(id);
  state.hidden.delete(id);
  const keep = new Set(canvas.positions().keys());
  canvas.addActor(a);
  await canvas.layout({ keep });
  if (!pathFrom.value()) pathFrom.set(a);
  if (!fundActor.value()) fundActor.set(a);
  info(`Opened ${a.name}. Double-click it (or press Expand) to see its neighbours.`);
  await select(id);
}

/** Adds an actor's neighbours under the relation-type filter and the per-actor limit. */
async function expand(id, limit = state.expanded.get(id) ?? null) {
  const sub = await track(() => api.neighbourhood(id, expandOptions(limit)));
  if (!sub) return;
  state.expanded.set(id, limit);
  const keep = new Set(canvas.positions().keys());
  drawNeighbourhood(id, sub);
  await canvas.layout({ keep });
  reportOmitted(id, sub, limit);
  commit();
  if (state.selected === id) renderPanel();
}

function expandMore(id) {
  const current = state.expanded.get(id) ?? state.perNodeLimit;
  expand(id, Math.min(MAX_PER_NODE, current * MORE_FACTOR));
}

function drawNeighbourhood(id, sub) {
  for (const a of sub.nodes) if (!state.hidden.has(a.id)) canvas.addActor(a, id);
  for (const r of sub.edges) canvas.addRelation(r);
  canvas.setMore(id, sub.omitted);
}

/** The fan-out safeguard made visible: "+N more" on the node and a note in the status bar. */
function reportOmitted(id, sub, limit) {
  const name = canvas.actors.get(id)?.name ?? id;
  if (sub.omitted > 0) {
    warn(`${name}: +${sub.omitted} more relations not shown (at most ${limit ?? state.perNodeLimit} per actor). `
      + 'Use "Show more" in the panel, raise the limit, or filter by relation type.');
  } else {
    info(`${name}: ${sub.edges.length} relation${sub.edges.length === 1 ? '' : 's'} shown.`);
  }
}

function hide(id) {
  state.hidden.add(id);
  state.opened = state.opened.filter((x) => x !== id);
  state.expanded.delete(id);
  canvas.remove(id);
  if (state.selected === id) state.selected = null;
  renderPanel();
  commit();
}

// --- path finder ---------------------------------------------------------------------------------------------

const pathFrom = attachSuggest($('#path-from'), { onPick: () => {}, onError: showError });
const pathTo = attachSuggest($('#path-to'), { onPick: () => {}, onError: showError });

function pathQuery(p) {
  return {
    from: p.from, to: p.to, types: typesParam(), asOf: state.asOf, rankBy: p.rankBy,
    kinds: p.avoidCountries ? KINDS_WITHOUT_COUNTRIES : null,
  };
}

/** Reads the path finder's form and runs it. */
async function findPathsFromForm() {
  const from = pathFrom.value();
  const to = pathTo.value();
  if (!from || !to) {
    warn('Pick both ends of the path from the suggestions.');
    return;
  }
  state.path = { from: from.id, to: to.id, avoidCountries: $('#avoid-countries').checked, rankBy: $('#path-rank').value };
  state.funding = null;
  await runPaths();
}

async function runPaths() {
  const res = await track(() => api.findPaths(pathQuery(state.path)));
  if (!res) return;
  const keep = new Set(canvas.positions().keys());
  const results = drawPathResults(res);
  await canvas.layout({ keep });
  renderResults($('#path-results'), results);
  commit();
  canvas.fit();
  if (!results.length) warn('No path between them within the hop limit under the current filters.');
  else info(`${results.length} route${results.length === 1 ? '' : 's'} found and highlighted. Click a relation to read its evidence.`);
}

/** A path's identity, to drop the shortest path when paths() already lists it. */
const pathKey = (p) => p.edges.map((e) => e.id).join('|');

/** Draws the path finder's answer and returns the list entries (each with what it highlights). */
function drawPathResults(res) {
  const { from, to } = state.path;
  const results = [];
  const seen = new Set();
  const push = (path, title, extra = {}) => {
    const key = pathKey(path);
    if (seen.has(key)) return;
    seen.add(key);
    drawPath(path);
    results.push({ title, path, ...extra });
  };
  if (res.shortest) push(res.shortest, 'Shortest path');
  res.paths.forEach((p, i) => push(p, `Path ${i + 1}`));
  for (const ch of res.channels) push(ch.path, 'Money route', { channel: ch });
  setHighlight(results, [from, to]);
  return results;
}

/** Draws a path or a channel; its actors are shown even if the user had hidden them. */
function drawPath(path) {
  for (const a of path.nodes) state.hidden.delete(a.id);
  for (const r of path.edges) r.via.forEach((v) => state.hidden.delete(v.id));
  path.nodes.forEach((a, i) => canvas.addActor(a, path.nodes[i - 1]?.id ?? null));
  for (const r of path.edges) canvas.addRelation(r);
}

/** Highlights the union of the given results: their actors, relations, and the via actors of their routes. */
function setHighlight(results, ends) {
  const nodes = new Set(ends);
  const relations = new Set();
  for (const { path } of results) {
    for (const a of path.nodes) nodes.add(a.id);
    for (const r of path.edges) {
      relations.add(r.id);
      for (const v of r.via) nodes.add(v.id);
    }
  }
  highlight = { nodes: [...nodes], relations: [...relations], ends };
}

/** The result list under the path finder or the funding view; clicking an entry highlights it alone. */
function renderResults(container, results) {
  const ends = highlight?.ends ?? [];
  const all = el('li', { class: 'result all active', tabindex: 0 },
    el('div', { class: 'result-head' }, results.length ? `All ${results.length} highlighted` : 'Nothing found'));
  const items = results.map((r) => resultItem(r));
  const activate = (li, subset) => {
    $$('.result', container).forEach((x) => x.classList.toggle('active', x === li));
    setHighlight(subset, ends);
    commit();
    canvas.fit();
  };
  const onActivate = (li, subset) => {
    li.addEventListener('click', () => activate(li, subset));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        activate(li, subset);
      }
    });
  };
  onActivate(all, results);
  items.forEach((li, i) => onActivate(li, [results[i]]));
  container.replaceChildren(el('ol', { class: 'results' }, all, items));
}

function resultItem({ title, path, channel }) {
  const hops = `${path.length} hop${path.length === 1 ? '' : 's'}`;
  const via = channel?.via?.length ? ` · via ${channel.via.map((a) => a.name).join(', ')}` : '';
  return el('li', { class: `result${channel ? ' money' : ''}`, tabindex: 0 },
    el('div', { class: 'result-head' }, el('strong', {}, title), ` · ${hops} · credibility ${path.credibility.toFixed(2)}${via}`),
    chain(path));
}

/** "A —funds→ B ←branch of— C": the walk with each relation's direction. */
function chain(path) {
  const parts = [];
  path.nodes.forEach((a, i) => {
    parts.push(el('span', { class: 'hop-actor' }, kindSwatch(a.kind, 10), a.name));
    const r = path.edges[i];
    if (!r) return;
    const forward = r.from.id === a.id;
    const via = r.via.length ? ` via ${r.via.map((v) => v.name).join(', ')}` : '';
    parts.push(el('span', { class: 'hop-rel', style: `color:${RELATIONS[r.type]?.color ?? '#64748b'}` },
      forward ? ` —${humanize(r.type)}${via}→ ` : ` ←${humanize(r.type)}${via}— `));
  });
  return el('div', { class: 'chain' }, parts);
}

// --- funding view --------------------------------------------------------------------------------------------

const fundActor = attachSuggest($('#fund-actor'), { onPick: () => {}, onError: showError });

async function showFundingFromForm() {
  const a = fundActor.value();
  if (!a) {
    warn('Pick an actor for the funding view from the suggestions.');
    return;
  }
  state.funding = { role: $('#fund-role').value, id: a.id };
  state.path = null;
  await runFunding();
}

async function runFunding() {
  const { role, id } = state.funding;
  const channels = await track(() => api.fundingChannels(role, id, { asOf: state.asOf }));
  if (!channels) return;
  const keep = new Set(canvas.positions().keys());
  const results = drawFunding(channels);
  await canvas.layout({ keep });
  renderResults($('#fund-results'), results);
  commit();
  canvas.fit();
  const name = canvas.actors.get(id)?.name ?? id;
  if (!channels.length) warn(`No funding channel ${role === 'through' ? 'passes through' : role === 'funder' ? 'out of' : 'into'} ${name}.`);
  else info(`${channels.length} funding channel${channels.length === 1 ? '' : 's'} for ${name}, highlighted with their routes.`);
}

function drawFunding(channels) {
  const results = channels.map((ch) => {
    drawPath(ch.path);
    const funder = canvas.actors.get(ch.funder.id)?.name ?? ch.funder.id;
    const recipient = canvas.actors.get(ch.recipient.id)?.name ?? ch.recipient.id;
    return { title: `${funder} → ${recipient}`, path: ch.path, channel: ch };
  });
  setHighlight(results, [state.funding.id]);
  return results;
}

// --- selection and the evidence panel ----------------------------------------------------------------------

const panel = $('#details');
let panelToken = 0;

async function select(id) {
  state.selected = id && (canvas.hasNode(id) || canvas.hasEdge(id)) ? id : null;
  canvas.select(state.selected);
  commit();
  await renderPanel();
}

async function renderPanel() {
  const id = state.selected;
  const token = ++panelToken;
  if (!id) {
    panel.replaceChildren(emptyPanel());
    return;
  }
  const rel = canvas.relations.get(id);
  if (rel) {
    panel.replaceChildren(relationPanel(rel, canvas.actors, panelActions));
    return;
  }
  panel.replaceChildren(el('div', { class: 'details loading' }, el('h2', {}, canvas.actors.get(id)?.name ?? id), el('p', { class: 'muted' }, 'Loading…')));
  const a = await track(() => api.actorDetails(id));
  if (!a || token !== panelToken) return;
  const more = canvas.cy.getElementById(id).data('more') ?? 0;
  panel.replaceChildren(actorPanel(a, { more }, panelActions));
}

const panelActions = {
  select: (id) => {
    if (canvas.hasNode(id)) {
      select(id);
      canvas.cy.animate({ center: { eles: canvas.cy.getElementById(id) }, duration: 200 });
    } else openActor({ id });
  },
  expand: (id) => expand(id),
  expandMore,
  pathFrom: (a) => { pathFrom.set(a); openSection('#path-section'); $('#path-to').focus(); },
  pathTo: (a) => { pathTo.set(a); openSection('#path-section'); $('#path-from').focus(); },
  funding: (a) => { fundActor.set(a); openSection('#fund-section'); $('#fund-role').focus(); },
  hide,
};

function openSection(selector) {
  $(selector).open = true;
  $(selector).scrollIntoView({ block: 'nearest' });
}

// --- rebuilding the whole view (time slider, filters, shared links) ------------------------------------------

/**
 * Replays the state against the API: opened actors, expansions, the path or funding view. Nodes that were on
 * the canvas before keep their place, so moving the time slider shows relations come and go in place.
 */
async function rebuild() {
  const gen = ++generation;
  const before = canvas.positions();
  const jobs = [
    ...state.opened.map((id) => ({ kind: 'open', id, run: () => api.actor(id) })),
    ...[...state.expanded].map(([id, limit]) => ({ kind: 'expand', id, limit, run: () => api.neighbourhood(id, expandOptions(limit)) })),
  ];
  if (state.path) jobs.push({ kind: 'path', run: () => api.findPaths(pathQuery(state.path)) });
  if (state.funding) jobs.push({ kind: 'funding', run: () => api.fundingChannels(state.funding.role, state.funding.id, { asOf: state.asOf }) });
  const settled = await track(() => Promise.allSettled(jobs.map((j) => j.run())));
  if (gen !== generation || !settled) return;

  canvas.clear();
  highlight = null;
  const errors = [];
  let omitted = 0;
  settled.forEach((res, i) => {
    const job = jobs[i];
    if (res.status === 'rejected') {
      errors.push(res.reason);
      forgetUnknown(job, res.reason);
      return;
    }
    if (job.kind === 'open') canvas.addActor(res.value);
    else if (job.kind === 'expand') {
      drawNeighbourhood(job.id, res.value);
      omitted += res.value.omitted;
    } else if (job.kind === 'path') renderResults($('#path-results'), drawPathResults(res.value));
    else if (job.kind === 'funding') renderResults($('#fund-results'), drawFunding(res.value));
  });
  for (const id of state.hidden) canvas.remove(id);
  placeAsBefore(before);
  await canvas.layout({ keep: new Set(before.keys()) });
  commit();
  await select(state.selected);
  if (errors.length) showError(errors[0]);
  else if (omitted > 0) warn(`+${omitted} relations not shown by the per-actor limit; nodes with a dashed ring have more.`);
  else info(canvas.isEmpty() ? 'Search for an actor to start.' : `View as of ${state.asOf ?? 'now'}.`);
}

/** Drops an actor a link names but the graph does not hold, so the URL stops asking for it. */
function forgetUnknown(job, err) {
  if (err.code !== 'NOT_FOUND' || !job.id) return;
  state.opened = state.opened.filter((x) => x !== job.id);
  state.expanded.delete(job.id);
}

/** Puts nodes back where they were; new ones go beside a neighbour that already has a place. */
function placeAsBefore(before) {
  canvas.cy.nodes().forEach((n) => {
    if (before.has(n.id())) n.position(before.get(n.id()));
  });
  canvas.cy.nodes().forEach((n) => {
    if (before.has(n.id())) return;
    const anchor = n.neighborhood('node').filter((m) => before.has(m.id()))[0];
    n.position(canvas.placeNear(anchor ? anchor.id() : null));
  });
}

let rebuildTimer = 0;
function rebuildSoon(ms = 250) {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(rebuild, ms);
}

function syncFormsFromState() {
  $('#asof').value = state.asOf ? Number(state.asOf.slice(0, 4)) : NOW;
  $('#asof-label').textContent = state.asOf ?? 'now';
  $('#per-node-limit').value = String(state.perNodeLimit);
  $$('#type-filters input[type=checkbox]').forEach((cb) => { cb.checked = !state.types || state.types.has(cb.value); });
  if (state.path) {
    $('#avoid-countries').checked = state.path.avoidCountries;
    $('#path-rank').value = state.path.rankBy;
    fillPicker(pathFrom, state.path.from);
    fillPicker(pathTo, state.path.to);
    $('#path-section').open = true;
  } else $('#path-results').replaceChildren();
  if (state.funding) {
    $('#fund-section').open = true;
    $('#fund-role').value = state.funding.role;
    fillPicker(fundActor, state.funding.id);
  } else $('#fund-results').replaceChildren();
}

/** Fills a picker with an actor known only by id (from a link), fetching its name. */
async function fillPicker(picker, id) {
  picker.set({ id, name: id });
  const a = await track(() => api.actor(id));
  if (a) picker.set(a);
}

// --- controls ------------------------------------------------------------------------------------------------

function buildTypeFilters() {
  const box = $('#type-filters');
  box.replaceChildren(...RELATION_TYPES.map((t) => el('label', { class: 'type-filter', title: t },
    el('input', { type: 'checkbox', value: t, checked: true }),
    relationSwatch(t, 22),
    el('span', {}, humanize(t)))));
  box.addEventListener('change', onTypesChanged);
  $('#types-all').addEventListener('click', () => setAllTypes(true));
  $('#types-none').addEventListener('click', () => setAllTypes(false));
}

function setAllTypes(on) {
  $$('#type-filters input').forEach((cb) => { cb.checked = on; });
  onTypesChanged();
}

function onTypesChanged() {
  const checked = $$('#type-filters input:checked').map((cb) => cb.value);
  if (!checked.length) {
    warn('Select at least one relation type to follow.');
    return;
  }
  state.types = checked.length === RELATION_TYPES.length ? null : new Set(checked);
  rebuildSoon(400);
}

function buildLegend() {
  $('#legend-kinds').replaceChildren(...Object.keys(KINDS).map((k) => el('li', {}, kindSwatch(k, 14), KINDS[k].label)));
  const key = [
    [relationSwatch('FUNDS'), 'funds (money flows →)'],
    [routeSwatch(), 'route via transit actor'],
    [relationSwatch('ALLIED_WITH'), 'allied with'],
    [relationSwatch('RIVAL_OF'), 'rival of'],
    [relationSwatch('MEMBER_OF'), 'other relation (→ direction)'],
    [el('span', { class: 'halo' }), 'highlighted path'],
    [el('span', { class: 'ring' }), '+N more not shown'],
    [el('span', { class: 'faint' }), 'fainter: historical, disputed, alleged'],
  ];
  $('#legend-relations').replaceChildren(...key.map(([sw, text]) => el('li', {}, sw, text)));
}

function routeSwatch() {
  const sw = relationSwatch('FUNDS');
  sw.querySelector('line').setAttribute('stroke-dasharray', '1.5 3');
  sw.querySelector('line').setAttribute('stroke-width', '2');
  return sw;
}

function bindControls() {
  attachSuggest($('#search'), { onPick: openActor, onError: showError, clearOnPick: true });
  $('#path-form').addEventListener('submit', (e) => { e.preventDefault(); findPathsFromForm(); });
  $('#path-swap').addEventListener('click', () => {
    const a = pathFrom.value();
    pathFrom.set(pathTo.value());
    pathTo.set(a);
  });
  $('#path-clear').addEventListener('click', () => {
    state.path = null;
    highlight = null;
    $('#path-results').replaceChildren();
    commit();
  });
  $('#fund-form').addEventListener('submit', (e) => { e.preventDefault(); showFundingFromForm(); });
  $('#fund-clear').addEventListener('click', () => {
    state.funding = null;
    highlight = null;
    $('#fund-results').replaceChildren();
    commit();
  });
  $('#asof').addEventListener('input', () => {
    const y = Number($('#asof').value);
    $('#asof-label').textContent = y >= NOW ? 'now' : String(y);
  });
  $('#asof').addEventListener('change', () => {
    const y = Number($('#asof').value);
    state.asOf = y >= NOW ? null : String(y);
    rebuildSoon(0);
  });
  $('#per-node-limit').addEventListener('change', () => {
    state.perNodeLimit = Number($('#per-node-limit').value);
    rebuildSoon(0);
  });
  $('#fit').addEventListener('click', () => canvas.fit());
  $('#relayout').addEventListener('click', () => canvas.layout());
  $('#clear').addEventListener('click', clearAll);
  $('#export-png').addEventListener('click', () => download(canvas.png(), fileName('png')));
  $('#export-json').addEventListener('click', () => download(
    new Blob([toJSON(canvas.snapshot(), exportMeta())], { type: 'application/json' }), fileName('json')));
  $('#export-graphml').addEventListener('click', () => download(
    new Blob([toGraphML(canvas.snapshot(), { title: 'actorgraph' })], { type: 'application/graphml+xml' }), fileName('graphml')));
  $('#share').addEventListener('click', copyLink);
  $$('#empty [data-open]').forEach((b) => b.addEventListener('click', () => openActor({ id: b.dataset.open })));
  window.addEventListener('hashchange', () => {
    if (location.hash === toHash(state)) return; // our own replaceState
    state = parseHash(location.hash);
    syncFormsFromState();
    rebuild();
  });
}

function clearAll() {
  state = emptyState();
  highlight = null;
  canvas.clear();
  pathFrom.clear();
  pathTo.clear();
  fundActor.clear();
  syncFormsFromState();
  renderPanel();
  commit();
  info('Cleared. Search for an actor to start.');
}

function exportMeta() {
  return {
    exportedAt: new Date().toISOString(),
    asOf: state.asOf,
    relationTypes: typesParam(),
    link: location.href,
  };
}

function fileName(ext) {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `actorgraph-${stamp}.${ext}`;
}

async function copyLink() {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    info('Link to this view copied to the clipboard.');
  } catch {
    // No clipboard permission (e.g. not a secure context): show the link to copy by hand.
    info(`Link to this view: ${url}`);
  }
}

// --- test hooks ----------------------------------------------------------------------------------------------

// For the end-to-end test and for debugging in the console: read-only views of what is drawn.
window.__explorer = {
  highlighted: () => canvas.highlightedNodes(),
  highlightedRelations: () => canvas.highlightedRelations(),
  hasNode: (id) => canvas.hasNode(id),
  label: (id) => canvas.cy.getElementById(id).data('label') ?? null,
  counts: () => canvas.counts(),
  clientPoint: (id) => canvas.clientPoint(id),
  busy: () => pending > 0,
  hash: () => toHash(state),
};

// --- start ---------------------------------------------------------------------------------------------------

buildTypeFilters();
buildLegend();
bindControls();
syncFormsFromState();
renderPanel();
commit();
if (location.hash) rebuild();
else info('Search for an actor to start: try “Karrar” or “ISKP”.');
