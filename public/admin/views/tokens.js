// A user's tokens: list (never a secret), create (the secret shown once, with a copy button),
// revoke (with a confirmation). Used by "Users & tokens" (ADMIN, anyone's) and "My account".

import { CREATE_TOKEN, REVOKE_TOKEN } from '../documents.js';
import { confirmDialog, copyField, dataTable, formDialog, h, messageDialog, timeEl } from '../dom.js';
import { t } from '../i18n.js';
import { emptyNote } from './common.js';

/**
 * @param ctx       the console context
 * @param user      { id, name, apiTokens }
 * @param opts      { title, forSelf, onChanged() }
 */
export function tokensPanel(ctx, user, { title, forSelf = false, onChanged }) {
  const newToken = h(
    'button',
    { type: 'button', class: 'primary new-token', 'aria-label': forSelf ? t('tokens.new') : t('tokens.newFor', { name: user.name }) },
    t('tokens.new'),
  );
  newToken.addEventListener('click', async () => {
    const created = await formDialog({
      title: forSelf ? t('tokens.new') : t('tokens.newFor', { name: user.name }),
      fields: [{ name: 'name', label: t('tokens.name'), required: true }],
      submitLabel: t('create'),
      describeError: ctx.describeErrors,
      onSubmit: async ({ name }) => {
        const input = forSelf ? { name } : { name, userId: user.id };
        return (await ctx.api(CREATE_TOKEN, { input })).createApiToken;
      },
    });
    if (!created) return;
    await messageDialog({
      title: t('tokens.createdTitle', { name: created.apiToken.name }),
      body: [h('p', { class: 'warning' }, t('tokens.shownOnce')), copyField(t('tokens.secret'), created.token)],
    });
    onChanged();
  });

  const revoke = async (token) => {
    const done = await confirmDialog({
      title: t('tokens.revokeTitle', { name: token.name }),
      body: [h('p', { class: 'warning' }, t('tokens.revokeBody'))],
      confirmLabel: t('tokens.revokeConfirm'),
      describeError: ctx.describeErrors,
      onConfirm: () => ctx.api(REVOKE_TOKEN, { id: token.id }),
    });
    if (done) onChanged();
  };

  return h(
    'section',
    { class: 'tokens', 'data-user': user.name, 'aria-label': title },
    h('div', { class: 'section-head' }, h('h3', {}, title), h('div', { class: 'toolbar' }, newToken)),
    user.apiTokens.length === 0
      ? emptyNote(t('tokens.empty'))
      : dataTable({
          caption: title,
          rowAttrs: (k) => ({ 'data-token': k.name, 'data-status': k.revokedAt ? 'revoked' : 'active' }),
          columns: [
            { label: t('tokens.name'), cell: (k) => h('strong', {}, k.name) },
            { label: t('tokens.created'), cell: (k) => timeEl(k.createdAt) },
            { label: t('tokens.lastUsed'), cell: (k) => (k.lastUsedAt ? timeEl(k.lastUsedAt) : t('tokens.never')) },
            {
              label: t('tokens.status'),
              cell: (k) =>
                k.revokedAt
                  ? h('span', { class: 'badge revoked' }, t('tokens.revoked'), ' ', timeEl(k.revokedAt))
                  : h('span', { class: 'badge ok' }, t('tokens.active')),
            },
            {
              label: t('actions'),
              class: 'actions',
              cell: (k) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger-outline revoke',
                    disabled: Boolean(k.revokedAt) || undefined,
                    'aria-label': t('tokens.revokeLabel', { name: k.name }),
                    onclick: () => revoke(k),
                  },
                  t('tokens.revoke'),
                ),
            },
          ],
          rows: user.apiTokens,
        }),
  );
}
