// The audit log (change management, ADMIN): filters by actor, action, target type and dates.

import { AUDIT_ACTIONS, AUDIT_TARGETS, CHANGES_AUDIT, USERS } from '../documents.js';
import { fill, dataTable, h, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { emptyNote, filterField, moreButton, options, viewSection } from './common.js';

const PAGE = 25;

export function createAuditView(ctx) {
  const v = viewSection('audit', 'nav.audit');
  const f = {
    actor: h('select', { id: 'audit-actor' }),
    action: h('select', { id: 'audit-action' }),
    target: h('select', { id: 'audit-target' }),
    from: h('input', { id: 'audit-from', type: 'date' }),
    to: h('input', { id: 'audit-to', type: 'date' }),
  };
  const filters = h('form', { class: 'filters', role: 'search' });
  const apply = h('button', { type: 'submit', class: 'secondary' });
  const listBox = h('div', { id: 'audit-list' });
  const more = moreButton(() => fetchPage(true));
  v.body.append(filters, listBox, more);
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    reload();
  });
  for (const el of [f.actor, f.action, f.target]) el.addEventListener('change', () => reload());
  let users = [];
  let rows = [];
  let endCursor = null;
  let seq = 0;

  function paintFilters() {
    f.actor.replaceChildren(
      ...options([{ value: '', label: t('audit.anyone') }, ...users.map((u) => ({ value: u.id, label: u.name }))], f.actor.value),
    );
    f.action.replaceChildren(
      ...options([{ value: '', label: t('audit.allActions') }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: a }))], f.action.value),
    );
    f.target.replaceChildren(
      ...options([{ value: '', label: t('audit.allTargets') }, ...AUDIT_TARGETS.map((a) => ({ value: a, label: a }))], f.target.value),
    );
    apply.textContent = t('history.apply');
    fill(
      filters,
      filterField(t('audit.actor'), f.actor),
      filterField(t('audit.action'), f.action),
      filterField(t('audit.target'), f.target),
      filterField(t('history.from'), f.from),
      filterField(t('history.to'), f.to),
      h('div', { class: 'filter' }, apply),
    );
  }

  function variables(after) {
    const day = (value, plus = 0) => {
      if (!value) return null;
      const d = new Date(`${value}T00:00:00`);
      d.setDate(d.getDate() + plus);
      return d.toISOString();
    };
    return {
      actorId: f.actor.value || null,
      action: f.action.value || null,
      targetType: f.target.value || null,
      from: day(f.from.value),
      to: day(f.to.value, 1),
      first: PAGE,
      after: after ?? null,
    };
  }

  async function reload() {
    rows = [];
    endCursor = null;
    await fetchPage(false);
  }

  async function fetchPage(append) {
    const mine = ++seq;
    try {
      const data = await ctx.api(CHANGES_AUDIT, variables(append ? endCursor : null));
      if (mine !== seq) return;
      const page = data.auditLog;
      rows = [...(append ? rows : []), ...page.edges.map((e) => e.node)];
      endCursor = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      v.hideError();
      render();
    } catch (err) {
      if (mine === seq && ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    }
  }

  function render() {
    v.retitle();
    more.textContent = t('loadMore');
    if (rows.length === 0) {
      fill(listBox, emptyNote(t('audit.empty')));
      return;
    }
    fill(
      listBox,
      dataTable({
        caption: t('audit.title'),
        rowAttrs: (e) => ({ 'data-id': e.id, 'data-action': e.action }),
        columns: [
          { label: t('history.when'), cell: (e) => timeEl(e.at) },
          { label: t('audit.actor'), cell: (e) => e.actor?.name ?? t('audit.server') },
          { label: t('audit.action'), cell: (e) => h('code', {}, e.action) },
          {
            label: t('audit.target'),
            cell: (e) => [e.targetType, ' ', h('code', { class: 'target-id', title: e.targetId }, shortId(e.targetId))],
          },
          { label: t('audit.summary'), class: 'wrap', cell: (e) => h('span', { class: 'audit-summary' }, e.summary) },
          {
            label: t('audit.details'),
            class: 'wrap',
            cell: (e) => h('details', {}, h('summary', {}, t('audit.details')), h('pre', { dir: 'ltr' }, JSON.stringify(e.details, null, 2))),
          },
        ],
        rows,
      }),
    );
  }

  paintFilters();
  return {
    id: 'audit',
    navKey: 'nav.audit',
    adminOnly: true,
    section: v.section,
    stale: true,
    async show() {
      try {
        users = (await ctx.api(USERS, { first: 100 })).users.edges.map((e) => e.node);
      } catch (err) {
        v.showError(t('loadFailed'), ctx.describeErrors(err));
      }
      paintFilters();
      reload();
    },
    reset() {
      seq += 1;
      rows = [];
      users = [];
      fill(listBox);
      v.hideError();
    },
    onLocale() {
      paintFilters();
      render();
    },
  };
}

function shortId(id) {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
