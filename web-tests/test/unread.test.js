// Unread markers and mention badges in a real browser (Debian's Chromium driven by playwright-core), against the
// same server as web-client.test.js (PINWHEEL_URL, CHROMIUM_PATH).
//
// alice owns a guild with #general and #news that bob joined. While bob reads #general, alice posts in #news, once
// plainly and once mentioning him: #news turns unread with a badge of 1 (a mention of someone else, or one
// suppressed by allowed_mentions, adds nothing). A reload keeps both (READY's read_state, the channels'
// last_message_id). Opening #news acks it: marker and badge go, and stay gone after another reload (the server
// kept the ack). A message in the channel being read never marks it unread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { call, rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = 15000;
const suffix = Math.random().toString(36).slice(2, 6);
const GUILD = 'Unread Lounge';

let browser;
let bob;
const users = {};
const ids = {};
const pageErrors = [];

async function register(name) {
  const username = `${name}_${suffix}`;
  const { token, user } = await rest('POST', '/auth/register', null, { username, password: `secret-${username}-pw` });
  return { username, token, id: user.id };
}

function channelLink(name) {
  return bob.page.locator('a.channel', { hasText: name });
}

async function showGeneral() {
  await bob.page.goto(`${BASE}/#/channels/${ids.guild}/${ids.general}`);
  await bob.page.locator('.status[data-state="connected"]').waitFor();
  await bob.page.locator('.guild-title', { hasText: GUILD }).waitFor();
  await bob.page.locator('a.channel.active', { hasText: 'general' }).waitFor();
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
  users.alice = await register('ua');
  users.bob = await register('ub');
  users.carol = await register('uc');
  const { alice } = users;
  const g = await rest('POST', '/guilds', alice.token, { name: GUILD });
  ids.guild = g.id;
  const channels = await rest('GET', `/guilds/${g.id}/channels`, alice.token);
  ids.general = channels.find((c) => c.name === 'general').id;
  ids.news = (await rest('POST', `/guilds/${g.id}/channels`, alice.token, { name: 'news', type: 0 })).id;
  const invite = (await rest('POST', `/channels/${ids.general}/invites`, alice.token, { max_age: 0 })).code;
  for (const u of [users.bob, users.carol]) await rest('POST', `/invites/${invite}`, u.token);

  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript((t) => localStorage.setItem('pinwheel.token', t), users.bob.token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  bob = { ...users.bob, context, page };
  await showGeneral();
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

test('a mention in another channel marks it unread with a badge, live', async () => {
  const { alice } = users;
  const news = `/channels/${ids.news}/messages`;
  await rest('POST', news, alice.token, { content: 'plain news' });
  await bob.page.locator('a.channel.unread', { hasText: 'news' }).waitFor();
  assert.equal(await channelLink('news').locator('.mention-badge').count(), 0, 'no badge without a mention');
  await rest('POST', news, alice.token, { content: `for <@${users.carol.id}> only` });
  await rest('POST', news, alice.token, { content: `<@${bob.id}> quietly`, allowed_mentions: { parse: [] } });
  await rest('POST', news, alice.token, { content: `<@${bob.id}> look at this` });
  await channelLink('news').locator('.mention-badge', { hasText: '1' }).waitFor();
  // a message in the channel being read: never unread
  const generalAck = bob.page.waitForResponse((r) => r.url().includes(`/channels/${ids.general}/messages/`)
    && r.url().endsWith('/ack') && r.request().method() === 'POST');
  await rest('POST', `/channels/${ids.general}/messages`, alice.token, { content: `hi <@${bob.id}>` });
  await bob.page.locator('article.message', { hasText: 'hi' }).waitFor();
  assert.equal((await generalAck).status(), 200, 'the channel being read is acked as messages arrive');
  assert.equal(await channelLink('general').locator('.mention-badge').count(), 0);
  assert.doesNotMatch(await channelLink('general').getAttribute('class'), /unread/);
});

test('the marker and the badge survive a reload', async () => {
  await bob.page.reload();
  await showGeneral();
  await bob.page.locator('a.channel.unread', { hasText: 'news' }).waitFor();
  assert.equal(await channelLink('news').locator('.mention-badge').textContent(), '1');
  assert.doesNotMatch(await channelLink('general').getAttribute('class'), /unread/, 'general was acked while read');
});

test('opening the channel acks it, and the server keeps the ack across a reload', async () => {
  const acked = bob.page.waitForResponse((r) => r.url().includes(`/channels/${ids.news}/messages/`)
    && r.url().endsWith('/ack') && r.request().method() === 'POST');
  await channelLink('news').click();
  const response = await acked;
  assert.equal(response.status(), 200);
  assert.deepEqual(await response.json(), { token: null });
  await bob.page.locator('a.channel.active', { hasText: 'news' }).waitFor();
  await channelLink('news').locator('.mention-badge').waitFor({ state: 'detached' });
  assert.doesNotMatch(await channelLink('news').getAttribute('class'), /unread/);
  await bob.page.goto(`${BASE}/#/channels/${ids.guild}/${ids.general}`);
  await bob.page.reload();
  await showGeneral();
  await bob.page.locator('a.channel', { hasText: 'news' }).waitFor();
  assert.equal(await channelLink('news').locator('.mention-badge').count(), 0, 'no badge after the reload');
  assert.doesNotMatch(await channelLink('news').getAttribute('class'), /unread/, 'read after the reload');
});
