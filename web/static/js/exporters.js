// Exports of the current view, built in the browser: JSON (the API's own shapes) and GraphML (for Gephi,
// yEd, Cytoscape desktop, NetworkX).

/** The view as JSON: the actors and relations on the canvas, the filters, and the link that restores it. */
export function toJSON(snapshot, meta) {
  return JSON.stringify({ ...meta, nodes: snapshot.nodes, edges: snapshot.edges }, null, 2);
}

const xmlEscapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function xml(s) {
  return String(s).replace(/[&<>"']/g, (c) => xmlEscapes[c]);
}

const NODE_KEYS = [
  ['name', 'string'], ['kind', 'string'], ['aliases', 'string'], ['countryCode', 'string'], ['degree', 'int'],
  ['x', 'double'], ['y', 'double'],
];
const EDGE_KEYS = [
  ['type', 'string'], ['status', 'string'], ['confidence', 'double'], ['since', 'string'], ['until', 'string'],
  ['via', 'string'], ['citations', 'int'], ['claims', 'string'],
];

function dataLines(keys, prefix, values) {
  return keys
    .filter(([k]) => values[k] !== null && values[k] !== undefined && values[k] !== '')
    .map(([k]) => `      <data key="${prefix}_${k}">${xml(values[k])}</data>`);
}

/** The view as GraphML; list values are joined with "; ". */
export function toGraphML(snapshot, { title = 'ActorGraph view' } = {}) {
  const keys = [
    ...NODE_KEYS.map(([k, t]) => `  <key id="n_${k}" for="node" attr.name="${k}" attr.type="${t}"/>`),
    ...EDGE_KEYS.map(([k, t]) => `  <key id="e_${k}" for="edge" attr.name="${k}" attr.type="${t}"/>`),
  ];
  const nodes = snapshot.nodes.map((a) => [
    `    <node id="${xml(a.id)}">`,
    ...dataLines(NODE_KEYS, 'n', {
      ...a, aliases: a.aliases?.join('; '), x: a.position?.x?.toFixed(1), y: a.position?.y?.toFixed(1),
    }),
    '    </node>',
  ].join('\n'));
  const edges = snapshot.edges.map((r) => [
    `    <edge id="${xml(r.id)}" source="${xml(r.from.id)}" target="${xml(r.to.id)}">`,
    ...dataLines(EDGE_KEYS, 'e', {
      ...r,
      via: r.via?.map((a) => a.id).join('; '),
      citations: r.evidence?.length ?? 0,
      claims: r.evidence?.map((e) => `${e.source.title}${e.line != null ? ` (line ${e.line})` : ''}: ${e.claim}`).join('; '),
    }),
    '    </edge>',
  ].join('\n'));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...keys,
    `  <graph id="${xml(title)}" edgedefault="directed">`,
    ...nodes,
    ...edges,
    '  </graph>',
    '</graphml>',
    '',
  ].join('\n');
}
