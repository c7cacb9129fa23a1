// Scheduled switches (change management): create, list with a status filter, cancel; statuses
// follow live (an applied switch arrives on activeModelChanged; a due one is re-read when due).

import { CHANGES_CANCEL, CHANGES_SCHEDULE, CHANGES_SCHEDULED, SCHEDULE_STATUSES } from '../documents.js';
import { confirmDialog, formDialog, h, timeEl } from '../dom.js';
import { modelLabel } from '../grid.js';
import { absoluteTime, capLabel, list, num, t } from '../i18n.js';
import { filterField, options, viewSection } from './common.js';
import { fillSelect, pagedList } from './paged-list.js';
import { chips } from './providers.js';
import { reasonField, withReason } from './slots.js';

const PAGE = 50;
/** The server applies a due switch within 2 s (api-contract-changes.graphql); look a little after. */
const DUE_SLACK_MS = 2_500;
const OVERDUE_POLL_MS = 2_000;

export function createScheduledView(ctx, grid) {
  const v = viewSection('scheduled', 'scheduled.title');
  const newButton = h('button', { type: 'button', class: 'primary', id: 'new-schedule' });
  const status = h('select', { id: 'scheduled-status' });
  const listBox = h('div', { id: 'scheduled-list' });
  const pager = pagedList(ctx, v, {
    list: listBox,
    load: async (after) => (await ctx.api(CHANGES_SCHEDULED, { status: status.value || null, first: PAGE, after })).scheduledChanges,
    onPage: () => {
      render();
      watchDue();
    },
  });
  const reload = () => pager.reload();
  v.toolbar.append(filterField(t('scheduled.status'), status), newButton);
  v.body.append(listBox, pager.more);
  newButton.addEventListener('click', () => schedule());
  status.addEventListener('change', () => reload());
  let dueTimer = null;

  function paintStatic() {
    v.retitle();
    newButton.textContent = t('scheduled.new');
    fillSelect(
      status,
      t('scheduled.allStatuses'),
      SCHEDULE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
    );
    status.previousElementSibling.textContent = t('scheduled.status');
  }

  /**
   * Re-read the list shortly after the next pending switch falls due (a FAILED one publishes no
   * change), and every few seconds while one is overdue.
   */
  function watchDue() {
    clearTimeout(dueTimer);
    const next = pager.rows
      .filter((r) => r.status === 'PENDING')
      .map((r) => new Date(r.at).getTime())
      .sort((a, b) => a - b)[0];
    if (next === undefined) return;
    const delay = Math.max(OVERDUE_POLL_MS, Math.min(next - Date.now() + DUE_SLACK_MS, 2 ** 31 - 1));
    dueTimer = setTimeout(() => {
      if (!v.section.hidden && ctx.session) reload();
    }, delay);
  }

  async function schedule() {
    if (grid.providers.size === 0) await ctx.loadSlots();
    const providers = [...grid.providers.values()].filter((p) => p.models.length > 0);
    const modelOptions = (slug) => (grid.providers.get(slug)?.models ?? []).map((m) => ({ value: m.id, label: m.displayName || m.name }));
    const first = providers[0]?.slug ?? '';
    const inTenMinutes = new Date(Date.now() + 10 * 60_000);
    inTenMinutes.setSeconds(0, 0);
    const local = new Date(inTenMinutes.getTime() - inTenMinutes.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    const saved = await formDialog({
      title: t('scheduled.new'),
      fields: [
        {
          name: 'provider',
          label: t('scheduled.provider'),
          type: 'select',
          value: first,
          options: providers.map((p) => ({ value: p.slug, label: p.name })),
          onchange: (slug, inputs) => inputs.get('modelId').replaceChildren(...options(modelOptions(slug))),
        },
        { name: 'modelId', label: t('scheduled.model'), type: 'select', options: modelOptions(first), required: true },
        {
          name: 'capabilities',
          label: t('scheduled.capabilities'),
          type: 'checkboxes',
          hint: t('scheduled.capabilitiesHint'),
          options: ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'].map((c) => ({ value: c, label: capLabel(c) })),
        },
        { name: 'at', label: t('scheduled.at'), type: 'datetime', value: local, required: true },
        reasonField(),
      ],
      submitLabel: t('scheduled.submit'),
      danger: false,
      describeError: ctx.describeErrors,
      onSubmit: async (values) => {
        const input = withReason({ modelId: values.modelId, at: values.at }, values.reason);
        if (values.capabilities.length) input.capabilities = values.capabilities;
        return (await ctx.api(CHANGES_SCHEDULE, { input })).scheduleActivation;
      },
    });
    if (saved) await reload();
  }

  async function cancel(row) {
    const done = await confirmDialog({
      title: t('scheduled.cancelTitle'),
      body: [
        h(
          'p',
          {},
          t('scheduled.cancelBody', {
            model: modelLabel(row.model),
            capabilities: list(row.capabilities.map(capLabel)),
            provider: row.provider.name,
            when: absoluteTime(row.at),
          }),
        ),
      ],
      confirmLabel: t('scheduled.cancelConfirm'),
      describeError: ctx.describeErrors,
      onConfirm: () => ctx.api(CHANGES_CANCEL, { id: row.id }),
    });
    if (done) await reload();
  }

  function render() {
    pager.paint(t('scheduled.empty'), {
      caption: t('scheduled.title'),
      rowAttrs: (r) => ({ 'data-id': r.id, 'data-status': r.status }),
      columns: [
        { label: t('scheduled.when'), cell: (r) => timeEl(r.at) },
        {
          label: t('scheduled.what'),
          cell: (r) => [h('strong', {}, r.provider.name), ' · ', modelLabel(r.model), ' ', chips(r.capabilities)],
        },
        { label: t('scheduled.status'), cell: (r) => h('span', { class: `badge status-${r.status.toLowerCase()}` }, t(`status.${r.status}`)) },
        { label: t('scheduled.createdBy'), cell: (r) => r.createdBy.name },
        { label: t('history.reason'), class: 'wrap', cell: (r) => r.reason ?? '—' },
        {
          label: t('scheduled.outcome'),
          class: 'wrap',
          cell: (r) =>
            r.status === 'FAILED'
              ? h(
                  'span',
                  { class: 'error-line' },
                  r.failureMessage ?? '',
                  r.failureCode ? h('code', { class: 'error-code' }, r.failureCode) : null,
                )
              : r.status === 'APPLIED'
                ? t('scheduled.changes', { count: num(r.changes.length) })
                : r.appliedAt
                  ? timeEl(r.appliedAt)
                  : '—',
        },
        {
          label: t('actions'),
          class: 'actions',
          cell: (r) =>
            r.status === 'PENDING'
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger-outline cancel-schedule',
                    'aria-label': t('scheduled.cancelLabel', { when: absoluteTime(r.at) }),
                    onclick: () => cancel(r),
                  },
                  t('scheduled.cancel'),
                )
              : '—',
        },
      ],
    });
  }

  paintStatic();
  return {
    id: 'scheduled',
    navKey: 'nav.scheduled',
    adminOnly: true,
    section: v.section,
    stale: true,
    show() {
      paintStatic();
      reload();
    },
    reset() {
      pager.reset();
      clearTimeout(dueTimer);
    },
    onLocale() {
      paintStatic();
      render();
    },
    onChange(change) {
      // A slot changed while switches are pending: one of them may have been applied.
      if (!v.section.hidden && (change.scheduledChange || pager.rows.some((r) => r.status === 'PENDING'))) reload();
    },
  };
}
