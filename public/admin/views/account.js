// My account: who I am, my tokens, my personal API keys per provider (with useSharedApi).

import { MY_ACCOUNT, REMOVE_PERSONAL_KEY, SET_PERSONAL_KEY } from '../documents.js';
import { fill, confirmDialog, dataTable, formDialog, h, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { emptyNote, viewSection } from './common.js';
import { tokensPanel } from './tokens.js';

export function createAccountView(ctx) {
  const v = viewSection('account', 'nav.account');
  let data = null;
  let seq = 0;

  async function load() {
    const mine = ++seq;
    try {
      const answer = await ctx.api(MY_ACCOUNT);
      if (mine !== seq) return;
      data = answer;
      v.hideError();
      render();
    } catch (err) {
      if (ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    }
  }

  async function setKey(provider, key) {
    const saved = await formDialog({
      title: t('account.setKeyTitle', { provider: provider.name }),
      fields: [
        { name: 'apiKey', label: t('account.apiKey'), type: 'password', required: true, hint: t('account.apiKeyHint'), ltr: true },
        { name: 'useSharedApi', label: t('account.useShared'), type: 'checkbox', value: key?.useSharedApi ?? false },
      ],
      submitLabel: t('save'),
      describeError: ctx.describeErrors,
      onSubmit: (values) => ctx.api(SET_PERSONAL_KEY, { input: { provider: provider.slug, ...values } }),
    });
    if (saved) await load();
  }

  async function setPreference(provider, useSharedApi, box) {
    box.disabled = true;
    try {
      await ctx.api(SET_PERSONAL_KEY, { input: { provider: provider.slug, useSharedApi } });
      await load();
    } catch (err) {
      box.checked = !useSharedApi;
      v.showError(t('errorPrefix'), ctx.describeErrors(err));
    } finally {
      box.disabled = false;
    }
  }

  async function removeKey(provider) {
    const done = await confirmDialog({
      title: t('account.removeTitle', { provider: provider.name }),
      body: [h('p', { class: 'warning' }, t('account.removeBody', { provider: provider.name }))],
      confirmLabel: t('account.removeConfirm'),
      describeError: ctx.describeErrors,
      onConfirm: () => ctx.api(REMOVE_PERSONAL_KEY, { provider: provider.slug }),
    });
    if (done) await load();
  }

  function render() {
    v.retitle();
    if (!data) return;
    const me = data.viewer;
    const keys = new Map(me.personalApiKeys.map((k) => [k.provider.slug, k]));
    fill(
      v.body,
      h(
        'p',
        { class: 'account-who' },
        t('account.you', { name: me.name, role: t(`role.${me.role}`) }),
        ' ',
        t('account.shared', { value: me.canUseSharedApi ? t('yes') : t('no') }),
      ),
      tokensPanel(ctx, me, { title: t('tokens.mine'), forSelf: true, onChanged: () => load() }),
      h(
        'section',
        { class: 'personal-keys', 'aria-labelledby': 'personal-keys-title' },
        h('h3', { id: 'personal-keys-title' }, t('account.keys')),
        h('p', { class: 'hint' }, t('account.keysHelp')),
        data.providers.length === 0
          ? emptyNote(t('account.noProviders'))
          : dataTable({
              caption: t('account.keys'),
              rowAttrs: (p) => ({ 'data-provider': p.slug }),
              columns: [
                { label: t('account.provider'), cell: (p) => h('strong', {}, p.name) },
                {
                  label: t('account.key'),
                  cell: (p) => {
                    const key = keys.get(p.slug);
                    return key
                      ? [h('span', { class: 'key-hint', dir: 'ltr' }, key.keyHint), ' · ', timeEl(key.updatedAt)]
                      : h('span', { class: 'muted' }, t('account.noKey'));
                  },
                },
                {
                  label: t('account.useShared'),
                  cell: (p) => {
                    const key = keys.get(p.slug);
                    const id = `use-shared-${p.slug}`;
                    const box = h('input', {
                      type: 'checkbox',
                      id,
                      class: 'use-shared',
                      checked: key?.useSharedApi ?? false,
                      disabled: !key || undefined,
                    });
                    box.addEventListener('change', () => setPreference(p, box.checked, box));
                    return h(
                      'span',
                      { class: 'check' },
                      box,
                      h('label', { for: id, class: 'visually-hidden' }, `${t('account.useShared')}: ${p.name}`),
                    );
                  },
                },
                {
                  label: t('actions'),
                  class: 'actions',
                  cell: (p) => {
                    const key = keys.get(p.slug);
                    return [
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary set-key',
                          'aria-label': t('account.setKeyTitle', { provider: p.name }),
                          onclick: () => setKey(p, key),
                        },
                        key ? t('account.replaceKey') : t('account.setKey'),
                      ),
                      key
                        ? h(
                            'button',
                            {
                              type: 'button',
                              class: 'danger-outline remove-key',
                              'aria-label': t('account.removeKeyLabel', { provider: p.name }),
                              onclick: () => removeKey(p),
                            },
                            t('account.removeKey'),
                          )
                        : null,
                    ];
                  },
                },
              ],
              rows: data.providers,
            }),
      ),
    );
  }

  return {
    id: 'account',
    navKey: 'nav.account',
    section: v.section,
    stale: true,
    show() {
      load();
    },
    reset() {
      seq += 1;
      data = null;
      fill(v.body);
      v.hideError();
    },
    onLocale() {
      render();
    },
  };
}
