// The audit log (change management, ADMIN): filters by actor, action, target type and dates.

// Served by the server from its AuditAction enum (src/http/static-routes.ts), not a file in public/.
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../audit-vocabulary.js';
import { CHANGES_AUDIT, USERS } from '../documents.js';
import { h, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { viewSection } from './common.js';
import { dayBound, fillSelect, filterForm, pagedList } from './paged-list.js';

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
  const filters = filterForm(() => pager.reload(), [f.actor, f.action, f.target]);
  const listBox = h('div', { id: 'audit-list' });
  const pager = pagedList(ctx, v, {
    list: listBox,
    load: async (after) => (await ctx.api(CHANGES_AUDIT, variables(after))).auditLog,
    onPage: render,
  });
  v.body.append(filters.form, listBox, pager.more);
  let users = [];

  function paintFilters() {
    fillSelect(
      f.actor,
      t('audit.anyone'),
      users.map((u) => ({ value: u.id, label: u.name })),
    );
    fillSelect(
      f.action,
      t('audit.allActions'),
      AUDIT_ACTIONS.map((a) => ({ value: a, label: a })),
    );
    fillSelect(
      f.target,
      t('audit.allTargets'),
      AUDIT_TARGETS.map((a) => ({ value: a, label: a })),
    );
    filters.paint([
      [t('audit.actor'), f.actor],
      [t('audit.action'), f.action],
      [t('audit.target'), f.target],
      [t('history.from'), f.from],
      [t('history.to'), f.to],
    ]);
  }

  function variables(after) {
    return {
      actorId: f.actor.value || null,
      action: f.action.value || null,
      targetType: f.target.value || null,
      from: dayBound(f.from.value),
      to: dayBound(f.to.value, true),
      first: PAGE,
      after: after ?? null,
    };
  }

  function render() {
    pager.paint(t('audit.empty'), {
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
    });
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
      pager.reload();
    },
    reset() {
      pager.reset();
      users = [];
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
