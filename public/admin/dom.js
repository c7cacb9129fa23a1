// Tiny DOM helpers. Text always goes in through textContent / text nodes, never innerHTML,
// because model, provider and user names come from the server.

import { absoluteTime, relativeTime, t } from './i18n.js';

/** h('button', { class: 'switch', onclick: fn, dataset: { slot: 'x' } }, 'Switch') */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = Boolean(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** replaceChildren for nested arrays with null/false holes (as h() accepts them). */
export function fill(el, ...children) {
  el.replaceChildren(
    ...children
      .flat(Infinity)
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
  return el;
}

let idCounter = 0;
export const uid = (prefix = 'f') => `${prefix}-${++idCounter}`;

/** A relative time ("3 min ago") with the exact ISO time on hover; kept current by the ticker. */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const el = h('time', { datetime: iso, class: 'rel-time' });
  paintTime(el);
  return el;
}

function paintTime(el) {
  const iso = el.getAttribute('datetime');
  el.textContent = relativeTime(iso);
  el.title = `${iso} · ${absoluteTime(iso)}`;
}

/** Re-paints every relative time (each 30 s, and when the language changes). */
export function refreshTimes(root = document) {
  for (const el of root.querySelectorAll('time.rel-time')) paintTime(el);
}
setInterval(() => refreshTimes(), 30_000);

/** Restart a CSS highlight animation on an element. */
export function flash(el) {
  el.classList.remove('flash');
  void el.offsetWidth; // force a reflow so the animation runs again
  el.classList.add('flash');
  clearTimeout(el._flashTimer);
  el._flashTimer = setTimeout(() => el.classList.remove('flash'), 2000);
}

/** Error lines, each the server's message as it came, with its code in small type. */
export function errorLines(errors) {
  return errors.map(({ message, code }) => h('span', { class: 'error-line' }, message, code ? h('code', { class: 'error-code' }, code) : null));
}

/**
 * A table that turns into cards under 700 px (CSS): each cell carries its column label.
 * columns: [{ label, cell(row) → Node | string, class? }]
 */
export function dataTable({ columns, rows, caption, rowAttrs }) {
  return h(
    'table',
    { class: 'data' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          rowAttrs ? rowAttrs(row) : {},
          columns.map((c) => h('td', { 'data-label': c.label, class: c.class }, h('div', { class: 'cell-value' }, c.cell(row)))),
        ),
      ),
    ),
  );
}

// ── Dialogs ───────────────────────────────────────────────────────────────────
// One native <dialog> at a time: it traps focus, closes on Escape, and gives focus back.

const dialogEl = () => document.getElementById('dialog');

/**
 * A form in a modal dialog. Fields: { name, label, type: text|password|url|checkbox|select|
 * checkboxes|datetime|textarea, value, options: [{value,label}], hint, required, placeholder }.
 * `onSubmit(values)` may throw an ApiError: its messages show in the dialog, which stays open.
 * Resolves with onSubmit's result, or null when cancelled.
 * `body` (nodes) goes above the fields; `update(api)` lets the caller re-render it while open.
 */
export function formDialog({ title, body = [], fields = [], submitLabel, danger = false, onSubmit, describeError, setup }) {
  const dialog = dialogEl();
  return new Promise((resolve) => {
    const titleId = uid('dlg-title');
    const bodyBox = h('div', { class: 'dialog-body' }, body);
    const errorBox = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const inputs = new Map();
    const fieldNodes = fields.map((field) => renderField(field, inputs));
    const submit = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submitLabel);
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => finish(null) }, t('cancel'));
    const form = h(
      'form',
      { class: 'dialog-form', novalidate: true },
      h('h2', { id: titleId }, title),
      bodyBox,
      fieldNodes,
      errorBox,
      h('div', { class: 'dialog-actions' }, cancel, submit),
    );
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      dialog.replaceChildren();
      resolve(value);
    };
    const onCancel = (event) => {
      event.preventDefault();
      if (!form.hasAttribute('aria-busy')) finish(null);
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errorBox.hidden = true;
      const values = readValues(fields, inputs);
      const missing = fields.find(
        (f) => f.required && (values[f.name] === '' || values[f.name] == null || (Array.isArray(values[f.name]) && values[f.name].length === 0)),
      );
      if (missing) {
        errorBox.replaceChildren(h('span', {}, missing.requiredMessage ?? `${missing.label}: ${t('errorPrefix')}`));
        errorBox.hidden = false;
        inputs.get(missing.name)?.focus?.();
        return;
      }
      submit.disabled = true;
      cancel.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const result = await onSubmit(values);
        finish(result === undefined ? true : result);
      } catch (err) {
        errorBox.replaceChildren(...errorLines(describeError ? describeError(err) : [{ message: String(err?.message ?? err) }]));
        errorBox.hidden = false;
      } finally {
        if (!done) {
          submit.disabled = false;
          cancel.disabled = false;
          form.removeAttribute('aria-busy');
        }
      }
    });
    dialog.setAttribute('aria-labelledby', titleId);
    dialog.classList.toggle('danger', danger);
    dialog.replaceChildren(form);
    dialog.addEventListener('cancel', onCancel);
    setup?.({
      setBody: (nodes) => bodyBox.replaceChildren(...[nodes].flat()),
      setSubmitLabel: (text) => {
        submit.textContent = text;
      },
      inputs,
      isOpen: () => !done,
      close: () => finish(null),
    });
    dialog.showModal();
    const first = form.querySelector('input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea');
    (first ?? submit).focus();
  });
}

/** A yes/no question: resolves true when confirmed (after `onConfirm`, if any, succeeded). */
export function confirmDialog({ title, body, confirmLabel, danger = true, fields = [], onConfirm, describeError, setup }) {
  return formDialog({ title, body, fields, submitLabel: confirmLabel, danger, onSubmit: onConfirm ?? (() => true), describeError, setup });
}

/** A message with a close button, e.g. a token shown once. */
export function messageDialog({ title, body }) {
  const dialog = dialogEl();
  return new Promise((resolve) => {
    const titleId = uid('dlg-title');
    const close = h('button', { type: 'submit', class: 'primary' }, t('close'));
    const form = h(
      'form',
      { class: 'dialog-form' },
      h('h2', { id: titleId }, title),
      h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'dialog-actions' }, close),
    );
    // Not the dialog's 'close' event: the previous dialog's may still be queued.
    const finish = (event) => {
      event?.preventDefault();
      dialog.removeEventListener('cancel', finish);
      dialog.close();
      dialog.replaceChildren();
      resolve();
    };
    form.addEventListener('submit', finish);
    dialog.addEventListener('cancel', finish);
    dialog.setAttribute('aria-labelledby', titleId);
    dialog.classList.remove('danger');
    dialog.replaceChildren(form);
    dialog.showModal();
    (form.querySelector('[data-autofocus]') ?? close).focus();
  });
}

function renderField(field, inputs) {
  const id = uid('field');
  const hintId = field.hint ? `${id}-hint` : undefined;
  const hint = field.hint ? h('p', { class: 'hint', id: hintId }, field.hint) : null;
  if (field.type === 'checkbox') {
    const input = h('input', {
      type: 'checkbox',
      id,
      name: field.name,
      checked: field.value,
      'aria-describedby': hintId,
      disabled: field.disabled,
    });
    inputs.set(field.name, input);
    return h('div', { class: 'field check' }, input, h('label', { for: id }, field.label), hint);
  }
  if (field.type === 'checkboxes') {
    const boxes = field.options.map((o) => {
      const boxId = uid('opt');
      const box = h('input', { type: 'checkbox', id: boxId, value: o.value, checked: (field.value ?? []).includes(o.value) });
      return h('span', { class: 'check' }, box, h('label', { for: boxId }, o.label));
    });
    const group = h(
      'fieldset',
      { class: 'field', 'aria-describedby': hintId },
      h('legend', {}, field.label),
      h('div', { class: 'checks' }, boxes),
      hint,
    );
    inputs.set(field.name, group);
    return group;
  }
  let input;
  if (field.type === 'select') {
    input = h(
      'select',
      { id, name: field.name, 'aria-describedby': hintId, disabled: field.disabled },
      field.options.map((o) => h('option', { value: o.value }, o.label)),
    );
    if (field.value !== undefined) input.value = field.value;
    if (field.onchange) input.addEventListener('change', () => field.onchange(input.value, inputs));
  } else if (field.type === 'textarea') {
    input = h('textarea', { id, name: field.name, rows: 2, maxlength: field.maxlength ?? 500, 'aria-describedby': hintId }, field.value ?? '');
  } else {
    const type = field.type === 'datetime' ? 'datetime-local' : (field.type ?? 'text');
    input = h('input', {
      id,
      name: field.name,
      type,
      value: field.value ?? '',
      placeholder: field.placeholder,
      'aria-describedby': hintId,
      autocomplete: 'off',
      spellcheck: 'false',
      required: field.required,
      disabled: field.disabled,
      dir: field.ltr ? 'ltr' : undefined,
      step: field.type === 'datetime' ? 1 : undefined,
    });
  }
  inputs.set(field.name, input);
  return h('div', { class: 'field' }, h('label', { for: id }, field.label), input, hint);
}

function readValues(fields, inputs) {
  const values = {};
  for (const field of fields) {
    const input = inputs.get(field.name);
    if (field.type === 'checkbox') values[field.name] = input.checked;
    else if (field.type === 'checkboxes') values[field.name] = [...input.querySelectorAll('input:checked')].map((b) => b.value);
    else if (field.type === 'datetime') values[field.name] = input.value ? new Date(input.value).toISOString() : '';
    else values[field.name] = field.type === 'password' ? input.value : input.value.trim();
  }
  return values;
}

/** A read-only secret with a Copy button (clipboard API; falls back to selecting the text). */
export function copyField(label, secret) {
  const id = uid('secret');
  const input = h('input', {
    id,
    type: 'text',
    readonly: true,
    value: secret,
    class: 'secret',
    dir: 'ltr',
    'data-autofocus': true,
    spellcheck: 'false',
  });
  input.addEventListener('focus', () => input.select());
  const status = h('span', { class: 'copy-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'copy' }, t('tokens.copy'));
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      status.textContent = t('tokens.copied');
    } catch {
      input.select();
      status.textContent = document.execCommand?.('copy') ? t('tokens.copied') : t('tokens.copyFailed');
    }
  });
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('div', { class: 'row' }, input, button), status);
}
