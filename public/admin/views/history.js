// History across all providers, with filters (provider, capability, who, when), each change's
// reason, and a revert from any row (change management: revertSlot).

import { CAPABILITIES } from '../api.js';
import { CHANGES_HISTORY, CHANGES_REVERT } from '../documents.js';
import { confirmDialog, flash, h, timeEl } from '../dom.js';
import { modelLabel, slotKey } from '../grid.js';
import { capLabel, t, versionLabel } from '../i18n.js';
import { viewSection } from './common.js';
import { dayBound, fillSelect, filterForm, pagedList } from './paged-list.js';
import { reasonField, withReason } from './slots.js';

const PAGE = 25;

export function createHistoryView(ctx, grid) {
  const v = viewSection('history', 'nav.history');
  const f = {
    provider: h('select', { id: 'history-provider' }),
    capability: h('select', { id: 'history-capability' }),
    changedBy: h('input', { id: 'history-changed-by', type: 'text', autocomplete: 'off' }),
    from: h('input', { id: 'history-from', type: 'date' }),
    to: h('input', { id: 'history-to', type: 'date' }),
  };
  const filters = filterForm(() => pager.reload(), [f.provider, f.capability]);
  const listBox = h('div', { id: 'history-list' });
  const pager = pagedList(ctx, v, {
    list: listBox,
    busy: true,
    load: async (after) => (await ctx.api(CHANGES_HISTORY, variables(after))).activationHistory,
    onPage: render,
  });
  v.body.append(filters.form, listBox, pager.more);

  function paintFilters() {
    fillSelect(
      f.provider,
      t('history.allProviders'),
      [...grid.providers.values()].map((p) => ({ value: p.slug, label: p.name })),
    );
    fillSelect(
      f.capability,
      t('history.allCapabilities'),
      CAPABILITIES.map((c) => ({ value: c, label: capLabel(c) })),
    );
    filters.paint([
      [t('history.provider'), f.provider],
      [t('history.capability'), f.capability],
      [t('history.changedBy'), f.changedBy],
      [t('history.from'), f.from],
      [t('history.to'), f.to],
    ]);
  }

  function variables(after) {
    return {
      provider: f.provider.value || null,
      capability: f.capability.value || null,
      changedBy: f.changedBy.value.trim() || null,
      from: dayBound(f.from.value),
      to: dayBound(f.to.value, true),
      first: PAGE,
      after: after ?? null,
    };
  }

  function matches(change) {
    const vars = variables();
    if (vars.provider && change.provider.slug !== vars.provider) return false;
    if (vars.capability && change.capability !== vars.capability) return false;
    if (vars.changedBy && change.changedBy !== vars.changedBy) return false;
    if (vars.to) return false; // a bounded range does not grow with live changes
    return true;
  }

  async function revert(change) {
    const key = slotKey(change.provider.slug, change.capability);
    const where = t('slots.where', { capability: capLabel(change.capability), provider: change.provider.name });
    const current = grid.slot(key);
    const expectedVersion = current.version;
    await confirmDialog({
      title: t('revert.title', { where }),
      body: [
        h(
          'p',
          {},
          t('revert.body', {
            model: modelLabel(change.model),
            version: versionLabel(change.version),
            current: modelLabel(current.model),
            currentVersion: versionLabel(current.version),
          }),
        ),
      ],
      confirmLabel: t('revert.confirm'),
      danger: false,
      fields: [reasonField()],
      describeError: ctx.describeErrors,
      onConfirm: async ({ reason }) => {
        const input = withReason(
          { provider: change.provider.slug, capability: change.capability, toVersion: change.version, expectedVersion },
          reason,
        );
        const data = await ctx.api(CHANGES_REVERT, { input });
        for (const c of data.revertSlot.changes) {
          grid.applyChange(c, { highlight: true });
          addLive(c);
        }
        if (data.revertSlot.changes.length === 0) ctx.announce(t('revert.nothing'));
      },
    });
  }

  function addLive(change) {
    if (pager.rows.some((r) => r.cursor === change.cursor) || !matches(change)) return;
    pager.rows = [change, ...pager.rows];
    render();
    const row = listBox.querySelector(`tr[data-cursor="${change.cursor}"]`);
    if (row) flash(row);
  }

  function render() {
    const admin = ctx.isAdmin;
    pager.paint(t('history.empty'), {
      caption: t('history.title'),
      rowAttrs: (c) => ({ 'data-cursor': c.cursor, 'data-slot': slotKey(c.provider.slug, c.capability), 'data-version': String(c.version) }),
      columns: [
        { label: t('history.when'), cell: (c) => timeEl(c.changedAt) },
        {
          label: t('history.slot'),
          cell: (c) => [
            h('strong', {}, c.provider.name),
            ' · ',
            capLabel(c.capability),
            ' ',
            h('span', { class: 'slot-version' }, versionLabel(c.version)),
          ],
        },
        {
          label: t('history.change'),
          cell: (c) =>
            h(
              'span',
              { class: 'h-change' },
              h('span', { class: 'h-previous' }, modelLabel(c.previousModel)),
              h('span', { 'aria-hidden': 'true', class: 'arrow' }, ' → '),
              h('span', { class: 'visually-hidden' }, ` ${t('history.replacedBy')} `),
              h('span', { class: 'h-model' }, modelLabel(c.model)),
            ),
        },
        {
          label: t('history.changedBy'),
          cell: (c) => [c.changedBy ?? '—', c.scheduledChange ? h('span', { class: 'badge' }, t('history.scheduled')) : null],
        },
        { label: t('history.reason'), class: 'wrap', cell: (c) => (c.reason ? h('span', { class: 'h-reason' }, c.reason) : '—') },
        ...(admin
          ? [
              {
                label: t('actions'),
                class: 'actions',
                cell: (c) => {
                  const isCurrent = grid.slot(slotKey(c.provider.slug, c.capability)).version === c.version;
                  return h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary revert',
                      disabled: isCurrent || undefined,
                      title: isCurrent ? t('history.current') : undefined,
                      'aria-label': t('history.revertLabel', {
                        where: t('slots.where', { capability: capLabel(c.capability), provider: c.provider.name }),
                        model: modelLabel(c.model),
                        version: versionLabel(c.version),
                      }),
                      onclick: () => revert(c),
                    },
                    t('history.revert'),
                  );
                },
              },
            ]
          : []),
      ],
    });
  }

  paintFilters();
  return {
    id: 'history',
    navKey: 'nav.history',
    section: v.section,
    stale: true,
    async show() {
      if (grid.providers.size === 0) await ctx.loadSlots();
      paintFilters();
      pager.reload();
    },
    reset() {
      pager.reset();
    },
    onLocale() {
      paintFilters();
      render();
    },
    onChange(change) {
      if (!v.section.hidden) addLive(change);
    },
  };
}
