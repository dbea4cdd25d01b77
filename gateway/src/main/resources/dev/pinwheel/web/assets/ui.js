// Toasts and dialogs: errors from the server are shown, never swallowed.
import { h, fill } from './dom.js';

const toasts = () => document.getElementById('toasts');

/** Shows a message for a while (errors stay longer); returns the element. */
export function toast(text, kind = 'error') {
  const el = h('div', { class: `toast ${kind}` },
    h('span', {}, text),
    h('button', { class: 'icon', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  toasts().append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 12000 : 5000);
  return el;
}

/** Shows an error (an ApiError carries the server's message and field errors). */
export function showError(e, prefix) {
  console.error(prefix || 'error', e);
  toast(prefix ? `${prefix}: ${e.message}` : e.message, 'error');
}

/**
 * A modal dialog. actions: [{label, kind: 'primary'|'danger'|'', onClick}] — onClick may be async; a throw
 * shows its message inside the dialog and keeps it open; a normal return closes it.
 */
export function dialog({ title, body = [], actions = [], form = null }) {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const buttons = actions.map((a) => h('button', {
    type: a.submit ? 'submit' : 'button',
    class: a.kind || '',
    onclick: a.submit ? null : () => run(a),
  }, a.label));
  const content = h('form', { method: 'dialog', class: 'dialog-body', novalidate: true },
    h('h2', {}, title), ...body, error, h('div', { class: 'dialog-actions' }, ...buttons));
  const dlg = h('dialog', { class: 'modal', 'aria-label': title }, content);
  let busy = false;
  async function run(a) {
    if (busy) return;
    if (!a.onClick) { close(); return; }
    busy = true;
    buttons.forEach((b) => { b.disabled = true; });
    fill(error);
    try {
      const keep = await a.onClick(dlg);
      if (keep !== true) close();
    } catch (e) {
      fill(error, e.message || String(e));
    } finally {
      busy = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  content.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const a = actions.find((x) => x.submit);
    if (a) run(a);
  });
  function close() {
    dlg.close();
    dlg.remove();
  }
  dlg.addEventListener('cancel', () => setTimeout(() => dlg.remove(), 0));
  document.body.append(dlg);
  dlg.showModal();
  if (form) form(dlg);
  const first = dlg.querySelector('input, textarea');
  if (first) { first.focus(); first.select?.(); }
  return dlg;
}

/** Asks for one line of text; submit(value) may throw to show the server's error in the dialog. */
export function prompt({ title, label, placeholder = '', submitLabel = 'OK', initial = '', note = null, submit }) {
  const input = h('input', { type: 'text', name: 'value', placeholder, value: initial, autocomplete: 'off' });
  return dialog({
    title,
    body: [note && h('p', { class: 'note' }, note), h('label', {}, label, input)],
    actions: [
      { label: 'Cancel' },
      { label: submitLabel, kind: 'primary', submit: true, onClick: () => submit(input.value.trim()) },
    ],
  });
}
