// Files in the web client: attach (button or drag-and-drop onto the chat), upload as Discord's multipart
// (payload_json + files[n]) with a progress bar, show a message's attachments (images as previews, other files as
// download links), and a channel's webhooks (create: the URL with its token is shown once; rename; delete).
import { h, fill, nonce, fmtBytes } from './dom.js';
import { toast, showError, dialog } from './ui.js';
import { API_BASE, ApiError } from './api.js';

/** Adds the attach button, the chips of files to send, the progress bar and drag-and-drop to the chat's composer. */
export function attachFiles(app) {
  const picked = [];
  const input = h('input', { type: 'file', multiple: true, class: 'file-input', 'aria-label': 'Attach files' });
  const chips = h('ul', { class: 'file-chips', 'aria-label': 'Files to send' });
  const progress = h('progress', { class: 'upload-progress', max: 100, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const button = h('button', { type: 'button', class: 'ghost attach', title: 'Attach files', 'aria-label': 'Add files',
    onclick: () => input.click() }, '+');
  const render = () => fill(chips, picked.map((f, i) => h('li', { class: 'file-chip' }, `${f.name} (${fmtBytes(f.size)})`,
    h('button', { type: 'button', class: 'icon', 'aria-label': `Remove ${f.name}`, onclick: () => { picked.splice(i, 1); render(); } }, '×'))));
  const add = (files) => { for (const f of files) picked.push(f); render(); };
  input.addEventListener('change', () => { add(input.files); input.value = ''; });
  app.composer.prepend(button);
  app.composer.before(chips, progress);
  app.composer.append(input);
  app.chat.addEventListener('dragover', (ev) => { ev.preventDefault(); app.chat.classList.add('dropping'); });
  app.chat.addEventListener('dragleave', () => app.chat.classList.remove('dropping'));
  app.chat.addEventListener('drop', (ev) => {
    ev.preventDefault();
    app.chat.classList.remove('dropping');
    if (ev.dataTransfer?.files?.length) add(ev.dataTransfer.files);
  });
  const plain = app.sendFromComposer.bind(app);
  app.sendFromComposer = async () => {
    const c = app.currentChannel();
    if (!picked.length || !c) return plain();
    const files = picked.splice(0);
    render();
    const content = app.input.value.trim();
    app.input.value = '';
    progress.hidden = false;
    progress.value = 0;
    progress.dataset.progress = '0';
    try {
      const m = await upload(app.token, c.id, content, files, (p) => {
        progress.value = p;
        progress.dataset.progress = String(p);
      });
      app.upsertMessage(m);
    } catch (e) {
      add(files);
      showError(e, 'Files not sent');
    } finally {
      progress.hidden = true;
    }
  };
}

/** POST /channels/{c}/messages as multipart, reporting upload progress (0-100). */
export function upload(token, channelId, content, files, onProgress) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify({
    content, nonce: nonce(), attachments: files.map((f, i) => ({ id: i, filename: f.name })),
  }));
  files.forEach((f, i) => form.append(`files[${i}]`, f, f.name));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const path = `/channels/${channelId}/messages`;
    xhr.open('POST', API_BASE + path);
    if (token) xhr.setRequestHeader('Authorization', token);
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(Math.round((ev.loaded / ev.total) * 100)); };
    xhr.onload = () => {
      let body = null;
      try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { body = { code: 0, message: xhr.responseText.slice(0, 200) }; }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(body);
      } else reject(new ApiError(xhr.status, body, 'POST', path));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 0, message: 'Cannot reach the server.' }, 'POST', path));
    xhr.send(form);
  });
}

/** A message's attachments: images as previews (their size from the server), other files as links. */
export function attachmentsEl(m) {
  if (!m.attachments?.length) return null;
  return h('div', { class: 'attachments' }, m.attachments.map((a) => {
    if (a.width && a.height && /^image\//.test(a.content_type || '')) {
      const scale = Math.min(1, 320 / a.width, 240 / a.height);
      return h('a', { href: a.url, target: '_blank', rel: 'noopener', class: 'attachment image' },
        h('img', { src: a.url, alt: a.description || a.filename, width: Math.round(a.width * scale), height: Math.round(a.height * scale), loading: 'lazy' }));
    }
    return h('a', { href: a.url, download: a.filename, class: 'attachment file' }, `📄 ${a.filename}`,
      h('span', { class: 'size' }, ` ${fmtBytes(a.size)}`));
  }));
}

/** The webhooks of a channel: list, create (URL shown once), rename, delete. */
export async function channelWebhooks(app, c) {
  const list = h('ul', { class: 'webhook-list', 'aria-label': 'Webhooks' });
  const created = h('div', { class: 'webhook-created' });
  const name = h('input', { type: 'text', name: 'webhook-name', placeholder: 'Webhook name', autocomplete: 'off', 'aria-label': 'Webhook name' });
  const load = async () => {
    const hooks = await app.api.get(`/channels/${c.id}/webhooks`);
    fill(list, hooks.length ? hooks.map((w) => h('li', { class: 'webhook', dataset: { id: w.id } },
      h('span', { class: 'webhook-name' }, w.name),
      h('button', { type: 'button', class: 'ghost small', onclick: () => rename(w) }, 'Rename'),
      h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${w.name}`, onclick: () => remove(w) }, 'Delete')))
      : [h('li', { class: 'note' }, 'No webhooks yet.')]);
  };
  const rename = async (w) => {
    const value = window.prompt('New name', w.name);
    if (!value) return;
    try { await app.api.patch(`/webhooks/${w.id}`, { name: value }); await load(); } catch (e) { showError(e, 'Not renamed'); }
  };
  const remove = async (w) => {
    try { await app.api.delete(`/webhooks/${w.id}`); await load(); toast(`Deleted ${w.name}`, 'info'); } catch (e) { showError(e, 'Not deleted'); }
  };
  dialog({
    title: `Webhooks of #${c.name}`,
    body: [h('p', { class: 'note' }, 'Anyone with a webhook\'s URL can post here: it is shown once, when created.'),
      list, h('label', {}, 'New webhook', name), created],
    actions: [
      { label: 'Close' },
      { label: 'Create', kind: 'primary', submit: true, onClick: async () => {
        const w = await app.api.post(`/channels/${c.id}/webhooks`, { name: name.value.trim() });
        const url = `${location.origin}${API_BASE}/webhooks/${w.id}/${w.token}`;
        fill(created, h('label', {}, `URL of ${w.name} (copy it now)`,
          h('input', { type: 'text', readonly: true, class: 'webhook-url', value: url, 'aria-label': 'Webhook URL' })));
        name.value = '';
        await load();
        return true;
      } },
    ],
  }).classList.add('wide');
  try { await load(); } catch (e) { fill(list, h('li', { class: 'form-error' }, e.message)); }
}
