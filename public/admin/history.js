// The activation history panel: newest first, paged with "Load more", live changes prepended.

import { CAPABILITIES, describeErrors } from './api.js';
import { flash, h, modelLabel, timeEl } from './dom.js';

const PAGE_SIZE = 20;

export class HistoryPanel {
  /**
   * @param {{ provider: HTMLSelectElement, capability: HTMLSelectElement, list: HTMLOListElement,
   *           more: HTMLButtonElement, error: HTMLElement, empty: HTMLElement }} els
   * @param {(vars: object) => Promise<object>} load  runs activationHistory, resolves to the connection
   */
  constructor(els, load) {
    this.els = els;
    this.load = load;
    this.seen = new Set();
    this.endCursor = null;
    this.seq = 0;
    els.capability.replaceChildren(
      h('option', { value: '' }, 'All capabilities'),
      ...CAPABILITIES.map((c) => h('option', { value: c }, c)),
    );
    els.provider.addEventListener('change', () => this.reload());
    els.capability.addEventListener('change', () => this.reload());
    els.more.addEventListener('click', () => this.fetchPage(true));
  }

  get filter() {
    return { provider: this.els.provider.value, capability: this.els.capability.value || null };
  }

  /** Fill the provider filter; reloads (and returns true) only when the selected provider changes. */
  setProviders(providers) {
    const previous = this.els.provider.value;
    this.els.provider.replaceChildren(...providers.map((p) => h('option', { value: p.slug }, p.name)));
    if (providers.some((p) => p.slug === previous)) this.els.provider.value = previous;
    this.els.provider.disabled = providers.length === 0;
    if (this.els.provider.value === previous) return false;
    this.reload();
    return true;
  }

  reload() {
    this.seen.clear();
    this.endCursor = null;
    this.els.list.replaceChildren();
    this.els.more.hidden = true;
    return this.fetchPage(false);
  }

  async fetchPage(append) {
    const { provider, capability } = this.filter;
    const seq = ++this.seq;
    this.els.error.hidden = true;
    this.els.empty.hidden = true;
    if (!provider) return;
    this.els.more.disabled = true;
    this.els.list.setAttribute('aria-busy', 'true');
    try {
      const connection = await this.load({
        provider,
        capability,
        first: PAGE_SIZE,
        after: append ? this.endCursor : null,
      });
      if (seq !== this.seq) return; // the filter changed meanwhile
      for (const { node } of connection.edges) this.add(node, 'append');
      this.endCursor = connection.pageInfo.endCursor;
      this.els.more.hidden = !connection.pageInfo.hasNextPage;
      this.els.empty.hidden = this.els.list.children.length > 0;
    } catch (err) {
      if (seq !== this.seq) return;
      this.els.error.textContent = `Could not load the history: ${describeErrors(err).join('; ')}`;
      this.els.error.hidden = false;
    } finally {
      if (seq === this.seq) {
        this.els.more.disabled = false;
        this.els.list.removeAttribute('aria-busy');
      }
    }
  }

  /** A change seen live (subscription or our own mutation): prepend it when it matches the filter. */
  addLive(change) {
    const { provider, capability } = this.filter;
    if (change.provider?.slug !== provider) return;
    if (capability && change.capability !== capability) return;
    const item = this.add(change, 'prepend');
    if (item) {
      this.els.empty.hidden = true;
      flash(item);
    }
  }

  add(change, where) {
    if (this.seen.has(change.cursor)) return null;
    this.seen.add(change.cursor);
    const item = h('li', { dataset: { cursor: change.cursor, capability: change.capability, version: String(change.version) } },
      h('span', { class: 'h-slot' }, h('strong', {}, change.capability), ` v${change.version}`),
      h('span', { class: 'h-change' },
        h('span', { class: 'h-previous' }, modelLabel(change.previousModel)),
        h('span', { 'aria-hidden': 'true' }, ' → '),
        h('span', { class: 'visually-hidden' }, ' replaced by '),
        h('span', { class: 'h-model' }, modelLabel(change.model)),
      ),
      h('span', { class: 'h-when' }, timeEl(change.changedAt), change.changedBy ? ` by ${change.changedBy}` : ''),
    );
    if (where === 'prepend') this.els.list.prepend(item);
    else this.els.list.append(item);
    return item;
  }

  clear() {
    this.seq += 1;
    this.seen.clear();
    this.endCursor = null;
    this.els.list.replaceChildren();
    this.els.provider.replaceChildren();
    this.els.more.hidden = true;
    this.els.error.hidden = true;
    this.els.empty.hidden = true;
  }
}
