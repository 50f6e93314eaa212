// Visual vocabulary of the explorer: how each actor kind and relation type is drawn on the canvas, and the
// same look rendered as small SVG swatches for the legend and the filter list.

/** Actor kinds: Cytoscape node shape, fill colour, and a label for people. */
export const KINDS = {
  GROUP: { shape: 'hexagon', color: '#7c3aed', label: 'Group' },
  PERSON: { shape: 'ellipse', color: '#2563eb', label: 'Person' },
  FINANCE_OFFICE: { shape: 'diamond', color: '#d97706', label: 'Finance office' },
  STATE_AGENCY: { shape: 'octagon', color: '#0e7490', label: 'State agency' },
  EVENT: { shape: 'star', color: '#db2777', label: 'Event' },
  COUNTRY: { shape: 'round-rectangle', color: '#334155', label: 'Country' },
  REGION: { shape: 'barrel', color: '#64748b', label: 'Region' },
  CITY: { shape: 'rectangle', color: '#94a3b8', label: 'City' },
};

// Relation families share a colour; the three relations an investigator scans for first (rivalry, alliance,
// money) get their own strong look: RIVAL_OF red dashed, ALLIED_WITH green, FUNDS thick gold with arrows.
const FAMILY = {
  rival: { color: '#dc2626', style: 'dashed', arrow: false },
  ally: { color: '#16a34a', style: 'solid', arrow: false },
  funds: { color: '#d4a017', style: 'solid', arrow: true, width: 4 },
  finance: { color: '#b45309', style: 'solid', arrow: true },
  lineage: { color: '#7c3aed', style: 'solid', arrow: true },
  people: { color: '#2563eb', style: 'solid', arrow: true },
  support: { color: '#0d9488', style: 'solid', arrow: true },
  violence: { color: '#be185d', style: 'solid', arrow: true },
  state: { color: '#0e7490', style: 'solid', arrow: true },
  place: { color: '#9ca3af', style: 'solid', arrow: true, width: 1.5 },
};

/** Relation types in the order the filter list shows them, each with its family. */
export const RELATIONS = {
  FUNDS: FAMILY.funds,
  ALLIED_WITH: FAMILY.ally,
  RIVAL_OF: FAMILY.rival,
  FINANCE_OFFICE_OF: FAMILY.finance,
  SUPPORTS: FAMILY.support,
  SHELTERS: FAMILY.support,
  BRANCH_OF: FAMILY.lineage,
  SPLINTER_OF: FAMILY.lineage,
  LEADS: FAMILY.people,
  MEMBER_OF: FAMILY.people,
  RECRUITS_FROM: FAMILY.people,
  ATTACKED: FAMILY.violence,
  CLAIMED: FAMILY.violence,
  KILLED: FAMILY.violence,
  COUNTERS: FAMILY.state,
  ARRESTED: FAMILY.state,
  OPERATES_IN: FAMILY.place,
  BASED_IN: FAMILY.place,
  LOCATED_IN: FAMILY.place,
  NATIONAL_OF: FAMILY.place,
};

export const RELATION_TYPES = Object.keys(RELATIONS);
export const ACTOR_KINDS = Object.keys(KINDS);

/** "FINANCE_OFFICE_OF" -> "finance office of". */
export function humanize(enumValue) {
  return enumValue.toLowerCase().replaceAll('_', ' ');
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const ACCENT = '#f97316'; // highlighted paths and routes

/** The Cytoscape stylesheet. Selectors on data(kind) / data(type) keep the per-element data small. */
export function cytoscapeStyle() {
  const style = [
    {
      selector: 'node',
      style: {
        shape: 'ellipse',
        width: 'data(size)',
        height: 'data(size)',
        'background-color': '#64748b',
        'border-width': 2,
        'border-color': '#ffffff',
        label: 'data(label)',
        'font-family': FONT,
        'font-size': 12,
        color: '#0f172a',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-wrap': 'wrap',
        'text-max-width': 130,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.8,
        'text-background-padding': 1,
        'text-background-shape': 'round-rectangle',
        'min-zoomed-font-size': 6,
        'transition-property': 'opacity',
        'transition-duration': 150,
      },
    },
    // "+N more": expansion left relations out (see the API's perNodeLimit); a thick dotted ring says so.
    { selector: 'node[more > 0]', style: { 'border-style': 'dashed', 'border-width': 3, 'border-color': '#0f172a' } },
    {
      selector: 'edge',
      style: {
        width: 2,
        'curve-style': 'bezier',
        'line-color': '#9ca3af',
        'target-arrow-color': '#9ca3af',
        'arrow-scale': 0.8,
        'font-family': FONT,
        'font-size': 9,
        color: '#334155',
        'text-rotation': 'autorotate',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': 1,
        'min-zoomed-font-size': 7,
        'transition-property': 'opacity',
        'transition-duration': 150,
      },
    },
  ];
  for (const [kind, k] of Object.entries(KINDS)) {
    style.push({ selector: `node[kind = "${kind}"]`, style: { shape: k.shape, 'background-color': k.color } });
  }
  for (const [type, r] of Object.entries(RELATIONS)) {
    style.push({
      selector: `edge[type = "${type}"]`,
      style: {
        'line-color': r.color,
        'line-style': r.style,
        'target-arrow-color': r.color,
        'target-arrow-shape': r.arrow ? 'triangle' : 'none',
        width: r.width ?? 2,
        ...(type === 'FUNDS' ? { 'arrow-scale': 1.3 } : {}),
      },
    });
  }
  style.push(
    // Claims that are over, contested or only attributed are drawn fainter.
    { selector: 'edge[status = "HISTORICAL"], edge[status = "DISPUTED"]', style: { opacity: 0.45 } },
    { selector: 'edge[status = "ALLEGED"]', style: { opacity: 0.75 } },
    // A FUNDS relation's route through its via actors: a thin gold dotted line with arrows.
    {
      selector: 'edge.route',
      style: {
        'line-color': '#d4a017', 'line-style': 'dotted', width: 2.5, 'target-arrow-shape': 'triangle',
        'target-arrow-color': '#d4a017', 'arrow-scale': 0.9, 'curve-style': 'unbundled-bezier',
        'control-point-distances': 30,
      },
    },
    { selector: 'edge.hover, edge:selected, edge.hl', style: { label: 'data(label)' } },
    // Highlighted path or funding route: an orange halo under nodes and edges, everything else faded.
    { selector: '.faded', style: { opacity: 0.12 } },
    {
      selector: 'node.hl',
      style: { 'underlay-color': ACCENT, 'underlay-opacity': 0.45, 'underlay-padding': 7, 'underlay-shape': 'ellipse', 'z-index': 20 },
    },
    { selector: 'node.end', style: { 'border-color': ACCENT, 'border-width': 4, 'font-weight': 'bold' } },
    {
      selector: 'edge.hl',
      style: { 'underlay-color': ACCENT, 'underlay-opacity': 0.35, 'underlay-padding': 5, 'z-index': 19, opacity: 1 },
    },
    { selector: 'edge.route.hl', style: { 'underlay-padding': 3, 'underlay-opacity': 0.25 } },
    { selector: 'node:selected', style: { 'border-color': '#0ea5e9', 'border-width': 4 } },
    { selector: 'edge:selected', style: { 'underlay-color': '#0ea5e9', 'underlay-opacity': 0.5, 'underlay-padding': 5, opacity: 1 } },
  );
  return style;
}

// --- SVG swatches (legend, filters, suggestions) --------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Points of a regular polygon with n corners inside a size x size box. */
function polygon(n, size, rotate = -Math.PI / 2) {
  const r = size / 2 - 1;
  return Array.from({ length: n }, (_, i) => {
    const a = rotate + (i * 2 * Math.PI) / n;
    return `${(size / 2 + r * Math.cos(a)).toFixed(1)},${(size / 2 + r * Math.sin(a)).toFixed(1)}`;
  }).join(' ');
}

function star(size) {
  const pts = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? size * 0.22 : size / 2 - 1;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(size / 2 + r * Math.cos(a)).toFixed(1)},${(size / 2 + r * Math.sin(a)).toFixed(1)}`);
  }
  return pts.join(' ');
}

/** An SVG element drawing an actor kind's shape and colour. */
export function kindSwatch(kind, size = 16) {
  const k = KINDS[kind] ?? { shape: 'ellipse', color: '#64748b' };
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  let shape;
  const s = size;
  switch (k.shape) {
    case 'ellipse':
      shape = svgEl('circle', { cx: s / 2, cy: s / 2, r: s / 2 - 1 });
      break;
    case 'hexagon':
      shape = svgEl('polygon', { points: polygon(6, s, 0) });
      break;
    case 'octagon':
      shape = svgEl('polygon', { points: polygon(8, s, Math.PI / 8) });
      break;
    case 'diamond':
      shape = svgEl('polygon', { points: polygon(4, s) });
      break;
    case 'star':
      shape = svgEl('polygon', { points: star(s) });
      break;
    case 'barrel':
      shape = svgEl('rect', { x: 1, y: 2, width: s - 2, height: s - 4, rx: s / 3, ry: s / 6 });
      break;
    case 'round-rectangle':
      shape = svgEl('rect', { x: 1, y: 2, width: s - 2, height: s - 4, rx: 3 });
      break;
    default:
      shape = svgEl('rect', { x: 2, y: 2, width: s - 4, height: s - 4 });
  }
  shape.setAttribute('fill', k.color);
  svg.append(shape);
  return svg;
}

/** An SVG line in a relation type's colour and style, with an arrow head when the type shows direction. */
export function relationSwatch(type, width = 28) {
  const r = RELATIONS[type] ?? FAMILY.place;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', 10);
  svg.setAttribute('viewBox', `0 0 ${width} 10`);
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  const end = r.arrow ? width - 7 : width - 1;
  const line = svgEl('line', { x1: 1, y1: 5, x2: end, y2: 5, stroke: r.color, 'stroke-width': Math.min(r.width ?? 2, 3) });
  if (r.style === 'dashed') line.setAttribute('stroke-dasharray', '4 3');
  svg.append(line);
  if (r.arrow) svg.append(svgEl('polygon', { points: `${width - 8},1 ${width - 1},5 ${width - 8},9`, fill: r.color }));
  return svg;
}

function svgEl(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}
