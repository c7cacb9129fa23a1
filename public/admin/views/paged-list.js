// What the paged views (history, audit, scheduled) share: a list read page by page with "Load more",
// a filter form, and the filters' select and date fields turned into query variables.

import { dataTable, fill, h } from '../dom.js';
import { t } from '../i18n.js';
import { emptyNote, filterField, moreButton, options } from './common.js';

/**
 * A list of a connection's nodes in `list`: `reload()` reads the first page, "Load more" (`more`,
 * for the view to place) appends the next. `load(after)` returns the connection; `onPage()` runs
 * after each page arrives. Only the latest request's answer is kept, so a slow page cannot
 * overwrite the one a newer filter asked for. `busy`: mark the list aria-busy while reading.
 */
export function pagedList(ctx, v, { list, load, onPage, busy = false }) {
  let endCursor = null;
  let seq = 0;
  const more = moreButton(() => fetchPage(true));

  async function fetchPage(append) {
    const mine = ++seq;
    if (busy) list.setAttribute('aria-busy', 'true');
    try {
      const page = await load(append ? endCursor : null);
      if (mine !== seq) return;
      pager.rows = [...(append ? pager.rows : []), ...page.edges.map((e) => e.node)];
      endCursor = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      v.hideError();
      onPage();
    } catch (err) {
      if (mine === seq && ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    } finally {
      if (busy && mine === seq) list.removeAttribute('aria-busy');
    }
  }

  const pager = {
    /** The nodes read so far, in order. */
    rows: [],
    more,
    reload() {
      pager.rows = [];
      endCursor = null;
      return fetchPage(false);
    },
    /** Signed out: forget the rows and drop any answer still on its way. */
    reset() {
      seq += 1;
      pager.rows = [];
      fill(list);
      v.hideError();
    },
    /** Paints the rows as a table (`table` gives dataTable's options but rows), or `emptyText` when there are none. */
    paint(emptyText, table) {
      v.retitle();
      more.textContent = t('loadMore');
      fill(list, pager.rows.length === 0 ? emptyNote(emptyText) : dataTable({ ...table, rows: pager.rows }));
    },
  };
  return pager;
}

/** A filter form that calls `apply()` when submitted or when one of the `instant` controls changes. */
export function filterForm(apply, instant = []) {
  const form = h('form', { class: 'filters', role: 'search' });
  const button = h('button', { type: 'submit', class: 'secondary' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  for (const el of instant) el.addEventListener('change', () => apply());
  return {
    form,
    /** Lays out the filters, [label, control] each, then the Apply button, in the current locale. */
    paint(fields) {
      button.textContent = t('history.apply');
      fill(form, ...fields.map(([label, control]) => filterField(label, control)), h('div', { class: 'filter' }, button));
    },
  };
}

/** Refills a filter's select: "all" (value '') first, then `choices`; what was selected stays selected. */
export function fillSelect(select, allLabel, choices) {
  select.replaceChildren(...options([{ value: '', label: allLabel }, ...choices], select.value));
}

/** A date field's day as a range bound: its local midnight, or the next day's (`nextDay`) for an inclusive end. */
export function dayBound(value, nextDay = false) {
  if (!value) return null;
  const d = new Date(`${value}T00:00:00`);
  if (nextDay) d.setDate(d.getDate() + 1);
  return d.toISOString();
}
