// Switchboard admin console: sign-in, navigation between views, live updates, language.
// Plain ES modules, no build step, no dependency: served as is at /admin/ (see docs/console.md).

import { ApiError, describeErrors, errorCodes, graphqlWsUrl, request } from './api.js';
import { ACTIVE_MODEL_CHANGED, VIEWER } from './documents.js';
import { errorLines, h, refreshTimes } from './dom.js';
import { applyDocumentLocale, capLabel, locale, onLocaleChange, setLocale, t, versionLabel } from './i18n.js';
import { startLive } from './live.js';
import { modelLabel } from './grid.js';
import { createSlotsView } from './views/slots.js';
import { createHistoryView } from './views/history.js';
import { createScheduledView } from './views/scheduled.js';
import { createAuditView } from './views/audit.js';
import { createProvidersView } from './views/providers.js';
import { createUsersView } from './views/users.js';
import { createAccountView } from './views/account.js';

const TOKEN_KEY = 'switchboard.adminToken';

const $ = (selector) => document.querySelector(selector);
const els = {
  signInPanel: $('#sign-in-panel'),
  signInForm: $('#sign-in-form'),
  token: $('#token'),
  signIn: $('#sign-in'),
  signInError: $('#sign-in-error'),
  views: $('#views'),
  nav: $('#nav'),
  viewer: $('#viewer'),
  signOut: $('#sign-out'),
  liveStatus: $('#live-status'),
  banner: $('#error'),
  language: $('#language'),
  announcer: $('#announcer'),
};

/** The signed-in session; replaced on sign-out so late answers of an old session are ignored. */
let session = null;

function requireSession() {
  if (!session) throw new ApiError([{ message: 'Signed out.', extensions: { code: 'UNAUTHENTICATED' } }]);
  return session;
}

/** What every view gets: the API bound to the session, the banner, the announcer. */
const ctx = {
  get session() {
    return session;
  },
  get viewer() {
    return session?.viewer ?? null;
  },
  get isAdmin() {
    return session?.viewer.role === 'ADMIN';
  },
  /** Runs an operation for the current session; rejects if the session ended meanwhile. */
  async api(query, variables) {
    const s = requireSession();
    const data = await request(s.token, query, variables);
    if (s !== session) throw new ApiError([{ message: 'Signed out.', extensions: { code: 'UNAUTHENTICATED' } }]);
    return data;
  },
  describeErrors,
  showBanner,
  hideBanner,
  announce,
  /** Loads the providers into the grid (other views read providers and slot versions from it). */
  loadSlots: () => slotsView.load(),
  /** Something changed the providers or models: the views that show them reload when next shown. */
  invalidate() {
    for (const view of views) view.stale = true;
  },
};

// ── Views and navigation ──────────────────────────────────────────────────────

const slotsView = createSlotsView(ctx);
const views = [
  slotsView,
  createHistoryView(ctx, slotsView.grid),
  createScheduledView(ctx, slotsView.grid),
  createAuditView(ctx),
  createProvidersView(ctx),
  createUsersView(ctx),
  createAccountView(ctx),
];
for (const view of views) {
  view.section.hidden = true;
  els.views.append(view.section);
}
let currentView = null;

function visibleViews() {
  return views.filter((v) => !v.adminOnly || ctx.isAdmin);
}

function renderNav() {
  els.nav.replaceChildren(
    ...visibleViews().map((view) =>
      h('a', { href: `#/${view.id}`, 'data-view': view.id, 'aria-current': view === currentView ? 'page' : undefined }, t(view.navKey)),
    ),
  );
  els.nav.setAttribute('aria-label', t('nav.label'));
}

function viewFromHash() {
  const id = location.hash.replace(/^#\/?/, '');
  return visibleViews().find((v) => v.id === id) ?? slotsView;
}

function showView(view, { focus = false } = {}) {
  if (!session) return;
  if (currentView && currentView !== view) currentView.section.hidden = true;
  currentView = view;
  view.section.hidden = false;
  renderNav();
  view.show();
  if (focus) view.section.querySelector('h2')?.focus();
}

window.addEventListener('hashchange', () => showView(viewFromHash(), { focus: true }));

// ── Banner, status, announcer ─────────────────────────────────────────────────

function showBanner(title, err) {
  els.banner.replaceChildren(h('strong', {}, title), ...errorLines(describeErrors(err)));
  els.banner.hidden = false;
}

function hideBanner() {
  els.banner.hidden = true;
  els.banner.replaceChildren();
}

let liveState = ['offline'];
function setLiveStatus(state, detail) {
  liveState = [state, detail];
  els.liveStatus.dataset.state = state;
  els.liveStatus.textContent = t(`live.${state}`);
  els.liveStatus.title = detail ? `${t('live.label')}: ${t(`live.${state}`)} (${detail})` : `${t('live.label')}: ${t(`live.${state}`)}`;
}

function announce(text) {
  els.announcer.textContent = text;
}

// ── Language ──────────────────────────────────────────────────────────────────

function translateStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  els.language.value = locale();
  setLiveStatus(...liveState);
  if (session) els.viewer.textContent = t('viewer', { name: session.viewer.name, role: t(`role.${session.viewer.role}`) });
}

els.language.addEventListener('change', () => setLocale(els.language.value));
onLocaleChange(() => {
  translateStatic();
  renderNav();
  for (const view of views) view.onLocale?.();
  refreshTimes();
});

// ── Sign-in ───────────────────────────────────────────────────────────────────

function normalizeToken(raw) {
  return raw.trim().replace(/^bearer\s+/i, '');
}

function showSignInError(title, err) {
  els.signInError.replaceChildren(...(title ? [h('span', {}, title)] : []), ...(err ? errorLines(describeErrors(err)) : []));
  els.signInError.hidden = !title;
}

async function signIn(rawToken, { stored = false } = {}) {
  const token = normalizeToken(rawToken);
  if (!token) {
    showSignInError(t('signIn.empty'));
    return;
  }
  showSignInError(null);
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
    showSignInError(stored ? t('signIn.failedStored') : t('signIn.failed'), err);
    showSignedOut();
    return;
  } finally {
    els.signIn.disabled = false;
    els.signInForm.removeAttribute('aria-busy');
  }

  localStorage.setItem(TOKEN_KEY, token);
  els.token.value = '';
  session = { token, viewer, lastCursor: null, live: null };
  showSignedIn();
  startLiveUpdates(session);
}

function signOut() {
  const s = session;
  session = null;
  s?.live?.stop();
  localStorage.removeItem(TOKEN_KEY);
  for (const view of views) {
    view.reset();
    view.section.hidden = true;
  }
  currentView = null;
  hideBanner();
  showSignInError(null);
  showSignedOut();
}

function showSignedIn() {
  els.signInPanel.hidden = true;
  els.views.hidden = false;
  els.nav.hidden = false;
  els.viewer.textContent = t('viewer', { name: session.viewer.name, role: t(`role.${session.viewer.role}`) });
  els.viewer.hidden = false;
  els.signOut.hidden = false;
  for (const view of views) view.stale = true;
  slotsView.setReadOnly(!ctx.isAdmin);
  showView(viewFromHash());
}

function showSignedOut() {
  els.views.hidden = true;
  els.nav.hidden = true;
  els.signInPanel.hidden = false;
  els.viewer.hidden = true;
  els.signOut.hidden = true;
  setLiveStatus('offline');
  els.token.focus();
}

// ── Live updates ──────────────────────────────────────────────────────────────

function startLiveUpdates(s) {
  s.live = startLive({
    url: graphqlWsUrl(),
    connectionParams: () => ({ authorization: `Bearer ${s.token}`, locale: locale() }),
    query: ACTIVE_MODEL_CHANGED,
    // After a reconnect, `since` replays what was missed, with no gap and no duplicate.
    variables: () => (s.lastCursor ? { since: s.lastCursor } : {}),
    onStatus(state, detail) {
      if (s !== session) return;
      setLiveStatus(state, detail);
      if (state === 'live' && !s.lastCursor) {
        // Nothing to replay from: reload, so changes made before the subscription started are not missed.
        slotsView.load();
      }
      if (state === 'offline' && detail) showBanner(t('liveRefused'), [{ message: detail }]);
    },
    onNext(data) {
      if (s !== session) return;
      const change = data.activeModelChanged;
      if (!change) return;
      s.lastCursor = change.cursor;
      for (const view of views) view.onChange?.(change);
      announce(
        t('slots.announce', {
          where: t('slots.where', { capability: capLabel(change.capability), provider: change.provider.name ?? change.provider.slug }),
          model: modelLabel(change.model),
          version: versionLabel(change.version),
        }),
      );
    },
    onErrors(errors, { fatal }) {
      if (s !== session) return;
      if (fatal && s.lastCursor && errorCodes(errors).includes('BAD_USER_INPUT')) {
        // The saved cursor was refused: start afresh (the grid reloads when live again).
        s.lastCursor = null;
        s.live.resubscribe();
        return;
      }
      showBanner(fatal ? t('liveStopped') : t('liveError'), errors);
    },
  });
}

// ── Wiring ────────────────────────────────────────────────────────────────────

els.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(els.token.value);
});
els.signOut.addEventListener('click', signOut);

applyDocumentLocale();
translateStatic();
setLiveStatus('offline');
const storedToken = localStorage.getItem(TOKEN_KEY);
if (storedToken) signIn(storedToken, { stored: true });
else showSignedOut();
