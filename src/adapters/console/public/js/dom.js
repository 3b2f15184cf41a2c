/**
 * A tiny element builder: `h('button', { class: 'primary', onclick }, 'Send')`. Text is always set as text, never
 * parsed as HTML, so names and messages cannot inject markup.
 */

/**
 * Creates an element.
 * @param {string} tag
 * @param {Record<string, unknown>} [props] `class`, `text`, `on<event>` handlers, `hidden`, `disabled`, others as attributes
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === 'hidden' || key === 'disabled')
      /** @type {HTMLElement & { disabled?: boolean }} */ (el)[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...(Node|string|null|undefined|false)} children
 */
export function fill(el, ...children) {
  el.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

/**
 * Finds a required element by id.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el;
}
