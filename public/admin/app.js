// Switchboard admin console: sign-in, the active-model grid, history, and live updates.
// Plain ES modules, no build step; served at /admin/.

import {
  ACTIVATE, ACTIVE_MODEL_CHANGED, DEACTIVATE, HISTORY, PROVIDERS, VIEWER,
  ApiError, describeErrors, errorCodes, graphqlWsUrl, latestChangesDocument, request,
} from './api.js';
import { Grid } from './grid.js';
import { HistoryPanel } from './history.js';
import { startLive } from './live.js';

const TOKEN_KEY = 'switchboard.adminToken';
const LOOKUP_BATCH = 40; // aliased history lookups per request

const $ = (selector) => document.querySelector(selector);
const els = {
  signInPanel: $('#sign-in-panel'),
  signInForm: $('#sign-in-form'),
  token: $('#token'),
  signIn: $('#sign-in'),
  signInError: $('#sign-in-error'),
  console: $('#console'),
  viewer: $('#viewer'),
  signOut: $('#sign-out'),
  liveStatus: $('#live-status'),
  banner: $('#error'),
  readOnly: $('#read-only-note'),
  refresh: $('#refresh'),
  gridEmpty: $('#grid-empty'),
  announcer: $('#announcer'),
};

/** The signed-in session; replaced on sign-out so late answers of an old session are ignored. */
let session = null;

const grid = new Grid($('#grid'), { onSwitch: switchSlot, onClear: clearSlot });
const history = new HistoryPanel(
  {
    provider: $('#history-provider'),
    capability: $('#history-capability'),
    list: $('#history-list'),
    more: $('#history-more'),
    error: $('#history-error'),
    empty: $('#history-empty'),
  },
  async (variables) => (await request(requireSession().token, HISTORY, variables)).activationHistory,
);

function requireSession() {
  if (!session) throw new ApiError([{ message: 'Signed out.', extensions: { code: 'UNAUTHENTICATED' } }]);
  return session;
}

// ── Banner and status ─────────────────────────────────────────────────────────

function showBanner(title, err) {
  els.banner.replaceChildren(title, ...describeErrors(err).map((line) => {
    const span = document.createElement('span');
    span.textContent = line;
    return span;
  }));
  els.banner.hidden = false;
}

function hideBanner() {
  els.banner.hidden = true;
  els.banner.replaceChildren();
}

const STATUS_TEXT = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting', error: 'error', offline: 'offline' };

function setLiveStatus(state, detail) {
  els.liveStatus.dataset.state = state;
  els.liveStatus.textContent = STATUS_TEXT[state] ?? state;
  els.liveStatus.title = detail ? `Live updates: ${state} (${detail})` : `Live updates: ${state}`;
}

function announce(text) {
  els.announcer.textContent = text;
}

// ── Sign-in ───────────────────────────────────────────────────────────────────

function normalizeToken(raw) {
  return raw.trim().replace(/^bearer\s+/i, '');
}

function showSignInError(lines) {
  els.signInError.replaceChildren(...lines.map((line) => {
    const span = document.createElement('span');
    span.textContent = line;
    return span;
  }));
  els.signInError.hidden = lines.length === 0;
}

async function signIn(rawToken, { stored = false } = {}) {
  const token = normalizeToken(rawToken);
  if (!token) {
    showSignInError(['Enter an API token.']);
    return;
  }
  showSignInError([]);
  els.signIn.disabled = true;
  els.signInForm.setAttribute('aria-busy', 'true');
  let viewer;
  try {
    ({ viewer } = await request(token, VIEWER));
  } catch (err) {
    const rejected = err instanceof ApiError && err.hasCode('UNAUTHENTICATED');
    if (stored && rejected) localStorage.removeItem(TOKEN_KEY);
    // Keep a stored token in the field when the server was merely unreachable: one click retries.
    if (stored && !rejected) els.token.value = token;
    showSignInError([stored ? 'Could not sign in with the saved token:' : 'Could not sign in:', ...describeErrors(err)]);
    showSignedOut();
    return;
  } finally {
    els.signIn.disabled = false;
    els.signInForm.removeAttribute('aria-busy');
  }

  localStorage.setItem(TOKEN_KEY, token);
  els.token.value = '';
  session = { token, viewer, lastCursor: null, gridSeq: 0, live: null, refreshTimer: null };
  showSignedIn(viewer);
  loadGrid();
  startLiveUpdates(session);
}

function signOut() {
  const s = session;
  session = null;
  if (s) {
    clearTimeout(s.refreshTimer);
    s.live?.stop();
  }
  localStorage.removeItem(TOKEN_KEY);
  grid.clear();
  history.clear();
  hideBanner();
  showSignInError([]);
  showSignedOut();
}

function showSignedIn(viewer) {
  els.signInPanel.hidden = true;
  els.console.hidden = false;
  els.viewer.textContent = `${viewer.name} (${viewer.role})`;
  els.viewer.hidden = false;
  els.signOut.hidden = false;
  const readOnly = viewer.role !== 'ADMIN';
  els.readOnly.hidden = !readOnly;
  grid.setReadOnly(readOnly);
}

function showSignedOut() {
  els.console.hidden = true;
  els.signInPanel.hidden = false;
  els.viewer.hidden = true;
  els.signOut.hidden = true;
  setLiveStatus('offline');
  els.token.focus();
}

// ── Grid ──────────────────────────────────────────────────────────────────────

async function loadGrid({ reloadHistory = false } = {}) {
  const s = session;
  if (!s) return;
  const seq = ++s.gridSeq;
  els.refresh.disabled = true;
  try {
    const { providers } = await request(s.token, PROVIDERS);
    if (s !== session || seq !== s.gridSeq) return; // a newer load or a sign-out won
    hideBanner();
    const absent = grid.setProviders(providers);
    els.gridEmpty.hidden = providers.length > 0;
    const historyReloaded = history.setProviders(providers);
    if (reloadHistory && !historyReloaded) history.reload();
    await lookupSlots(s, absent);
  } catch (err) {
    if (s === session) showBanner('Could not load the providers.', err);
  } finally {
    if (s === session && seq === s.gridSeq) els.refresh.disabled = false;
  }
}

/** Fetch the latest change of each slot (exact version of emptied slots; conflict refresh). */
async function lookupSlots(s, keys) {
  const batches = [];
  for (let i = 0; i < keys.length; i += LOOKUP_BATCH) batches.push(keys.slice(i, i + LOOKUP_BATCH));
  await Promise.all(batches.map(async (batch) => {
    const slots = batch.map((key) => {
      const [provider, capability] = key.split(':');
      return { provider, capability };
    });
    const { query, variables } = latestChangesDocument(slots);
    const data = await request(s.token, query, variables);
    if (s !== session) return;
    batch.forEach((key, i) => {
      const node = data[`s${i}`]?.edges[0]?.node;
      if (node) grid.applyChange(node);
    });
  }));
}

function refreshGridSoon() {
  const s = session;
  if (!s) return;
  clearTimeout(s.refreshTimer);
  s.refreshTimer = setTimeout(() => loadGrid(), 300);
}

function recordChanges(changes, { highlight }) {
  for (const change of changes) {
    grid.applyChange(change, { highlight });
    history.addLive(change);
  }
}

async function switchSlot(key, modelId) {
  const s = session;
  if (!s || !modelId) return;
  const capability = key.split(':')[1];
  const expectedVersion = grid.slot(key).version;
  grid.clearError(key);
  grid.setBusy(key, true);
  try {
    const data = await request(s.token, ACTIVATE, { input: { modelId, capabilities: [capability], expectedVersion } });
    if (s !== session) return;
    const { changes } = data.activateModel;
    // Not taken as the subscription cursor: changes committed by others just before ours may
    // still be on their way over the socket, and `since` must not skip them.
    recordChanges(changes, { highlight: true });
    if (changes.length === 0) grid.showError(key, ['Nothing changed: that model already holds this slot.'], 'note');
  } catch (err) {
    if (s !== session) return;
    if (err instanceof ApiError && err.hasCode('CONFLICT')) {
      grid.showError(key, [
        `Conflict: this slot changed after you saw v${expectedVersion}. It now shows the current model; check it and switch again.`,
        ...describeErrors(err),
      ], 'conflict');
      await refreshSlot(s, key);
    } else {
      grid.showError(key, describeErrors(err));
    }
  } finally {
    if (s === session) grid.setBusy(key, false);
  }
}

async function clearSlot(key) {
  const s = session;
  const holder = grid.slot(key).model;
  if (!s || !holder) return;
  const capability = key.split(':')[1];
  grid.clearError(key);
  grid.setBusy(key, true);
  try {
    const data = await request(s.token, DEACTIVATE, { input: { modelId: holder.id, capabilities: [capability] } });
    if (s !== session) return;
    const { changes } = data.deactivateModel;
    recordChanges(changes, { highlight: true });
    if (changes.length === 0) {
      grid.showError(key, [`Nothing changed: ${holder.displayName || holder.name} no longer held this slot. It has been refreshed.`], 'conflict');
      await refreshSlot(s, key);
    }
  } catch (err) {
    if (s !== session) return;
    grid.showError(key, describeErrors(err));
  } finally {
    if (s === session) grid.setBusy(key, false);
  }
}

async function refreshSlot(s, key) {
  try {
    await lookupSlots(s, [key]);
  } catch (err) {
    if (s === session) grid.showError(key, ['Could not refresh this slot:', ...describeErrors(err)]);
  }
}

// ── Live updates ──────────────────────────────────────────────────────────────

function startLiveUpdates(s) {
  s.live = startLive({
    url: graphqlWsUrl(),
    connectionParams: () => ({
      authorization: `Bearer ${s.token}`,
      locale: (navigator.language || 'en').split('-')[0],
    }),
    query: ACTIVE_MODEL_CHANGED,
    // After a reconnect, `since` replays what was missed, with no gap and no duplicate.
    variables: () => (s.lastCursor ? { since: s.lastCursor } : {}),
    onStatus(state, detail) {
      if (s !== session) return;
      setLiveStatus(state, detail);
      if (state === 'live' && !s.lastCursor) {
        // Nothing to replay from: reload, so changes made before the subscription started are not missed.
        loadGrid({ reloadHistory: true });
      }
      if (state === 'offline' && detail) {
        showBanner('Live updates were refused by the server; sign in again.', [{ message: detail }]);
      }
    },
    onNext(data) {
      if (s !== session) return;
      const change = data.activeModelChanged;
      if (!change) return;
      s.lastCursor = change.cursor;
      recordChanges([change], { highlight: true });
      if (!grid.hasProvider(change.provider.slug) || (change.model && !grid.knowsModel(change.provider.slug, change.model.id))) {
        refreshGridSoon(); // a provider or model this page has not loaded yet
      }
      announce(`${change.capability} at ${change.provider.slug} is now ${change.model ? change.model.displayName || change.model.name : 'empty'} (v${change.version}).`);
    },
    onErrors(errors, { fatal }) {
      if (s !== session) return;
      if (fatal && s.lastCursor && errorCodes(errors).includes('BAD_USER_INPUT')) {
        // The saved cursor was refused: start afresh (the grid reloads when live again).
        s.lastCursor = null;
        s.live.resubscribe();
        return;
      }
      showBanner(fatal ? 'Live updates stopped:' : 'Live update error:', errors);
    },
  });
}

// ── Wiring ────────────────────────────────────────────────────────────────────

els.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(els.token.value);
});
els.signOut.addEventListener('click', signOut);
els.refresh.addEventListener('click', () => loadGrid({ reloadHistory: true }));

setLiveStatus('offline');
const storedToken = localStorage.getItem(TOKEN_KEY);
if (storedToken) signIn(storedToken, { stored: true });
else showSignedOut();
