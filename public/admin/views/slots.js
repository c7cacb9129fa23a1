// Active models: the grid, switching (with a reason and a version check that never loses a
// conflict) and clearing (with a confirmation naming what services will get: nothing).

import { ApiError } from '../api.js';
import { ACTIVATE, DEACTIVATE, PROVIDERS, latestChangesDocument } from '../documents.js';
import { confirmDialog, h } from '../dom.js';
import { Grid, modelLabel } from '../grid.js';
import { capLabel, relativeTime, t, versionLabel } from '../i18n.js';
import { emptyNote, viewSection } from './common.js';

const LOOKUP_BATCH = 40; // aliased history lookups per request

export function reasonField() {
  return { name: 'reason', label: t('reason'), type: 'textarea', hint: t('reason.hint'), maxlength: 500 };
}

/** The reason is optional: sent only when given (empty means none). */
export function withReason(input, reason) {
  return reason ? { ...input, reason } : input;
}

export function createSlotsView(ctx) {
  const v = viewSection('slots', 'slots.title');
  const table = h('table', { id: 'grid', class: 'slots' });
  const grid = new Grid(table, { onSwitch: switchSlot, onClear: clearSlot });
  const showAllId = 'show-all-capabilities';
  const showAll = h('input', { type: 'checkbox', id: showAllId });
  const showAllLabel = h('label', { for: showAllId });
  const refresh = h('button', { type: 'button', id: 'refresh', class: 'secondary' });
  const readOnly = h('p', { id: 'read-only-note', class: 'hint', hidden: true });
  const help = h('p', { id: 'grid-help', class: 'hint' });
  const empty = emptyNote('');
  empty.id = 'grid-empty';
  empty.hidden = true;
  table.setAttribute('aria-describedby', 'grid-help');
  v.toolbar.append(h('span', { class: 'check' }, showAll, showAllLabel), refresh);
  v.body.append(readOnly, h('div', { class: 'grid-wrap' }, table), empty, help);
  let seq = 0;

  function paintStatic() {
    v.retitle();
    showAllLabel.textContent = t('slots.showAll');
    refresh.textContent = t('refresh');
    readOnly.textContent = t('readOnly');
    help.textContent = t('slots.help');
    empty.textContent = t('slots.noProviders');
  }
  paintStatic();

  showAll.addEventListener('change', () => grid.setShowAll(showAll.checked));
  refresh.addEventListener('click', () => load());

  async function load() {
    const s = ctx.session;
    if (!s) return;
    const mine = ++seq;
    refresh.disabled = true;
    try {
      const { providers } = await ctx.api(PROVIDERS);
      if (mine !== seq) return; // a newer load won
      v.hideError();
      const absent = grid.setProviders(providers);
      empty.hidden = providers.length > 0;
      await lookupSlots(absent);
    } catch (err) {
      if (s === ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    } finally {
      if (mine === seq) refresh.disabled = false;
    }
  }

  /** Fetch the latest change of each slot (exact version of emptied slots; conflict refresh). */
  async function lookupSlots(keys) {
    const batches = [];
    for (let i = 0; i < keys.length; i += LOOKUP_BATCH) batches.push(keys.slice(i, i + LOOKUP_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        const slots = batch.map((key) => {
          const [provider, capability] = key.split(':');
          return { provider, capability };
        });
        const { query, variables } = latestChangesDocument(slots);
        const data = await ctx.api(query, variables);
        batch.forEach((key, i) => {
          const node = data[`s${i}`]?.edges[0]?.node;
          if (node) grid.applyChange(node);
          else grid.setSlot(key, { model: null, version: 0, at: null, by: null }); // never held
        });
      }),
    );
  }

  async function switchSlot(key) {
    const pick = grid.pick(key);
    if (!ctx.session || !pick) return;
    const capability = key.split(':')[1];
    const target = grid.model(key, pick.modelId);
    let confirmedVersion = grid.slot(key).version;
    let stop = () => {};

    const body = () => {
      const slot = grid.slot(key);
      confirmedVersion = slot.version;
      const nodes = [h('p', {}, t('switch.body', { from: modelLabel(slot.model), to: modelLabel(target) }))];
      const p = grid.pick(key);
      if (p?.stale) {
        nodes.push(
          h(
            'p',
            { class: 'warning', role: 'alert', 'data-kind': 'stale' },
            t('switch.staleWarning', {
              who: p.stale.by ?? t('slots.someone'),
              model: modelLabel(p.stale.model),
              version: versionLabel(p.stale.version),
              when: p.stale.at ? relativeTime(p.stale.at) : '',
              to: modelLabel(target),
            }),
          ),
        );
      }
      return nodes;
    };
    const done = await confirmDialog({
      title: t('switch.title', { where: grid.where(key) }),
      body: body(),
      confirmLabel: pick.stale ? t('switch.confirmAnyway') : t('switch.confirm'),
      danger: false,
      fields: [reasonField()],
      describeError: ctx.describeErrors,
      setup(dialog) {
        // A change arriving while the dialog is open is shown there too: what is confirmed is what is seen.
        stop = grid.watch((changed) => {
          if (changed !== key || !dialog.isOpen()) return;
          if (!grid.pick(key)) {
            dialog.close(); // the picked model took the slot meanwhile
            return;
          }
          dialog.setBody(body());
          if (grid.pick(key)?.stale) dialog.setSubmitLabel(t('switch.confirmAnyway'));
        });
      },
      onConfirm: async ({ reason }) => {
        stop();
        grid.confirmPick(key, confirmedVersion);
        await activate(key, capability, pick.modelId, confirmedVersion, reason);
      },
    });
    stop();
    return done;
  }

  async function activate(key, capability, modelId, expectedVersion, reason) {
    grid.clearNotice(key);
    grid.setBusy(key, true);
    try {
      const data = await ctx.api(ACTIVATE, { input: withReason({ modelId, capabilities: [capability], expectedVersion }, reason) });
      const { changes } = data.activateModel;
      // Not taken as the subscription cursor: changes committed by others just before ours may
      // still be on their way over the socket, and `since` must not skip them.
      for (const change of changes) grid.applyChange(change, { highlight: true });
      if (changes.length === 0) grid.showNotice(key, 'note', [t('slots.nothingChanged')]);
    } catch (err) {
      if (err instanceof ApiError && err.hasCode('CONFLICT')) {
        // One message, naming the current holder: refresh the slot first, then say what it holds.
        await refreshSlot(key);
        grid.showNotice(key, 'conflict');
      } else {
        grid.showNotice(key, 'error', ctx.describeErrors(err).map(errorText));
      }
    } finally {
      grid.setBusy(key, false);
    }
  }

  async function clearSlot(key) {
    const slot = grid.slot(key);
    const holder = slot.model;
    if (!ctx.session || !holder) return;
    const [slug, capability] = key.split(':');
    grid.clearNotice(key);
    await confirmDialog({
      title: t('clear.title', { where: grid.where(key) }),
      body: [
        h(
          'p',
          { class: 'warning' },
          t('clear.body', {
            model: modelLabel(holder),
            capability: capLabel(capability),
            provider: grid.provider(slug)?.name ?? slug,
          }),
        ),
      ],
      confirmLabel: t('clear.confirm'),
      fields: [reasonField()],
      describeError: ctx.describeErrors,
      onConfirm: async ({ reason }) => {
        const data = await ctx.api(DEACTIVATE, { input: withReason({ modelId: holder.id, capabilities: [capability] }, reason) });
        const { changes } = data.deactivateModel;
        for (const change of changes) grid.applyChange(change, { highlight: true });
        if (changes.length === 0) {
          await refreshSlot(key);
          grid.showNotice(key, 'note', [t('slots.clearGone', { model: modelLabel(holder) })]);
        }
      },
    });
  }

  async function refreshSlot(key) {
    try {
      await lookupSlots([key]);
    } catch (err) {
      grid.showNotice(key, 'error', [t('slots.refreshFailed'), ...ctx.describeErrors(err).map(errorText)]);
    }
  }

  return {
    id: 'slots',
    navKey: 'nav.slots',
    section: v.section,
    grid,
    stale: true,
    load,
    show() {
      load();
    },
    setReadOnly(value) {
      readOnly.hidden = !value;
      grid.setReadOnly(value);
    },
    reset() {
      seq += 1;
      grid.clear();
      v.hideError();
    },
    onLocale() {
      paintStatic();
      grid.render();
    },
    onChange(change) {
      grid.applyChange(change, { highlight: true });
      if (!grid.hasProvider(change.provider.slug) || (change.model && !grid.knowsModel(change.provider.slug, change.model.id))) {
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => load(), 300); // a provider or model this page has not loaded yet
      }
    },
  };
}

/** The server's message as it came, with its code. */
export function errorText({ message, code }) {
  return code ? `${message} (${code})` : message;
}
