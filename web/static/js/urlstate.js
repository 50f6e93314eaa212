// The view's state and its shareable form: everything needed to rebuild the canvas lives in the URL's hash,
// e.g. #open=al-karrar-office&expand=iskp,afghanistan*100&asOf=2020&from=al-karrar-office&to=iskp&avoid=1
// (a hash, not query parameters, so sharing a view never changes what the server is asked for).

import { ACTOR_KINDS, RELATION_TYPES } from './style.js';

export const DEFAULT_PER_NODE_LIMIT = 25;
export const FUNDING_ROLES = ['recipient', 'funder', 'through'];

/** A fresh, empty view. */
export function emptyState() {
  return {
    opened: [], // actor ids opened from a search or a link, in order
    expanded: new Map(), // actor id -> per-actor relation limit its expansion used
    hidden: new Set(), // actor ids the user hid
    types: null, // relation types to follow (null: all)
    perNodeLimit: DEFAULT_PER_NODE_LIMIT,
    asOf: null, // a year as a string, or null for now
    path: null, // { from, to, avoidCountries, rankBy }
    funding: null, // { role, id }
    selected: null, // actor or relation id shown in the evidence panel
  };
}

const isId = (s) => typeof s === 'string' && s.length > 0 && s.length <= 200;
const enc = (ids) => [...ids].map(encodeURIComponent).join(',');

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

/**
 * The hash's raw key=value pairs. Values stay percent-encoded (URLSearchParams would decode them, and a
 * comma inside an id, encoded as %2C, would then split a list).
 */
function rawParams(hash) {
  const out = new Map();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return {
    has: (k) => out.has(k),
    get: (k) => (out.has(k) ? decode(out.get(k)) : null),
    list: (k) => (out.get(k) ? out.get(k).split(',').map(decode).filter(isId) : []),
  };
}

/** Parses a location hash; unknown or malformed parts are dropped rather than failing. */
export function parseHash(hash) {
  const p = rawParams(hash);
  const s = emptyState();
  s.opened = p.list('open');
  for (const item of p.list('expand')) {
    const [id, lim] = item.split('*');
    const n = Number(lim);
    s.expanded.set(id, Number.isInteger(n) && n >= 1 && n <= 500 ? n : null);
  }
  s.hidden = new Set(p.list('hide'));
  if (p.has('types')) s.types = new Set(p.list('types').filter((t) => RELATION_TYPES.includes(t)));
  const lim = Number(p.get('limit'));
  if (Number.isInteger(lim) && lim >= 1 && lim <= 500) s.perNodeLimit = lim;
  const year = p.get('asOf');
  if (year && /^\d{4}(-\d{2}){0,2}$/.test(year)) s.asOf = year;
  if (isId(p.get('from')) && isId(p.get('to'))) {
    s.path = {
      from: p.get('from'), to: p.get('to'), avoidCountries: p.get('avoid') === '1',
      rankBy: p.get('rank') === 'CREDIBILITY' ? 'CREDIBILITY' : 'LENGTH',
    };
  }
  const fund = p.get('fund')?.split(':');
  if (fund && FUNDING_ROLES.includes(fund[0]) && isId(fund[1])) s.funding = { role: fund[0], id: fund[1] };
  if (isId(p.get('sel'))) s.selected = p.get('sel');
  return s;
}

/** The hash that restores state (empty parts left out, so links stay short). */
export function toHash(s) {
  const parts = [];
  const add = (k, v) => parts.push(`${k}=${v}`);
  if (s.opened.length) add('open', enc(s.opened));
  if (s.expanded.size) {
    add('expand', [...s.expanded].map(([id, lim]) => encodeURIComponent(id) + (lim ? `*${lim}` : '')).join(','));
  }
  if (s.hidden.size) add('hide', enc(s.hidden));
  if (s.types) add('types', enc(s.types));
  if (s.perNodeLimit !== DEFAULT_PER_NODE_LIMIT) add('limit', s.perNodeLimit);
  if (s.asOf) add('asOf', s.asOf);
  if (s.path) {
    add('from', encodeURIComponent(s.path.from));
    add('to', encodeURIComponent(s.path.to));
    if (s.path.avoidCountries) add('avoid', '1');
    if (s.path.rankBy !== 'LENGTH') add('rank', s.path.rankBy);
  }
  if (s.funding) add('fund', `${s.funding.role}:${encodeURIComponent(s.funding.id)}`);
  if (s.selected) add('sel', encodeURIComponent(s.selected));
  return parts.length ? `#${parts.join('&')}` : '';
}

/** Actor kinds a path may pass through when countries are avoided. */
export const KINDS_WITHOUT_COUNTRIES = ACTOR_KINDS.filter((k) => k !== 'COUNTRY');
