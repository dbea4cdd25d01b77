// The web client's bot features in a real browser (Debian's Chromium driven by playwright-core), against the same
// server as web-client.test.js (PINWHEEL_URL, CHROMIUM_PATH).
//
// dana creates an application on /developers/applications (its bot token is shown once), adds its bot to her guild
// on /oauth2/authorize, and the bot — a tiny gateway client running in a page of its own (the browser's WebSocket:
// node 20 has none without a flag) — registers /echo (with autocomplete) and /silent. In the chat, dana types "/",
// picks /echo from the picker, sees the autocomplete choice, runs it, sees the bot's answer with a button, clicks
// the button and sees the message updated; /silent gets no answer and the client says the bot did not respond.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = 15000;
const suffix = Math.random().toString(36).slice(2, 6);
const GUILD = 'Bot Garage';

let browser;
let dana;
let botPage;
const ids = {};
const pageErrors = [];

/** The bot: identify, register its commands, answer interactions — inside a browser page (WebSocket + fetch). */
async function runBot(page, token, guildId) {
  await page.goto(`${BASE}/assets/icon.svg`); // same origin, nothing else loaded
  await page.evaluate(async ({ token, guildId }) => {
    const api = async (method, path, body) => {
      const res = await fetch(`/api/v10${path}`, {
        method, headers: { Authorization: `Bot ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
      const text = await res.text();
      return text ? JSON.parse(text) : null;
    };
    const { url } = await api('GET', '/gateway/bot');
    const me = await api('GET', '/users/@me');
    await api('PUT', `/applications/${me.id}/guilds/${guildId}/commands`, [
      { name: 'echo', description: 'Says it back', options: [{ name: 'text', description: 'what', type: 3, required: true, autocomplete: true }] },
      { name: 'silent', description: 'Never answers' },
    ]);
    window.botLog = [];
    await new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}/?v=10&encoding=json`);
      ws.onerror = () => reject(new Error('bot socket error'));
      ws.onmessage = async (ev) => {
        const msg = JSON.parse(ev.data);
        if (msg.op === 10) {
          setInterval(() => ws.send(JSON.stringify({ op: 1, d: null })), msg.d.heartbeat_interval);
          ws.send(JSON.stringify({ op: 2, d: { token, intents: 1 | (1 << 9), properties: { os: 'linux', browser: 'bot', device: 'bot' } } }));
        }
        if (msg.op !== 0) return;
        if (msg.t === 'READY') resolve();
        if (msg.t !== 'INTERACTION_CREATE') return;
        const i = msg.d;
        window.botLog.push(i.type);
        const answer = (body) => fetch(`/api/v10/interactions/${i.id}/${i.token}/callback`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        if (i.type === 4) {
          await answer({ type: 8, data: { choices: [{ name: 'hello world', value: 'hello world' }] } });
        } else if (i.type === 2 && i.data.name === 'echo') {
          await answer({ type: 4, data: { content: `echo: ${i.data.options[0].value}`, components: [
            { type: 1, components: [{ type: 2, style: 1, label: 'Again', custom_id: 'again' }] }] } });
        } else if (i.type === 3) {
          await answer({ type: 7, data: { content: `clicked by ${i.member.user.username}`, components: [] } });
        }
      };
    });
  }, { token, guildId });
}

before(async () => {
  assert.ok(BASE, 'PINWHEEL_URL must name the server, e.g. http://127.0.0.1:8080');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/install-browser.sh)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--font-render-hinting=none'],
  });
  const username = `dana_${suffix}`;
  const { token, user } = await rest('POST', '/auth/register', null, { username, password: `secret-${username}-pw` });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript((t) => localStorage.setItem('pinwheel.token', t), token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`dana: ${e.message}`));
  dana = { username, token, id: user.id, page };
  const g = await rest('POST', '/guilds', token, { name: GUILD });
  ids.guild = g.id;
  ids.general = g.channels.find((c) => c.type === 0).id;
  botPage = await (await browser.newContext()).newPage();
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

test('an application is created on the applications page and its bot added through the authorize page', async () => {
  const { page } = dana;
  await page.goto(`${BASE}/developers/applications`);
  const create = page.getByRole('form', { name: 'New application' });
  await create.getByLabel('Application name').fill(`Helper ${suffix}`);
  await create.getByRole('button', { name: 'Create application' }).click();
  const item = page.locator('.app-item', { hasText: `Helper ${suffix}` });
  ids.botToken = (await item.locator('code.token').textContent()).trim();
  ids.app = await item.getAttribute('data-id');
  assert.ok(ids.botToken.length > 20 && ids.app, 'the token is shown once');

  await item.getByRole('link', { name: 'Add to a guild' }).click();
  await page.waitForURL(/\/oauth2\/authorize\?client_id=/);
  const form = page.getByRole('form', { name: 'Authorize an application' });
  await form.getByRole('heading', { name: `Helper ${suffix}` }).waitFor();
  await form.getByLabel('Add to guild').selectOption(ids.guild);
  await form.getByRole('button', { name: 'Authorize' }).click();
  await form.locator('.oauth-done', { hasText: 'Authorized' }).waitFor();
  const member = await rest('GET', `/guilds/${ids.guild}/members/${ids.app}`, dana.token);
  assert.equal(member.roles.length, 1, 'the bot joined with its role');
  await runBot(botPage, ids.botToken, ids.guild);
});

test('a command is picked with "/", autocompleted, run, answered with a button that updates the message', async () => {
  const { page } = dana;
  await page.goto(`${BASE}/#/channels/${ids.guild}/${ids.general}`);
  await page.locator('.status[data-state="connected"]').waitFor();
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('/ec');
  const picker = page.getByRole('listbox', { name: 'Commands' });
  await picker.getByRole('option', { name: /\/echo/ }).click();
  const text = picker.getByLabel('text');
  await text.pressSequentially('hel');
  await picker.locator('datalist option[value="hello world"]').waitFor({ state: 'attached' });
  await text.fill('hi from the picker');
  await picker.getByRole('button', { name: 'Run' }).click();
  const answer = page.locator('article.message', { hasText: 'echo: hi from the picker' });
  await answer.waitFor();
  await answer.locator('.interaction-note', { hasText: `${dana.username} used /echo` }).waitFor();
  await answer.getByRole('button', { name: 'Again' }).click();
  await page.locator('article.message', { hasText: `clicked by ${dana.username}` }).waitFor();
  assert.equal(await page.locator('article.message', { hasText: 'echo: hi from the picker' }).count(), 0,
    'the same message was updated');
});

test('a command the bot never answers says so', async () => {
  const { page } = dana;
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('/sil');
  await page.getByRole('listbox', { name: 'Commands' }).getByRole('option', { name: /\/silent/ }).click();
  await page.getByRole('listbox', { name: 'Commands' }).getByRole('button', { name: 'Run' }).click();
  await page.locator('.toast', { hasText: 'did not respond' }).waitFor({ timeout: 10000 });
});
