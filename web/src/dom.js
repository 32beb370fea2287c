// Tiny DOM helpers: element construction without a framework.

/**
 * Creates an element. `attrs` keys: "class", "text", "on<Event>" handlers, "dataset"-style
 * "data-*" / "aria-*" attributes, and DOM properties (value, disabled, ...).
 * Children may be strings, nodes, arrays, null or false.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key.includes("-") || key === "role" || key === "for" || key === "type" || key === "name") {
      el.setAttribute(key, value === true ? "" : String(value));
    } else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces every child of `el` with `children`. */
export function replaceChildren(el, ...children) {
  el.textContent = "";
  append(el, children);
}
