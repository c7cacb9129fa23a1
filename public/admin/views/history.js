// History across all providers, with filters (provider, capability, who, when), each change's
// reason, and a revert from any row (change management: revertSlot).

import { CAPABILITIES } from '../api.js';
import { CHANGES_HISTORY, CHANGES_REVERT } from '../documents.js';
import { fill, confirmDialog, dataTable, flash, h, timeEl } from '../dom.js';
import { modelLabel, slotKey } from '../grid.js';
import { capLabel, t, versionLabel } from '../i18n.js';
import { emptyNote, filterField, moreButton, options, viewSection } from './common.js';
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
  const filters = h('form', { class: 'filters', role: 'search' });
  const apply = h('button', { type: 'submit', class: 'secondary' });
  const listBox = h('div', { id: 'history-list' });
  const more = moreButton(() => fetchPage(true));
  v.body.append(filters, listBox, more);
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    reload();
  });
  for (const el of [f.provider, f.capability]) el.addEventListener('change', () => reload());
  let rows = [];
  let endCursor = null;
  let seq = 0;

  function paintFilters() {
    const providerValue = f.provider.value;
    const capabilityValue = f.capability.value;
    f.provider.replaceChildren(
      ...options(
        [{ value: '', label: t('history.allProviders') }, ...[...grid.providers.values()].map((p) => ({ value: p.slug, label: p.name }))],
        providerValue,
      ),
    );
    f.capability.replaceChildren(
      ...options(
        [{ value: '', label: t('history.allCapabilities') }, ...CAPABILITIES.map((c) => ({ value: c, label: capLabel(c) }))],
        capabilityValue,
      ),
    );
    apply.textContent = t('history.apply');
    fill(
      filters,
      filterField(t('history.provider'), f.provider),
      filterField(t('history.capability'), f.capability),
      filterField(t('history.changedBy'), f.changedBy),
      filterField(t('history.from'), f.from),
      filterField(t('history.to'), f.to),
      h('div', { class: 'filter' }, apply),
    );
  }

  function variables(after) {
    const dayStart = (value) => (value ? new Date(`${value}T00:00:00`).toISOString() : null);
    const dayAfter = (value) => {
      if (!value) return null;
      const d = new Date(`${value}T00:00:00`);
      d.setDate(d.getDate() + 1);
      return d.toISOString();
    };
    return {
      provider: f.provider.value || null,
      capability: f.capability.value || null,
      changedBy: f.changedBy.value.trim() || null,
      from: dayStart(f.from.value),
      to: dayAfter(f.to.value),
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
    listBox.setAttribute('aria-busy', 'true');
    try {
      const data = await ctx.api(CHANGES_HISTORY, variables(append ? endCursor : null));
      if (mine !== seq) return;
      const page = data.activationHistory;
      rows = [...(append ? rows : []), ...page.edges.map((e) => e.node)];
      endCursor = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      v.hideError();
      render();
    } catch (err) {
      if (mine === seq && ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    } finally {
      if (mine === seq) listBox.removeAttribute('aria-busy');
    }
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
    if (rows.some((r) => r.cursor === change.cursor) || !matches(change)) return;
    rows = [change, ...rows];
    render();
    const row = listBox.querySelector(`tr[data-cursor="${change.cursor}"]`);
    if (row) flash(row);
  }

  function render() {
    v.retitle();
    more.textContent = t('loadMore');
    if (rows.length === 0) {
      fill(listBox, emptyNote(t('history.empty')));
      return;
    }
    const admin = ctx.isAdmin;
    fill(
      listBox,
      dataTable({
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
        rows,
      }),
    );
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
      reload();
    },
    reset() {
      seq += 1;
      rows = [];
      fill(listBox);
      v.hideError();
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
