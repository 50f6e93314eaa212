// The graph canvas: a thin layer over Cytoscape.js (vendored, loaded as the global `cytoscape`) that knows
// ActorGraph's actors, relations and FUNDS routes, highlighting, and incremental layout.

import { cytoscapeStyle, humanize } from './style.js';

const MAX_FIT_ZOOM = 1.25;

/** Node diameter grows gently with the actor's degree, so hubs stand out without swamping the canvas. */
function nodeSize(degree = 0) {
  return Math.round(Math.min(58, 22 + 4 * Math.sqrt(degree)));
}

function nodeLabel(actor, more) {
  return more > 0 ? `${actor.name}\n+${more} more` : actor.name;
}

function edgeLabel(rel) {
  const via = rel.via?.length ? ` via ${rel.via.map((a) => a.name).join(', ')}` : '';
  return humanize(rel.type) + via;
}

export class Canvas {
  /**
   * handlers: onNode(id), onEdge(relationId), onExpand(id) (double-click), onBackground().
   */
  constructor(container, handlers) {
    this.handlers = handlers;
    this.actors = new Map(); // id -> actor as the API gave it
    this.relations = new Map(); // id -> relation
    this.cy = cytoscape({
      container,
      style: cytoscapeStyle(),
      minZoom: 0.15,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    this.bindEvents();
  }

  bindEvents() {
    const { cy, handlers } = this;
    cy.on('tap', 'node', (e) => handlers.onNode(e.target.id()));
    // A route segment stands for its FUNDS relation: tapping it opens that relation's evidence.
    cy.on('tap', 'edge', (e) => handlers.onEdge(e.target.data('relId') ?? e.target.id()));
    cy.on('dbltap', 'node', (e) => handlers.onExpand(e.target.id()));
    cy.on('tap', (e) => { if (e.target === cy) handlers.onBackground(); });
    cy.on('mouseover', 'edge', (e) => e.target.addClass('hover'));
    cy.on('mouseout', 'edge', (e) => e.target.removeClass('hover'));
    cy.on('mouseover', 'node, edge', () => { cy.container().style.cursor = 'pointer'; });
    cy.on('mouseout', 'node, edge', () => { cy.container().style.cursor = ''; });
  }

  // --- content -------------------------------------------------------------------------------------------

  clear() {
    this.cy.elements().remove();
    this.actors.clear();
    this.relations.clear();
  }

  isEmpty() { return this.cy.nodes().empty(); }
  hasNode(id) { return this.cy.getElementById(id).nonempty(); }
  hasEdge(id) { return this.relations.has(id) && this.cy.getElementById(id).nonempty(); }

  /** Adds or refreshes an actor; a new node is placed beside `near` (an id on the canvas) when given. */
  addActor(actor, near = null) {
    const known = this.actors.get(actor.id);
    this.actors.set(actor.id, { ...known, ...actor });
    const node = this.cy.getElementById(actor.id);
    const more = node.nonempty() ? node.data('more') ?? 0 : 0;
    const data = { id: actor.id, kind: actor.kind, label: nodeLabel(actor, more), size: nodeSize(actor.degree), more };
    if (node.nonempty()) {
      node.data(data);
      return node;
    }
    return this.cy.add({ group: 'nodes', data, position: this.placeNear(near) });
  }

  /** Adds a relation (its ends must be on the canvas, or be given in actors) and, for FUNDS, its route. */
  addRelation(rel) {
    for (const v of rel.via ?? []) this.addActor(v, rel.from.id);
    if (!this.hasNode(rel.from.id) || !this.hasNode(rel.to.id)) return null;
    this.relations.set(rel.id, rel);
    let edge = this.cy.getElementById(rel.id);
    const data = {
      id: rel.id, source: rel.from.id, target: rel.to.id, type: rel.type, status: rel.status, label: edgeLabel(rel),
    };
    if (edge.empty()) edge = this.cy.add({ group: 'edges', data });
    if (rel.via?.length) this.addRoute(rel);
    return edge;
  }

  /**
   * Draws a FUNDS relation's route funder -> via[0] -> ... -> recipient as dotted segments, so transit
   * countries and intermediaries (Turkey on the al-Karrar money route) are visibly on the way.
   */
  addRoute(rel) {
    const stops = [rel.from.id, ...rel.via.map((a) => a.id), rel.to.id];
    for (let i = 0; i + 1 < stops.length; i++) {
      const id = `route:${rel.id}:${i}`;
      if (this.cy.getElementById(id).nonempty()) continue;
      this.cy.add({
        group: 'edges',
        classes: 'route',
        data: { id, source: stops[i], target: stops[i + 1], relId: rel.id, type: 'ROUTE', label: '' },
      });
    }
  }

  /** The ids of the elements that draw a relation: its edge and its route segments. */
  relationElements(relId) {
    return this.cy.getElementById(relId).union(this.cy.edges().filter((e) => e.data('relId') === relId));
  }

  /** Marks an actor with the number of relations an expansion left out ("+N more"). */
  setMore(id, more) {
    const node = this.cy.getElementById(id);
    const actor = this.actors.get(id);
    if (node.empty() || !actor) return;
    node.data({ more, label: nodeLabel(actor, more) });
  }

  remove(id) {
    const node = this.cy.getElementById(id);
    node.connectedEdges().forEach((e) => this.relations.delete(e.id()));
    node.remove();
    this.actors.delete(id);
  }

  // --- placement and layout ------------------------------------------------------------------------------

  /** A position for a new node: around `near` if it is on the canvas, else around the view's centre. */
  placeNear(near) {
    const anchor = near && this.cy.getElementById(near);
    let center;
    if (anchor && anchor.nonempty()) center = anchor.position();
    else {
      const ext = this.cy.extent();
      center = { x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2 };
    }
    const angle = Math.random() * 2 * Math.PI;
    const r = 60 + Math.random() * 60;
    return { x: center.x + r * Math.cos(angle), y: center.y + r * Math.sin(angle) };
  }

  positions() {
    const out = new Map();
    this.cy.nodes().forEach((n) => out.set(n.id(), { ...n.position() }));
    return out;
  }

  /**
   * Lays the graph out. With `keep` (a set of ids whose positions should hold), those nodes are locked and
   * only the others move, so an expansion does not reshuffle what the user has already read; when most of the
   * graph is new the whole of it is laid out afresh.
   */
  layout({ keep = new Set(), fit = true } = {}) {
    const nodes = this.cy.nodes();
    if (nodes.empty()) return Promise.resolve();
    const kept = nodes.filter((n) => keep.has(n.id()));
    const incremental = kept.nonempty() && kept.length >= nodes.length / 2;
    if (incremental && kept.length === nodes.length) {
      if (fit) this.fit();
      return Promise.resolve();
    }
    if (incremental) kept.lock();
    const layout = this.cy.layout({
      name: 'cose',
      animate: false,
      randomize: !incremental,
      fit: false,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: () => 95,
      nodeRepulsion: () => 400000,
      edgeElasticity: () => 100,
      nodeOverlap: 20,
      gravity: 80,
      componentSpacing: 80,
      numIter: 1500,
    });
    const done = layout.promiseOn('layoutstop');
    layout.run();
    return done.then(() => {
      if (incremental) kept.unlock();
      if (fit) this.fit();
    });
  }

  fit() {
    const hl = this.cy.elements('.hl');
    this.cy.fit(hl.nonempty() ? hl : undefined, 50);
    // A small graph would be blown up to fill the canvas; keep it at a readable scale instead.
    if (this.cy.zoom() > MAX_FIT_ZOOM) this.cy.zoom({ level: MAX_FIT_ZOOM, renderedPosition: this.center() });
    if (hl.nonempty()) this.cy.center(hl);
  }

  center() {
    return { x: this.cy.width() / 2, y: this.cy.height() / 2 };
  }

  // --- highlighting and selection ------------------------------------------------------------------------

  /**
   * Highlights the given nodes and relations (with their route segments), fades the rest, and marks
   * the path ends. Passing nothing clears the highlight.
   */
  highlight({ nodes = [], relations = [], ends = [] } = {}) {
    const { cy } = this;
    cy.batch(() => {
      cy.elements().removeClass('hl faded end');
      if (!nodes.length && !relations.length) return;
      let hl = cy.collection();
      for (const id of nodes) hl = hl.union(cy.getElementById(id));
      for (const id of relations) hl = hl.union(this.relationElements(id));
      hl.addClass('hl');
      cy.elements().not(hl).addClass('faded');
      for (const id of ends) cy.getElementById(id).addClass('end');
    });
  }

  highlightedNodes() { return this.cy.nodes('.hl').map((n) => n.id()).sort(); }
  highlightedRelations() { return this.cy.edges('.hl').filter((e) => !e.hasClass('route')).map((e) => e.id()).sort(); }

  select(id) {
    this.cy.elements(':selected').unselect();
    if (id) this.cy.getElementById(id).select();
  }

  /** Where an element is drawn, in page coordinates (for tests and for scrolling it into view). */
  clientPoint(id) {
    const ele = this.cy.getElementById(id);
    if (ele.empty()) return null;
    const p = ele.isEdge() ? ele.renderedMidpoint() : ele.renderedPosition();
    const box = this.cy.container().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  // --- export --------------------------------------------------------------------------------------------

  png() {
    return this.cy.png({ output: 'blob', full: true, scale: 2, maxWidth: 6000, maxHeight: 6000, bg: '#ffffff' });
  }

  /** The current view as plain data: the actors and relations on the canvas (route segments excluded). */
  snapshot() {
    const nodes = this.cy.nodes().map((n) => ({ ...this.actors.get(n.id()), position: { ...n.position() } }));
    const edges = this.cy.edges().filter((e) => !e.hasClass('route')).map((e) => this.relations.get(e.id()));
    return { nodes, edges: edges.filter(Boolean) };
  }

  counts() {
    return { actors: this.cy.nodes().length, relations: this.cy.edges().not('.route').length };
  }
}
