// An autocomplete box over the API's search: suggestions as you type (names and aliases), picked with the
// mouse or the keyboard (arrows, Enter, Escape). Used by the main search and the path/funding pickers.

import { search } from './api.js';
import { el } from './dom.js';
import { KINDS, kindSwatch } from './style.js';

const DEBOUNCE_MS = 150;

/**
 * Wires an <input> to a suggestion list.
 * onPick({id, name, kind}) is called with the chosen actor; onError(err) with search failures.
 * Returns { set(actor), clear(), value() } to fill the box from outside.
 */
export function attachSuggest(input, { onPick, onError, first = 8, clearOnPick = false }) {
  const list = el('ul', { class: 'suggestions', role: 'listbox', id: `${input.id}-suggestions`, hidden: true });
  input.after(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  input.autocomplete = 'off';
  input.spellcheck = false;

  let hits = [];
  let active = -1;
  let timer = 0;
  let controller = null;
  let picked = null; // the actor the box currently names, if it was picked

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  }

  function render() {
    list.replaceChildren(...hits.map((hit, i) => suggestionItem(hit, i === active, () => pick(i))));
    list.hidden = hits.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', `${list.id}-${active}`);
    else input.removeAttribute('aria-activedescendant');
    list.querySelectorAll('li').forEach((li, i) => { li.id = `${list.id}-${i}`; });
  }

  function pick(i) {
    const a = hits[i]?.actor;
    if (!a) return;
    close();
    picked = a;
    input.value = clearOnPick ? '' : a.name;
    input.dataset.id = clearOnPick ? '' : a.id;
    onPick(a);
  }

  async function query(text) {
    controller?.abort();
    controller = new AbortController();
    try {
      hits = await search(text, { first, signal: controller.signal });
      active = hits.length ? 0 : -1;
      render();
      if (!hits.length) showEmpty(text);
    } catch (err) {
      if (err.name !== 'AbortError') onError?.(err);
    }
  }

  function showEmpty(text) {
    list.replaceChildren(el('li', { class: 'empty' }, `No actor matches “${text}”`));
    list.hidden = false;
  }

  input.addEventListener('input', () => {
    picked = null;
    input.dataset.id = '';
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      controller?.abort();
      hits = [];
      close();
      return;
    }
    timer = setTimeout(() => query(text), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (e) => {
    if (list.hidden || !hits.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      active = (active + step + hits.length) % hits.length;
      render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      pick(Math.max(active, 0));
    } else if (e.key === 'Escape') {
      close();
    }
  });

  // Let a click on a suggestion land before the list closes.
  input.addEventListener('blur', () => setTimeout(close, 150));
  input.addEventListener('focus', () => { if (hits.length && !picked) render(); });

  return {
    set(a) {
      picked = a;
      input.value = a ? a.name : '';
      input.dataset.id = a ? a.id : '';
    },
    clear() { this.set(null); hits = []; close(); },
    value() { return picked; },
  };
}

function suggestionItem(hit, active, onClick) {
  const a = hit.actor;
  const alias = a.aliases.slice(0, 3).join(', ');
  const li = el('li', {
    role: 'option', class: active ? 'active' : '', 'aria-selected': String(active), 'data-id': a.id,
    title: a.aliases.length ? `Also: ${a.aliases.join(', ')}` : a.name,
  },
  kindSwatch(a.kind, 14),
  el('span', { class: 'name' }, a.name),
  el('span', { class: 'kind' }, KINDS[a.kind]?.label ?? a.kind),
  alias ? el('span', { class: 'aliases' }, alias) : null);
  // mousedown, not click: it fires before the input's blur closes the list.
  li.addEventListener('mousedown', (e) => { e.preventDefault(); onClick(); });
  return li;
}
