// Files and webhooks in the web client, in a real browser (Debian's Chromium driven by playwright-core), against
// the same server as the other scenarios (PINWHEEL_URL, CHROMIUM_PATH).
//
// alice and bob share a guild. alice attaches a PNG with the "+" button (the progress bar reaches 100 %, bob sees
// the image preview load from the server at its real size), drops a text file onto the chat (bob gets a download
// link with the bytes alice sent), and creates a webhook in #general's webhook settings: the URL is shown once,
// a post through it appears live for bob under the webhook's name, and deleting it empties the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = 15000;
const suffix = Math.random().toString(36).slice(2, 6);
const GUILD = 'Files Lounge';
// a real 3x2 PNG (8-bit RGB), so the browser can decode it
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8DAAMFwFgA72AX73hA3ZQAAAABJRU5ErkJggg==', 'base64');

let browser;
const users = {};
const ids = {};
const pageErrors = [];

async function open(name) {
  const username = `${name}_${suffix}f`;
  const { token, user } = await rest('POST', '/auth/register', null, { username, password: `secret-${username}-pw` });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript((t) => localStorage.setItem('pinwheel.token', t), token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  return { name, username, token, id: user.id, context, page };
}

async function show(u) {
  await u.page.goto(`${BASE}/#/channels/${ids.guild}/${ids.general}`);
  await u.page.locator('.status[data-state="connected"]').waitFor();
  await u.page.locator('.guild-title', { hasText: GUILD }).waitFor();
}

before(async () => {
  assert.ok(BASE, 'PINWHEEL_URL must name the server');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/install-browser.sh)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--font-render-hinting=none'],
  });
  users.alice = await open('alice');
  users.bob = await open('bob');
  const g = await rest('POST', '/guilds', users.alice.token, { name: GUILD });
  ids.guild = g.id;
  ids.general = g.channels[0].id;
  const invite = await rest('POST', `/channels/${ids.general}/invites`, users.alice.token, {});
  await rest('POST', `/invites/${invite.code}`, users.bob.token, {});
  await show(users.alice);
  await show(users.bob);
});

after(async () => {
  await browser?.close();
});

test('an attached image uploads with progress and shows as a preview for everyone', async () => {
  const { alice, bob } = users;
  await alice.page.locator('input.file-input').setInputFiles({ name: 'dots.png', mimeType: 'image/png', buffer: PNG });
  await alice.page.locator('.file-chip', { hasText: 'dots.png' }).waitFor();
  await alice.page.getByRole('textbox', { name: 'Message #general' }).fill('a picture');
  await alice.page.getByRole('button', { name: 'Send' }).click();
  await alice.page.locator('.upload-progress[data-progress="100"]').waitFor({ state: 'attached' });
  const img = bob.page.locator('article.message', { hasText: 'a picture' }).locator('.attachment.image img');
  await img.waitFor();
  await bob.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  assert.equal(await img.evaluate((el) => el.naturalWidth), 3);
  assert.equal(await img.evaluate((el) => el.naturalHeight), 2);
  assert.equal(await alice.page.locator('.file-chip').count(), 0, 'sent files leave the composer');
});

test('a file dropped on the chat is sent and downloads byte-identical', async () => {
  const { alice, bob } = users;
  const text = `dropped at ${Date.now()}`;
  await alice.page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'notes.txt', { type: 'text/plain' }));
    document.querySelector('main.chat').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await alice.page.locator('.file-chip', { hasText: 'notes.txt' }).waitFor();
  await alice.page.getByRole('button', { name: 'Send' }).click();
  const link = bob.page.locator('.attachment.file', { hasText: 'notes.txt' });
  await link.waitFor();
  const href = await link.getAttribute('href');
  const body = await bob.page.evaluate(async (u) => (await fetch(u)).text(), href);
  assert.equal(body, text);
});

test('a webhook is created in the channel settings, posts live and is deleted', async () => {
  const { alice, bob } = users;
  await alice.page.getByRole('button', { name: 'Webhooks of #general' }).click();
  const dlg = alice.page.getByRole('dialog', { name: 'Webhooks of #general' });
  await dlg.getByLabel('Webhook name').fill('Deploy Bot');
  await dlg.getByRole('button', { name: 'Create' }).click();
  const url = await dlg.getByLabel('Webhook URL').inputValue();
  assert.match(url, /\/api\/v10\/webhooks\/\d+\/[A-Za-z0-9_-]{40,}$/);
  await dlg.locator('.webhook', { hasText: 'Deploy Bot' }).waitFor();
  const res = await fetch(`${url}?wait=true`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: 'deployed from CI' }) });
  assert.equal(res.status, 200);
  await bob.page.locator('article.message[data-author="Deploy Bot"]', { hasText: 'deployed from CI' }).waitFor();
  await dlg.getByRole('button', { name: 'Delete Deploy Bot' }).click();
  await dlg.locator('.webhook-list .note', { hasText: 'No webhooks yet.' }).waitFor();
  assert.deepEqual(pageErrors, []);
});
