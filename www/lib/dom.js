// DOM helpers for the visualizer's panels: building elements, finding a panel's own elements,
// moving to a panel, the phone layout of tables, and the hover/focus highlight of frame fields.

/**
 * A new element. attrs: `class`, `text`, `style`, `on<event>` listeners, other attributes
 * (true → present, null/false → absent). children: a node, a string or number, or an array of them.
 */
export function el(tag, attrs, children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'style') e.setAttribute('style', v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
  }
  if (children != null) {
    for (const c of Array.isArray(children) ? children : [children]) {
      if (c == null || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
  }
  return e;
}

/** Removes every child of `node`; returns it. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * A panel's own elements: `ids` maps names to element ids, each of which must be inside `root`
 * (so no panel reaches into another's markup). Returns { name: element }.
 */
export function elements(root, ids) {
  const out = {};
  for (const [name, id] of Object.entries(ids)) {
    const e = root.querySelector('#' + id);
    if (!e) throw new Error(`#${root.id}: no element #${id} inside it`);
    out[name] = e;
  }
  return out;
}

/** Scrolls to a panel (a section) and gives its heading the focus. */
export function show(section) {
  section.scrollIntoView({ behavior: 'smooth', block: 'start' });
  const h = section.querySelector('h2');
  if (h) {
    h.setAttribute('tabindex', '-1');
    h.focus({ preventScroll: true });
  }
}

/** Phone layout: each cell carries its column's name (CSS shows it when rows are stacked). */
export function stack(table) {
  const heads = Array.from(table.querySelectorAll('thead th'), (th) => th.textContent);
  for (const tr of table.querySelectorAll('tbody tr')) {
    Array.from(tr.children).forEach((td, i) => {
      if (td.tagName === 'TD') td.setAttribute('data-label', heads[i] || '');
    });
  }
  table.classList.add('stack');
  return table;
}

/** A table with a header row and rows (arrays of cells). */
export function table(attrs, heads, rows) {
  return el('table', attrs, [
    el('thead', null, el('tr', null, heads.map((h) => el('th', null, h)))),
    el('tbody', null, rows),
  ]);
}

function setHighlight(root, ids) {
  for (const node of root.querySelectorAll('[data-fields]')) {
    const mine = node.getAttribute('data-fields').split(' ');
    node.classList.toggle('hl', !!ids && mine.some((x) => ids.includes(x)));
  }
  root.classList.toggle('highlighting', !!ids);
}

/**
 * Hovering or focusing an element with `data-fields="0 3"` highlights every element in `root`
 * that shares one of those field numbers.
 */
export function wireHighlight(root) {
  const enter = (ev) => {
    const t = ev.target.closest && ev.target.closest('[data-fields]');
    if (t && root.contains(t)) setHighlight(root, t.getAttribute('data-fields').split(' '));
  };
  const leave = (ev) => {
    const t = ev.target.closest && ev.target.closest('[data-fields]');
    if (t) setHighlight(root, null);
  };
  root.addEventListener('mouseover', enter);
  root.addEventListener('focusin', enter);
  root.addEventListener('mouseout', leave);
  root.addEventListener('focusout', leave);
}
