// The provider × capability grid. Owns the slot state and keeps it monotonic: a slot's
// version never goes back, so any update (query, mutation result, live event, replay)
// is applied only when it is newer than what the cell shows. That makes the order in
// which those sources arrive irrelevant.

import { CAPABILITIES } from './api.js';
import { flash, h, modelLabel, timeEl } from './dom.js';

export const slotKey = (provider, capability) => `${provider}:${capability}`;

export class Grid {
  /**
   * @param {HTMLTableElement} table
   * @param {{ onSwitch(key: string, modelId: string): void, onClear(key: string): void }} actions
   */
  constructor(table, actions) {
    this.table = table;
    this.actions = actions;
    this.readOnly = false;
    this.providers = new Map(); // slug → provider (with models)
    this.slots = new Map(); // key → { model, version, at, by }
    this.cells = new Map(); // key → { td, model, version, meta, select, switchButton, clearButton, error }
    this.pending = new Map(); // key → model id the user picked but has not switched to yet
    this.busy = new Set();
    this.signature = '';
  }

  /**
   * Take a fresh `providers` answer. Rebuilds the table only when providers or models changed
   * (so focus and selections survive a refresh). Returns the keys of slots absent from
   * activeModels, whose real version must be looked up.
   */
  setProviders(providers) {
    const signature = JSON.stringify(
      providers.map((p) => [p.slug, p.name, p.models.map((m) => [m.id, m.name, m.displayName, m.capabilities])]),
    );
    this.providers = new Map(providers.map((p) => [p.slug, p]));
    const absent = [];
    for (const provider of providers) {
      const held = new Map(provider.activeModels.map((s) => [s.capability, s]));
      for (const capability of CAPABILITIES) {
        const key = slotKey(provider.slug, capability);
        const slot = held.get(capability);
        if (slot) {
          this.setSlot(key, { model: slot.model, version: slot.version, at: slot.activatedAt, by: slot.activatedBy });
        } else {
          // Empty now, at a version we do not know yet (0 if never held).
          if (!this.slots.has(key)) this.slots.set(key, { model: null, version: 0, at: null, by: null });
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

  slot(key) {
    return this.slots.get(key) ?? { model: null, version: 0, at: null, by: null };
  }

  selectedModelId(key) {
    return this.cells.get(key)?.select.value || '';
  }

  /** Apply a slot state if it is newer than the one shown. Returns whether it changed. */
  setSlot(key, next, { highlight = false } = {}) {
    const current = this.slots.get(key);
    if (current && next.version < current.version) return false;
    if (current && next.version === current.version && current.model?.id === next.model?.id) return false;
    this.slots.set(key, next);
    if (this.pending.get(key) === next.model?.id) this.pending.delete(key);
    this.updateCell(key);
    const cell = this.cells.get(key);
    if (highlight && cell) flash(cell.td);
    return true;
  }

  /** Apply an ActiveModelChange (from a mutation, the subscription or the history). */
  applyChange(change, options) {
    const key = slotKey(change.provider.slug, change.capability);
    return this.setSlot(
      key,
      { model: change.model, version: change.version, at: change.changedAt, by: change.changedBy },
      options,
    );
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    for (const key of this.cells.keys()) this.updateCell(key);
  }

  setBusy(key, busy) {
    if (busy) this.busy.add(key);
    else this.busy.delete(key);
    this.updateCell(key);
  }

  showError(key, lines, kind = 'error') {
    const cell = this.cells.get(key);
    if (!cell) return;
    cell.error.replaceChildren(...lines.map((line) => h('span', {}, line)));
    cell.error.hidden = false;
    cell.error.dataset.kind = kind;
    cell.td.dataset.error = kind;
  }

  clearError(key) {
    const cell = this.cells.get(key);
    if (!cell) return;
    cell.error.replaceChildren();
    cell.error.hidden = true;
    delete cell.error.dataset.kind;
    delete cell.td.dataset.error;
  }

  clear() {
    this.providers = new Map();
    this.slots.clear();
    this.pending.clear();
    this.busy.clear();
    this.signature = '';
    this.render();
  }

  render() {
    this.cells.clear();
    const head = h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Provider'),
      CAPABILITIES.map((c) => h('th', { scope: 'col' }, c)),
    ));
    const body = h('tbody', {});
    for (const provider of this.providers.values()) {
      const row = h('tr', { dataset: { provider: provider.slug } },
        h('th', { scope: 'row' }, h('span', { class: 'provider-name' }, provider.name), h('code', {}, provider.slug)),
      );
      for (const capability of CAPABILITIES) row.append(this.renderCell(provider, capability));
      body.append(row);
    }
    this.table.replaceChildren(head, body);
    for (const key of this.cells.keys()) this.updateCell(key);
  }

  renderCell(provider, capability) {
    const key = slotKey(provider.slug, capability);
    const where = `${capability} at ${provider.name}`;
    const selectId = `select-${provider.slug}-${capability}`.replace(/[^\w-]/g, '_');
    const candidates = provider.models.filter((m) => m.capabilities.includes(capability));
    const select = h('select', { id: selectId, disabled: candidates.length === 0 },
      h('option', { value: '' }, candidates.length ? 'Choose a model…' : 'No model has this capability'),
      candidates.map((m) => h('option', { value: m.id }, m.displayName || m.name)),
    );
    select.addEventListener('change', () => {
      if (select.value) this.pending.set(key, select.value);
      else this.pending.delete(key);
      this.updateCell(key);
    });
    const switchButton = h('button', { type: 'button', class: 'switch', 'aria-label': `Switch ${where} to the selected model` }, 'Switch');
    switchButton.addEventListener('click', () => this.actions.onSwitch(key, select.value));
    const clearButton = h('button', { type: 'button', class: 'clear', 'aria-label': `Clear ${where}` }, 'Clear');
    clearButton.addEventListener('click', () => this.actions.onClear(key));

    const cell = {
      td: h('td', { dataset: { slot: key, provider: provider.slug, capability } }),
      model: h('span', { class: 'slot-model' }),
      version: h('span', { class: 'slot-version' }),
      meta: h('div', { class: 'slot-meta' }),
      select,
      switchButton,
      clearButton,
      error: h('div', { class: 'slot-error', role: 'alert', hidden: true }),
    };
    cell.td.append(
      h('div', { class: 'slot-head' }, cell.model, cell.version),
      cell.meta,
      h('label', { class: 'visually-hidden', for: selectId }, `Model for ${where}`),
      h('div', { class: 'slot-actions' }, select, switchButton, clearButton),
      cell.error,
    );
    this.cells.set(key, cell);
    return cell.td;
  }

  updateCell(key) {
    const cell = this.cells.get(key);
    if (!cell) return;
    const slot = this.slot(key);
    const busy = this.busy.has(key);
    cell.td.dataset.version = String(slot.version);
    cell.td.dataset.modelId = slot.model?.id ?? '';
    cell.td.dataset.state = slot.model ? 'held' : 'empty';
    cell.td.setAttribute('aria-busy', String(busy));
    cell.model.textContent = modelLabel(slot.model);
    cell.model.title = slot.model ? slot.model.name : 'No model holds this slot';
    cell.version.textContent = `v${slot.version}`;
    cell.meta.replaceChildren(...(slot.at ? [timeEl(slot.at), slot.by ? ` by ${slot.by}` : ''] : []));

    const wanted = this.pending.get(key) ?? slot.model?.id ?? '';
    const hasOption = [...cell.select.options].some((o) => o.value === wanted);
    cell.select.value = hasOption ? wanted : '';
    const chosen = cell.select.value;
    cell.switchButton.disabled = this.readOnly || busy || !chosen || chosen === slot.model?.id;
    cell.clearButton.disabled = this.readOnly || busy || !slot.model;
    cell.select.disabled = this.readOnly || busy || cell.select.options.length <= 1;
  }
}
