// The evidence panel: what the sources say about the selected relation or actor.

import { el } from './dom.js';
import { KINDS, humanize, kindSwatch, relationSwatch } from './style.js';

const STATUS_TEXT = {
  STATED: 'The source states it as fact.',
  ALLEGED: 'The source attributes it to someone (an official, a group, a report).',
  DISPUTED: 'Sources or speakers disagree.',
  HISTORICAL: 'It held in the past and is over.',
};

/** "2019" / "2015 – 2022" / "until 2022" / null. */
function dateRange(since, until) {
  if (since && until) return `${since} – ${until}`;
  if (since) return `since ${since}`;
  if (until) return `until ${until}`;
  return null;
}

/** A clickable actor name; actions.select(id) focuses it. */
function actorLink(a, actions) {
  return el('button', { type: 'button', class: 'link actor-link', 'data-id': a.id, onclick: () => actions.select(a.id) },
    kindSwatch(a.kind, 12), a.name);
}

function citation(ev) {
  const s = ev.source;
  const meta = [s.publisher, s.date, ev.line != null ? `line ${ev.line}` : null].filter(Boolean).join(' · ');
  return el('li', { class: 'citation' },
    el('div', { class: 'source-title' }, s.title),
    meta ? el('div', { class: 'source-meta' }, meta) : null,
    el('blockquote', { class: 'claim' }, ev.claim));
}

function citations(list, emptyText) {
  if (!list?.length) return el('p', { class: 'muted' }, emptyText);
  return el('ol', { class: 'citations' }, list.map(citation));
}

function confidenceMeter(c) {
  if (c == null) return el('span', { class: 'muted' }, 'not given');
  const pct = Math.round(c * 100);
  return el('span', { class: 'confidence' },
    el('span', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
      el('span', { class: 'fill', style: `width:${pct}%` })),
    `${c.toFixed(2)}`);
}

function fact(label, value) {
  return [el('dt', {}, label), el('dd', {}, value)];
}

/** Panel content for a relation. actors maps id -> actor (for names); actions: select(id). */
export function relationPanel(rel, actors, actions) {
  const from = actors.get(rel.from.id) ?? { id: rel.from.id, name: rel.from.id, kind: '' };
  const to = actors.get(rel.to.id) ?? { id: rel.to.id, name: rel.to.id, kind: '' };
  const dates = dateRange(rel.since, rel.until);
  return el('div', { class: 'details relation', 'data-relation': rel.id },
    el('div', { class: 'eyebrow' }, relationSwatch(rel.type), 'Relation'),
    el('h2', {}, actorLink(from, actions), el('span', { class: 'rel-type' }, humanize(rel.type), ' →'), actorLink(to, actions)),
    el('dl', { class: 'facts' },
      fact('Status', el('span', { class: `status status-${rel.status}`, title: STATUS_TEXT[rel.status] ?? '' }, humanize(rel.status))),
      fact('Confidence', confidenceMeter(rel.confidence)),
      fact('Dates', dates ?? el('span', { class: 'muted' }, 'unknown')),
      rel.via?.length ? fact('Route via', el('span', { class: 'via' }, rel.via.map((a) => actorLink(a, actions)))) : null),
    el('h3', {}, `Citations (${rel.evidence.length})`),
    citations(rel.evidence, 'No citation recorded.'));
}

/** Panel content for an actor (as actorDetails() returns it), with its action buttons. */
export function actorPanel(a, { more = 0 }, actions) {
  const kind = KINDS[a.kind]?.label ?? a.kind;
  return el('div', { class: 'details actor', 'data-actor': a.id },
    el('div', { class: 'eyebrow' }, kindSwatch(a.kind, 14), kind, a.countryCode ? ` · ${a.countryCode}` : ''),
    el('h2', {}, a.name),
    a.aliases.length ? el('ul', { class: 'aliases' }, a.aliases.map((x) => el('li', {}, x))) : null,
    a.description ? el('p', { class: 'description' }, a.description) : null,
    el('p', { class: 'muted' }, `${a.degree} relation${a.degree === 1 ? '' : 's'} in the graph`,
      more > 0 ? el('strong', { class: 'more-note' }, ` · +${more} not shown`) : null),
    el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: () => actions.expand(a.id), title: 'Show neighbours (or double-click the node)' }, 'Expand'),
      more > 0 ? el('button', { type: 'button', onclick: () => actions.expandMore(a.id), title: 'Expand with a higher per-actor limit' }, `Show more`) : null,
      el('button', { type: 'button', onclick: () => actions.pathFrom(a) }, 'Path from'),
      el('button', { type: 'button', onclick: () => actions.pathTo(a) }, 'Path to'),
      el('button', { type: 'button', onclick: () => actions.funding(a) }, 'Funding'),
      el('button', { type: 'button', class: 'quiet', onclick: () => actions.hide(a.id) }, 'Hide')),
    el('h3', {}, `Citations (${a.evidence.length})`),
    citations(a.evidence, 'No citation about the actor itself.'),
    el('h3', {}, `Sources (${a.sources.length})`),
    a.sources.length
      ? el('ul', { class: 'sources' }, a.sources.map((s) => el('li', {},
        el('div', { class: 'source-title' }, s.title),
        el('div', { class: 'source-meta' }, [s.publisher, s.date, s.authors?.join(', ')].filter(Boolean).join(' · ')))))
      : el('p', { class: 'muted' }, 'No source.'));
}

/** What the panel shows when nothing is selected. */
export function emptyPanel() {
  return el('div', { class: 'details empty' },
    el('h2', {}, 'Evidence'),
    el('p', {}, 'Click a relation to read its status, confidence, dates and every citation behind it.'),
    el('p', {}, 'Click an actor for its description, aliases and sources; double-click it to expand its neighbours.'));
}
