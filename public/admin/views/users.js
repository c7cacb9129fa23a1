// Users (ADMIN): list, create, change role and shared-key permission; each user's tokens.

import { CREATE_USER, UPDATE_USER, USERS } from '../documents.js';
import { fill, dataTable, formDialog, h, timeEl } from '../dom.js';
import { num, t } from '../i18n.js';
import { emptyNote, moreButton, viewSection } from './common.js';
import { tokensPanel } from './tokens.js';

const PAGE = 50;
const ROLES = ['ADMIN', 'MEMBER'];

export function createUsersView(ctx) {
  const v = viewSection('users', 'nav.users');
  const newUser = h('button', { type: 'button', class: 'primary', id: 'new-user' });
  v.toolbar.append(newUser);
  const tableBox = h('div', {});
  const tokensBox = h('div', { class: 'tokens-box' });
  const more = moreButton(() => fetchPage(true));
  v.body.append(tableBox, more, tokensBox);
  let users = [];
  let endCursor = null;
  let selected = null; // user id whose tokens are shown
  let seq = 0;

  newUser.addEventListener('click', async () => {
    const created = await formDialog({
      title: t('users.new'),
      fields: [
        { name: 'name', label: t('users.name'), required: true },
        {
          name: 'role',
          label: t('users.role'),
          type: 'select',
          value: 'MEMBER',
          options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })),
        },
        { name: 'canUseSharedApi', label: t('users.canUseSharedApi'), type: 'checkbox', value: true },
      ],
      submitLabel: t('create'),
      describeError: ctx.describeErrors,
      onSubmit: async (input) => (await ctx.api(CREATE_USER, { input })).createUser,
    });
    if (created) {
      selected = created.id;
      await reload();
    }
  });

  async function reload() {
    users = [];
    endCursor = null;
    await fetchPage(false);
  }

  async function fetchPage(append) {
    const mine = ++seq;
    try {
      const data = await ctx.api(USERS, { first: PAGE, after: append ? endCursor : null });
      if (mine !== seq) return;
      const page = data.users;
      users = [...(append ? users : []), ...page.edges.map((e) => e.node)];
      endCursor = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      v.hideError();
      render();
    } catch (err) {
      if (ctx.session) v.showError(t('loadFailed'), ctx.describeErrors(err));
    }
  }

  async function editUser(user) {
    const saved = await formDialog({
      title: t('users.edit', { name: user.name }),
      fields: [
        {
          name: 'role',
          label: t('users.role'),
          type: 'select',
          value: user.role,
          options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })),
        },
        { name: 'canUseSharedApi', label: t('users.canUseSharedApi'), type: 'checkbox', value: user.canUseSharedApi },
      ],
      submitLabel: t('save'),
      describeError: ctx.describeErrors,
      onSubmit: (values) => ctx.api(UPDATE_USER, { input: { id: user.id, ...values } }),
    });
    if (saved) await reload();
  }

  function render() {
    v.retitle();
    newUser.textContent = t('users.new');
    more.textContent = t('loadMore');
    if (users.length === 0) {
      fill(tableBox, emptyNote(t('users.empty')));
      fill(tokensBox);
      return;
    }
    fill(
      tableBox,
      dataTable({
        caption: t('users.title'),
        rowAttrs: (u) => ({ 'data-user': u.name, class: u.id === selected ? 'selected' : undefined }),
        columns: [
          { label: t('users.name'), cell: (u) => h('strong', {}, u.name) },
          { label: t('users.role'), cell: (u) => h('span', { class: `badge role-${u.role.toLowerCase()}` }, t(`role.${u.role}`)) },
          { label: t('users.canUseSharedApi'), cell: (u) => (u.canUseSharedApi ? t('yes') : t('no')) },
          { label: t('users.created'), cell: (u) => timeEl(u.createdAt) },
          { label: t('users.tokens'), cell: (u) => num(u.apiTokens.filter((k) => !k.revokedAt).length) },
          {
            label: t('actions'),
            class: 'actions',
            cell: (u) => [
              h(
                'button',
                { type: 'button', class: 'secondary edit-user', 'aria-label': t('users.edit', { name: u.name }), onclick: () => editUser(u) },
                t('edit'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary show-tokens',
                  'aria-label': t('users.showTokens', { name: u.name }),
                  'aria-pressed': String(u.id === selected),
                  onclick: () => {
                    selected = u.id;
                    render();
                    tokensBox.querySelector('h3')?.scrollIntoView({ block: 'nearest' });
                  },
                },
                t('users.tokens'),
              ),
            ],
          },
        ],
        rows: users,
      }),
    );
    const user = users.find((u) => u.id === selected);
    fill(
      tokensBox,
      user
        ? tokensPanel(ctx, user, {
            title: t('tokens.title', { name: user.name }),
            forSelf: user.id === ctx.viewer?.id,
            onChanged: () => reload(),
          })
        : [],
    );
  }

  return {
    id: 'users',
    navKey: 'nav.users',
    adminOnly: true,
    section: v.section,
    stale: true,
    show() {
      reload();
    },
    reset() {
      seq += 1;
      users = [];
      selected = null;
      fill(tableBox);
      fill(tokensBox);
      v.hideError();
    },
    onLocale() {
      render();
    },
  };
}
