// The provider × capability grid. Owns the slot state and keeps it monotonic: a slot's
// version never goes back, so any update (query, mutation result, live event, replay)
// is applied only when it is newer than what the cell shows. That makes the order in
// which those sources arrive irrelevant.
//
// A pick (a model chosen in a cell, not yet switched to) remembers the slot version it was
// made against. A newer change of that slot marks the pick stale and says who changed it to
// what; Switch then asks for a fresh confirmation, whose version is the one sent as
// expectedVersion. A pick is never silently re-based.

import { CAPABILITIES } from './api.js';
import { flash, h, timeEl } from './dom.js';
import { capLabel, relativeTime, t, versionLabel } from './i18n.js';

export const slotKey = (provider, capability) => `${provider}:${capability}`;
export const modelLabel = (model) => (model ? model.displayName || model.name : t('empty'));

export class Grid {
  /**
   * @param {HTMLTableElement} table
   * @param {{ onSwitch(key: string): void, onClear(key: string): void }} actions
   */
  constructor(table, actions) {
    this.table = table;
    this.actions = actions;
    this.readOnly = false;
    this.showAll = false;
    this.providers = new Map(); // slug → provider (with models)
    this.slots = new Map(); // key → { model, version, at, by, known }
    this.cells = new Map(); // key → { td, ... }
    this.picks = new Map(); // key → { modelId, version, stale: null | { model, version, at, by } }
    this.notices = new Map(); // key → { kind: 'conflict' | 'error' | 'note', lines? }
    this.busy = new Set();
    this.watchers = new Set();
    this.signature = '';
  }

  /**
   * Take a fresh `providers` answer. Rebuilds the table only when providers or models changed
   * (so focus and picks survive a refresh). Returns the keys of slots absent from activeModels,
   * whose real version must be looked up.
   */
  setProviders(providers) {
    const signature = JSON.stringify(providers.map((p) => [p.slug, p.name, p.models.map((m) => [m.id, m.name, m.displayName, m.capabilities])]));
    this.providers = new Map(providers.map((p) => [p.slug, p]));
    const absent = [];
    for (const provider of providers) {
      const held = new Map(provider.activeModels.map((s) => [s.capability, s]));
      for (const capability of CAPABILITIES) {
        const key = slotKey(provider.slug, capability);
        const slot = held.get(capability);
        if (slot) {
          this.setSlot(key, { model: slot.model, version: slot.version, at: slot.activatedAt, by: slot.activatedBy, known: true });
        } else {
          // Empty now, at a version not known yet (the lookup tells it; 0 if never held).
          if (!this.slots.has(key)) this.slots.set(key, { model: null, version: 0, at: null, by: null, known: false });
          absent.push(key);
        }
      }
    }
    if (signature !== this.signature) {
      this.signature = signature;
      this.render();
    } else {
      for (const key of this.cells.keys()) this.updateCell(key);
    }
    return absent;
  }

  hasProvider(slug) {
    return this.providers.has(slug);
  }

  knowsModel(slug, modelId) {
    return Boolean(this.providers.get(slug)?.models.some((m) => m.id === modelId));
  }

  provider(slug) {
    return this.providers.get(slug);
  }

  slot(key) {
    return this.slots.get(key) ?? { model: null, version: 0, at: null, by: null, known: false };
  }

  pick(key) {
    return this.picks.get(key) ?? null;
  }

  model(key, modelId) {
    return this.providers.get(key.split(':')[0])?.models.find((m) => m.id === modelId) ?? null;
  }

  /** Calls `listener(key)` after any slot changes; returns the unsubscribe function. */
  watch(listener) {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Apply a slot state if it is newer than the one shown. Returns whether it changed. */
  setSlot(key, next, { highlight = false } = {}) {
    const current = this.slots.get(key);
    if (current?.known && next.version < current.version) return false;
    if (current?.known && next.version === current.version && current.model?.id === next.model?.id) return false;
    this.slots.set(key, { ...next, known: true });
    const pick = this.picks.get(key);
    if (pick) {
      if (next.model?.id === pick.modelId)
        this.picks.delete(key); // what was picked now holds the slot
      else if (next.version > pick.version)
        pick.stale = { model: next.model, version: next.version, at: next.at, by: next.by, reason: next.reason };
    }
    this.updateCell(key);
    const cell = this.cells.get(key);
    if (highlight && cell) flash(cell.td);
    for (const watcher of this.watchers) watcher(key);
    return true;
  }

  /** Apply an ActiveModelChange (from a mutation, the subscription or the history). */
  applyChange(change, options) {
    const key = slotKey(change.provider.slug, change.capability);
    return this.setSlot(
      key,
      { model: change.model, version: change.version, at: change.changedAt, by: change.changedBy, reason: change.reason ?? null },
      options,
    );
  }

  /** The user confirmed the switch with the slot as it is now: the pick is fresh again. */
  confirmPick(key, version) {
    const pick = this.picks.get(key);
    if (!pick) return;
    pick.version = version;
    pick.stale = null;
    this.updateCell(key);
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    for (const key of this.cells.keys()) this.updateCell(key);
  }

  setShowAll(showAll) {
    this.showAll = showAll;
    this.render();
  }

  setBusy(key, busy) {
    if (busy) this.busy.add(key);
    else this.busy.delete(key);
    this.updateCell(key);
  }

  /** kind: 'conflict' (text from the slot's current state), 'error' or 'note' (given lines). */
  showNotice(key, kind, lines = []) {
    this.notices.set(key, { kind, lines });
    this.updateCell(key);
  }

  clearNotice(key) {
    this.notices.delete(key);
    this.updateCell(key);
  }

  clear() {
    this.providers = new Map();
    this.slots.clear();
    this.picks.clear();
    this.notices.clear();
    this.busy.clear();
    this.signature = '';
    this.render();
  }

  /** Capabilities shown as columns: those some model has (all six with "show all"). */
  columns() {
    if (this.showAll) return CAPABILITIES;
    const offered = new Set();
    for (const provider of this.providers.values()) for (const m of provider.models) for (const c of m.capabilities) offered.add(c);
    return offered.size ? CAPABILITIES.filter((c) => offered.has(c)) : CAPABILITIES;
  }

  render() {
    this.cells.clear();
    const columns = this.columns();
    this.table.dataset.columns = String(columns.length);
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'provider-col' }, t('slots.provider')),
        columns.map((c) => h('th', { scope: 'col' }, capLabel(c))),
      ),
    );
    const body = h('tbody', {});
    for (const provider of this.providers.values()) {
      const offered = new Set(provider.models.flatMap((m) => m.capabilities));
      const row = h(
        'tr',
        { dataset: { provider: provider.slug } },
        h(
          'th',
          { scope: 'row', class: 'provider-col' },
          h('span', { class: 'provider-name' }, provider.name),
          ' ',
          h('code', {}, provider.slug),
        ),
      );
      for (const capability of columns) {
        if (offered.has(capability) || this.showAll) row.append(this.renderCell(provider, capability));
        else
          row.append(
            h(
              'td',
              { class: 'not-offered', 'data-label': capLabel(capability) },
              h('span', { 'aria-hidden': 'true' }, t('slots.notOffered')),
              h('span', { class: 'visually-hidden' }, t('slots.noCandidates')),
            ),
          );
      }
      body.append(row);
    }
    this.table.replaceChildren(head, body);
    for (const key of this.cells.keys()) this.updateCell(key);
  }

  where(key) {
    const [slug, capability] = key.split(':');
    return t('slots.where', { capability: capLabel(capability), provider: this.providers.get(slug)?.name ?? slug });
  }

  renderCell(provider, capability) {
    const key = slotKey(provider.slug, capability);
    const where = this.where(key);
    const selectId = `select-${provider.slug}-${capability}`.replace(/[^\w-]/g, '_');
    const candidates = provider.models.filter((m) => m.capabilities.includes(capability));
    const select = h(
      'select',
      { id: selectId, class: 'slot-select' },
      h('option', { value: '' }, candidates.length ? t('slots.choose') : t('slots.noCandidates')),
      candidates.map((m) => h('option', { value: m.id }, m.displayName || m.name)),
    );
    select.addEventListener('change', () => {
      const slot = this.slot(key);
      if (select.value && select.value !== slot.model?.id) this.picks.set(key, { modelId: select.value, version: slot.version, stale: null });
      else this.picks.delete(key);
      this.notices.delete(key);
      this.updateCell(key);
    });
    const switchButton = h(
      'button',
      { type: 'button', class: 'switch primary', 'aria-label': t('slots.switchLabel', { where }) },
      t('slots.switch'),
    );
    switchButton.addEventListener('click', () => this.actions.onSwitch(key));
    const clearButton = h(
      'button',
      { type: 'button', class: 'clear secondary', 'aria-label': t('slots.clearLabel', { where }) },
      t('slots.clear'),
    );
    clearButton.addEventListener('click', () => this.actions.onClear(key));

    const cell = {
      td: h('td', { class: 'slot', 'data-label': capLabel(capability), dataset: { slot: key, provider: provider.slug, capability } }),
      model: h('span', { class: 'slot-model' }),
      version: h('span', { class: 'slot-version' }),
      meta: h('div', { class: 'slot-meta' }),
      select,
      switchButton,
      clearButton,
      notice: h('div', { class: 'slot-notice', role: 'status', 'aria-live': 'polite', hidden: true }),
      candidates: candidates.length,
    };
    cell.td.append(
      h('div', { class: 'slot-head' }, cell.model, cell.version),
      cell.meta,
      h('label', { class: 'visually-hidden', for: selectId }, t('slots.modelFor', { where })),
      select,
      h('div', { class: 'slot-actions' }, switchButton, clearButton),
      cell.notice,
    );
    this.cells.set(key, cell);
    return cell.td;
  }

  updateCell(key) {
    const cell = this.cells.get(key);
    if (!cell) return;
    const slot = this.slot(key);
    const pick = this.picks.get(key);
    const busy = this.busy.has(key);
    cell.td.dataset.version = String(slot.version);
    cell.td.dataset.modelId = slot.model?.id ?? '';
    cell.td.dataset.state = slot.model ? 'held' : 'empty';
    if (pick?.stale) cell.td.dataset.stale = 'true';
    else delete cell.td.dataset.stale;
    cell.td.setAttribute('aria-busy', String(busy));
    cell.model.textContent = modelLabel(slot.model);
    cell.model.title = slot.model ? slot.model.name : t('slots.emptyTitle');
    cell.version.textContent = versionLabel(slot.version);
    cell.meta.replaceChildren(...(slot.at ? [timeEl(slot.at), slot.by ? ` · ${t('by', { name: slot.by })}` : ''] : []));

    const wanted = pick?.modelId ?? slot.model?.id ?? '';
    cell.select.value = [...cell.select.options].some((o) => o.value === wanted) ? wanted : '';
    cell.switchButton.textContent = pick?.stale ? t('slots.switchAnyway') : t('slots.switch');
    cell.switchButton.disabled = this.readOnly || busy || !pick || !slot.known;
    cell.clearButton.disabled = this.readOnly || busy || !slot.model;
    cell.select.disabled = this.readOnly || busy || cell.candidates === 0;

    const notice = this.notices.get(key);
    let kind = null;
    let lines = [];
    if (notice?.kind === 'conflict') {
      kind = 'conflict';
      lines = [
        t('slots.conflict', { model: modelLabel(slot.model), version: versionLabel(slot.version), who: slot.by ?? t('slots.someone') }) +
          (slot.reason ? ` ${t('slots.reasonGiven', { reason: slot.reason })}` : ''),
      ];
    } else if (notice) {
      kind = notice.kind;
      lines = notice.lines;
    } else if (pick?.stale) {
      kind = 'stale';
      lines = [staleText(pick)];
    }
    cell.notice.hidden = kind === null;
    cell.notice.setAttribute('role', kind === 'error' || kind === 'conflict' ? 'alert' : 'status');
    if (kind) cell.notice.dataset.kind = kind;
    else delete cell.notice.dataset.kind;
    cell.notice.replaceChildren(...lines.map((line) => (line instanceof Node ? line : h('span', {}, line))));
  }
}

export function staleText(pick) {
  const s = pick.stale;
  const text = t('slots.stale', {
    picked: versionLabel(pick.version),
    who: s.by ?? t('slots.someone'),
    model: modelLabel(s.model),
    version: versionLabel(s.version),
    when: s.at ? relativeTime(s.at) : '',
  });
  return s.reason ? `${text} ${t('slots.reasonGiven', { reason: s.reason })}` : text;
}
