// Providers and their models: create and edit providers (the shared key is write-only: only
// its hint is shown), create, edit and delete models with their capabilities. MEMBER: read-only.

import { CAPABILITIES } from '../api.js';
import { CREATE_MODEL, CREATE_PROVIDER, DELETE_MODEL, PROVIDERS, UPDATE_MODEL, UPDATE_PROVIDER } from '../documents.js';
import { fill, confirmDialog, dataTable, formDialog, h } from '../dom.js';
import { capLabel, list, t } from '../i18n.js';
import { emptyNote, viewSection } from './common.js';

const API_STYLES = ['OPENAI', 'ANTHROPIC'];

export function createProvidersView(ctx) {
  const v = viewSection('providers', 'nav.providers');
  const newProvider = h('button', { type: 'button', class: 'primary', id: 'new-provider' });
  newProvider.addEventListener('click', () => editProvider(null));
  v.toolbar.append(newProvider);
  let providers = [];
  let seq = 0;

  async function load() {
    const mine = ++seq;
    try {
      const data = await ctx.api(PROVIDERS);
      if (mine !== seq) return;
      providers = data.providers;
      v.hideError();
      render();
    } catch (err) {
      if (ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    }
  }

  function render() {
    v.retitle();
    newProvider.textContent = t('providers.new');
    newProvider.hidden = !ctx.isAdmin;
    if (providers.length === 0) {
      fill(v.body, emptyNote(t('providers.empty')));
      return;
    }
    const admin = ctx.isAdmin;
    const yesNo = (b) => (b ? t('yes') : t('no'));
    fill(
      v.body,
      !admin ? h('p', { class: 'hint' }, t('readOnly')) : null,
      dataTable({
        caption: t('providers.title'),
        rowAttrs: (p) => ({ 'data-provider': p.slug }),
        columns: [
          { label: t('providers.name'), cell: (p) => h('strong', {}, p.name) },
          { label: t('providers.slug'), cell: (p) => h('code', {}, p.slug) },
          { label: t('providers.baseUrl'), class: 'wrap', cell: (p) => (p.baseUrl ? h('code', { dir: 'ltr' }, p.baseUrl) : '—') },
          { label: t('providers.apiStyle'), cell: (p) => p.apiStyle },
          { label: t('providers.sharedKey'), cell: (p) => h('span', { class: 'key-hint', dir: 'ltr' }, p.sharedApiKeyHint ?? t('none')) },
          { label: t('providers.sharedEnabledShort'), cell: (p) => yesNo(p.sharedApiEnabled) },
          {
            label: t('actions'),
            class: 'actions',
            cell: (p) =>
              admin
                ? [
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'secondary edit-provider',
                        'aria-label': t('providers.edit', { name: p.name }),
                        onclick: () => editProvider(p),
                      },
                      t('edit'),
                    ),
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'secondary new-model',
                        'aria-label': t('models.newFor', { provider: p.name }),
                        onclick: () => editModel(p, null),
                      },
                      t('models.new'),
                    ),
                  ]
                : '—',
          },
        ],
        rows: providers,
      }),
      providers.map((p) =>
        h(
          'section',
          { class: 'models', 'data-provider': p.slug, 'aria-labelledby': `models-${p.slug}` },
          h('h3', { id: `models-${p.slug}` }, t('models.of', { provider: p.name })),
          p.models.length === 0
            ? emptyNote(t('models.empty'))
            : dataTable({
                caption: t('models.of', { provider: p.name }),
                rowAttrs: (m) => ({ 'data-model': m.name }),
                columns: [
                  { label: t('models.displayName'), cell: (m) => h('strong', {}, m.displayName) },
                  { label: t('models.name'), cell: (m) => h('code', {}, m.name) },
                  { label: t('models.modelId'), class: 'wrap', cell: (m) => h('code', { dir: 'ltr' }, m.modelId) },
                  { label: t('models.capabilities'), cell: (m) => chips(m.capabilities) },
                  { label: t('models.active'), cell: (m) => (m.activeCapabilities.length ? chips(m.activeCapabilities, 'active') : '—') },
                  {
                    label: t('actions'),
                    class: 'actions',
                    cell: (m) =>
                      admin
                        ? [
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'secondary edit-model',
                                'aria-label': t('models.edit', { name: m.displayName }),
                                onclick: () => editModel(p, m),
                              },
                              t('edit'),
                            ),
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'danger-outline delete-model',
                                'aria-label': t('models.deleteTitle', { name: m.displayName }),
                                onclick: () => deleteModel(m),
                              },
                              t('delete'),
                            ),
                          ]
                        : '—',
                  },
                ],
                rows: p.models,
              }),
        ),
      ),
    );
  }

  async function editProvider(p) {
    const creating = p === null;
    const fields = [
      ...(creating ? [{ name: 'slug', label: t('providers.slug'), required: true, hint: t('providers.slugHint'), ltr: true }] : []),
      { name: 'name', label: t('providers.name'), required: true, value: p?.name },
      { name: 'baseUrl', label: t('providers.baseUrl'), type: 'url', value: p?.baseUrl ?? '', ltr: true, placeholder: 'https://' },
      {
        name: 'apiStyle',
        label: t('providers.apiStyle'),
        type: 'select',
        value: p?.apiStyle ?? 'OPENAI',
        options: API_STYLES.map((s) => ({ value: s, label: s })),
      },
      {
        name: 'sharedApiKey',
        label: t('providers.sharedKeyNew'),
        type: 'password',
        ltr: true,
        hint: [
          p?.sharedApiKeyHint ? t('providers.sharedKeyKeep', { hint: p.sharedApiKeyHint }) : creating ? '' : t('providers.sharedKeyNone'),
          t('providers.sharedKeyHint'),
        ]
          .filter(Boolean)
          .join(' '),
      },
      ...(p?.hasSharedApiKey ? [{ name: 'removeKey', label: t('providers.sharedKeyRemove'), type: 'checkbox' }] : []),
      { name: 'sharedApiEnabled', label: t('providers.sharedEnabled'), type: 'checkbox', value: p?.sharedApiEnabled ?? false },
    ];
    const saved = await formDialog({
      title: creating ? t('providers.new') : t('providers.edit', { name: p.name }),
      fields,
      submitLabel: creating ? t('create') : t('save'),
      describeError: ctx.describeErrors,
      onSubmit: async (values) => {
        if (creating) {
          const input = { slug: values.slug, name: values.name, apiStyle: values.apiStyle, sharedApiEnabled: values.sharedApiEnabled };
          if (values.baseUrl) input.baseUrl = values.baseUrl;
          if (values.sharedApiKey) input.sharedApiKey = values.sharedApiKey;
          await ctx.api(CREATE_PROVIDER, { input });
        } else {
          const input = {
            slug: p.slug,
            name: values.name,
            apiStyle: values.apiStyle,
            sharedApiEnabled: values.sharedApiEnabled,
            baseUrl: values.baseUrl,
          };
          if (values.removeKey) input.sharedApiKey = '';
          else if (values.sharedApiKey) input.sharedApiKey = values.sharedApiKey;
          await ctx.api(UPDATE_PROVIDER, { input });
        }
      },
    });
    if (saved) changed();
  }

  async function editModel(p, m) {
    const creating = m === null;
    const saved = await formDialog({
      title: creating ? t('models.newFor', { provider: p.name }) : t('models.edit', { name: m.displayName }),
      fields: [
        ...(creating ? [{ name: 'name', label: t('models.name'), required: true, hint: t('models.nameHint'), ltr: true }] : []),
        { name: 'displayName', label: t('models.displayName'), value: m?.displayName ?? '' },
        { name: 'modelId', label: t('models.modelId'), required: true, value: m?.modelId ?? '', ltr: true },
        {
          name: 'capabilities',
          label: t('models.capabilities'),
          type: 'checkboxes',
          required: true,
          requiredMessage: t('models.pickCapability'),
          value: m?.capabilities ?? [],
          options: CAPABILITIES.map((c) => ({ value: c, label: capLabel(c) })),
        },
        ...(creating ? [{ name: 'active', label: t('models.activate'), type: 'checkbox' }] : []),
      ],
      submitLabel: creating ? t('create') : t('save'),
      describeError: ctx.describeErrors,
      onSubmit: async (values) => {
        if (creating) {
          const input = {
            provider: p.slug,
            name: values.name,
            modelId: values.modelId,
            capabilities: values.capabilities,
            active: values.active,
          };
          if (values.displayName) input.displayName = values.displayName;
          await ctx.api(CREATE_MODEL, { input });
        } else {
          const input = { id: m.id, modelId: values.modelId, capabilities: values.capabilities };
          if (values.displayName) input.displayName = values.displayName;
          await ctx.api(UPDATE_MODEL, { input });
        }
      },
    });
    if (saved) changed();
  }

  async function deleteModel(m) {
    const slots = m.activeCapabilities.map(capLabel);
    const done = await confirmDialog({
      title: t('models.deleteTitle', { name: m.displayName }),
      body: [h('p', { class: 'warning' }, slots.length ? t('models.deleteBody', { slots: list(slots) }) : t('models.deleteBodyIdle'))],
      confirmLabel: t('models.deleteConfirm'),
      describeError: ctx.describeErrors,
      onConfirm: () => ctx.api(DELETE_MODEL, { id: m.id }),
    });
    if (done) changed();
  }

  function changed() {
    ctx.invalidate();
    load();
  }

  return {
    id: 'providers',
    navKey: 'nav.providers',
    section: v.section,
    stale: true,
    show() {
      load();
    },
    reset() {
      seq += 1;
      providers = [];
      fill(v.body);
      v.hideError();
    },
    onLocale() {
      render();
    },
  };
}

export function chips(capabilities, kind = '') {
  return h(
    'span',
    { class: 'chips' },
    capabilities.map((c) => h('span', { class: `chip ${kind}`, 'data-capability': c }, capLabel(c))),
  );
}
