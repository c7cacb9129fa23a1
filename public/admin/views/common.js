// Pieces every view shares: its section with a heading and a toolbar, an error area that shows
// the server's messages as they came, and an "empty" note.

import { errorLines, h } from '../dom.js';
import { t } from '../i18n.js';

/** A view's section: <section><div.section-head><h2/> toolbar</div> body</section>. */
export function viewSection(id, titleKey) {
  const title = h('h2', { id: `${id}-title`, tabindex: '-1' }, t(titleKey));
  const toolbar = h('div', { class: 'toolbar' });
  const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const body = h('div', { class: 'view-body' });
  const section = h(
    'section',
    { id: `view-${id}`, class: 'card view', 'aria-labelledby': `${id}-title` },
    h('div', { class: 'section-head' }, title, toolbar),
    error,
    body,
  );
  return {
    section,
    title,
    toolbar,
    body,
    error,
    retitle() {
      title.textContent = t(titleKey);
    },
    showError(prefix, errors) {
      error.replaceChildren(h('strong', {}, prefix), ...errorLines(errors));
      error.hidden = false;
    },
    hideError() {
      error.hidden = true;
      error.replaceChildren();
    },
  };
}

export function emptyNote(text) {
  return h('p', { class: 'hint empty-note' }, text);
}

/** A "Load more" button that calls `more()` and hides itself when there is nothing more. */
export function moreButton(more) {
  const button = h('button', { type: 'button', class: 'secondary more', hidden: true }, t('loadMore'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await more();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** A labelled filter control for a toolbar. */
export function filterField(label, control) {
  if (!control.id) control.id = `flt-${Math.random().toString(36).slice(2, 8)}`;
  return h('div', { class: 'filter' }, h('label', { for: control.id }, label), control);
}

export function options(list, selected) {
  return list.map(({ value, label }) => h('option', { value, selected: value === selected ? true : undefined }, label));
}
