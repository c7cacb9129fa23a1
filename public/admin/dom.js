// Tiny DOM helpers. Text always goes in through textContent / text nodes, never innerHTML,
// because model and provider names come from the server.

/** h('button', { class: 'switch', onclick: fn, dataset: { slot: 'x' } }, 'Switch') */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function timeEl(iso) {
  if (!iso) return h('span', {}, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, Number.isNaN(date.getTime()) ? iso : date.toLocaleString());
}

export function modelLabel(model) {
  return model ? model.displayName || model.name : 'empty';
}

/** Restart a CSS highlight animation on an element. */
export function flash(el) {
  el.classList.remove('flash');
  void el.offsetWidth; // force a reflow so the animation runs again
  el.classList.add('flash');
  clearTimeout(el._flashTimer);
  el._flashTimer = setTimeout(() => el.classList.remove('flash'), 2000);
}
