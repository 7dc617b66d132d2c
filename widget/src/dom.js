// Building DOM nodes. Everything the server or the shopper wrote goes in as text, never markup.

/**
 * A new element. In `attributes`, `text` sets the text content, `onclick` and the like add
 * listeners, `true` sets an empty attribute, and null or false leaves it out. Falsy children
 * are skipped, so optional parts can be written inline.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attributes]
 * @param {Array<Node | string | null | undefined | false>} [children]
 */
export function element(tag, attributes, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value == null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children || []) {
    if (child) node.append(child);
  }
  return node;
}

/** A 20px line icon from one SVG path, hidden from screen readers (its button has a label). */
export function lineIcon(pathData) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  const path = document.createElementNS(svg.namespaceURI, 'path');
  for (const [name, value] of Object.entries({
    viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true',
  })) svg.setAttribute(name, value);
  for (const [name, value] of Object.entries({
    d: pathData, fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round',
  })) path.setAttribute(name, value);
  svg.append(path);
  return svg;
}
