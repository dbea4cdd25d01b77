// Pinwheel's web client and dashboard in a real browser (Debian's Chromium driven by playwright-core).
//
//   PINWHEEL_URL=http://127.0.0.1:PORT PINWHEEL_ADMIN_TOKEN=... [CHROMIUM_PATH=/usr/bin/chromium]
//   [PINWHEEL_SCREENSHOTS=dir] node --test test/
//
// Two users register in two browser contexts; one creates a guild and an invite, the other joins through
// the invite link; they exchange messages and see them live, see edits, deletes, typing and each other in
// the member list; scroll-back pages history; a dropped gateway connection RESUMEs without losing an event;
// the admin's dashboard shows the sessions; a non-admin is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const ADMIN_TOKEN = process.env.PINWHEEL_ADMIN_TOKEN || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.PINWHEEL_SCREENSHOTS || '';
const WAIT = 15000;
const MAX_SHOT_BYTES = 300 * 1024;
const suffix = Math.random().toString(36).slice(2, 6);
const GUILD = 'Pinwheel Lounge';

let browser;
const users = {};
const pageErrors = [];

async function open(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) console.log(`[${name} console] ${m.text()}`);
  });
  return { name, context, page };
}

async function register(u, username) {
  await u.page.getByLabel('Username').fill(username);
  await u.page.getByLabel('Password').fill(`secret-${username}-pw`);
  await u.page.getByRole('button', { name: 'Create account' }).click();
  await u.page.locator('.status[data-state="connected"]').waitFor();
  u.username = username;
  u.token = await u.page.evaluate(() => localStorage.getItem('pinwheel.token'));
}

function message(u, text) {
  return u.page.locator('article.message', { hasText: text });
}

async function screenshot(page, name, fullPage = false) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file, fullPage });
  const size = statSync(file).size;
  console.log(`screenshot ${file} (${Math.round(size / 1024)} KiB)`);
  assert.ok(size < MAX_SHOT_BYTES, `${file} is ${size} bytes (limit ${MAX_SHOT_BYTES})`);
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
  users.alice = await open('alice');
  users.bob = await open('bob');
});

after(async () => {
  await browser?.close();
});

test('the client is served at / and shows the server\'s errors', async () => {
  const { page } = users.alice;
  const res = await page.goto(`${BASE}/`);
  assert.equal(res.status(), 200);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await page.getByLabel('Username').fill(`nobody_${suffix}`);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.form-error', { hasText: 'Login or password is invalid' }).waitFor();
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('.form-error', { hasText: 'password' }).waitFor();
});

test('alice registers, creates a guild and an invite link', async () => {
  const alice = users.alice;
  await register(alice, `alice_${suffix}`);
  await alice.page.locator('.empty-card').getByRole('button', { name: 'Create a guild' }).click();
  const dlg = alice.page.getByRole('dialog', { name: 'Create a guild' });
  await dlg.getByLabel('Guild name').fill('x');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await dlg.locator('.form-error', { hasText: 'Must be between 2 and 100' }).waitFor();
  await dlg.getByLabel('Guild name').fill(GUILD);
  await dlg.getByRole('button', { name: 'Create' }).click();
  await alice.page.locator('.guild-title', { hasText: GUILD }).waitFor();
  await alice.page.locator('.channel.active', { hasText: 'general' }).waitFor();
  await alice.page.locator('.channel-start', { hasText: 'Welcome to #general' }).waitFor();

  await alice.page.getByRole('button', { name: 'Invite people' }).click();
  const link = await alice.page.getByLabel('Invite link').inputValue();
  assert.match(link, /^http:\/\/.+\/#\/invite\/[A-Za-z0-9]+$/);
  users.inviteLink = link;
  await alice.page.getByRole('button', { name: 'Done' }).click();
});

test('bob opens the invite link, registers and joins', async () => {
  const bob = users.bob;
  await bob.page.goto(users.inviteLink);
  await bob.page.getByText("You've been invited to a guild").waitFor();
  await register(bob, `bob_${suffix}`);
  const dlg = bob.page.getByRole('dialog', { name: 'You have been invited' });
  await dlg.locator('.invite-guild', { hasText: GUILD }).waitFor();
  await dlg.getByText(`alice_${suffix} invited you to join`).waitFor();
  await dlg.getByRole('button', { name: 'Accept invite' }).click();
  await bob.page.locator('.guild-title', { hasText: GUILD }).waitFor();
  await bob.page.locator('.channel.active', { hasText: 'general' }).waitFor();
  // Both see both in the member list: bob from GUILD_CREATE, alice through GUILD_MEMBER_ADD.
  for (const u of [users.alice, users.bob]) {
    const members = u.page.getByRole('complementary', { name: 'Members' });
    await members.locator('.member', { hasText: `alice_${suffix}` }).waitFor();
    await members.locator('.member', { hasText: `bob_${suffix}` }).waitFor();
  }
});

test('typing shows up live on the other side', async () => {
  const { alice, bob } = users;
  await bob.page.getByRole('textbox', { name: 'Message #general' }).pressSequentially('Hello', { delay: 20 });
  await alice.page.locator('.typing', { hasText: `bob_${suffix} is typing…` }).waitFor();
});

test('messages are exchanged and both see them live', async () => {
  const { alice, bob } = users;
  const composer = bob.page.getByRole('textbox', { name: 'Message #general' });
  await composer.fill('Hello from bob! Nice to meet you.');
  await composer.press('Enter');
  for (const u of [alice, bob]) {
    await u.page.locator('article.message:not(.pending)', { hasText: 'Hello from bob!' }).waitFor();
  }
  // The typing indicator ends with bob's message.
  await alice.page.locator('.typing').filter({ hasText: /^$/ }).waitFor();

  const reply = alice.page.getByRole('textbox', { name: 'Message #general' });
  await reply.fill('Hi bob, welcome to the lounge.');
  await reply.press('Enter');
  await message(bob, 'Hi bob, welcome to the lounge.').waitFor();
  await reply.fill('This one will be deleted.');
  await reply.press('Enter');
  await message(bob, 'This one will be deleted.').waitFor();
  assert.equal(await message(alice, 'Hello from bob!').locator('.author').textContent(), `bob_${suffix}`);
});

test('edits and deletes show up on the other side', async () => {
  const { alice, bob } = users;
  const mine = message(alice, 'Hi bob, welcome to the lounge.');
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit message' }).click();
  const editor = alice.page.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Hi bob, welcome to the Pinwheel lounge!');
  await editor.press('Enter');
  const edited = message(bob, 'Hi bob, welcome to the Pinwheel lounge!');
  await edited.waitFor();
  await edited.locator('.edited', { hasText: '(edited)' }).waitFor();

  const doomed = message(alice, 'This one will be deleted.');
  await doomed.hover();
  await doomed.getByRole('button', { name: 'Delete message' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
  await message(bob, 'This one will be deleted.').waitFor({ state: 'detached' });
  await message(alice, 'This one will be deleted.').waitFor({ state: 'detached' });
  // Bob cannot edit alice's message: no actions on others' messages.
  assert.equal(await message(bob, 'Pinwheel lounge').getByRole('button', { name: 'Edit message' }).count(), 0);
});

test('screenshot of the client', async () => {
  const { alice, bob } = users;
  await bob.page.getByRole('textbox', { name: 'Message #general' }).pressSequentially('Glad to be', { delay: 20 });
  await alice.page.locator('.typing', { hasText: 'is typing' }).waitFor();
  await alice.page.mouse.move(0, 0);
  await screenshot(alice.page, 'client.png');
  await bob.page.getByRole('textbox', { name: 'Message #general' }).fill('');
});

test('a dropped gateway connection resumes without losing events', async () => {
  const { alice, bob } = users;
  const channelId = await bob.page.evaluate(() => window.pinwheel.app.channelId);
  // Drop bob's socket and stay away for 2 s; alice posts meanwhile.
  await bob.page.evaluate(() => window.pinwheel.app.gateway.reconnect(true, 'test: dropped', 2000));
  await bob.page.locator('.status[data-state="reconnecting"]').waitFor();
  await rest('POST', `/channels/${channelId}/messages`, alice.token, { content: 'Sent while bob was away' });
  await bob.page.locator('.status[data-state="connected"]').waitFor();
  await message(bob, 'Sent while bob was away').waitFor();
  const readies = await bob.page.evaluate(() => window.pinwheel.app.readyCount);
  assert.equal(readies, 1, 'the session was resumed, not identified again');
});

test('scroll-back pages older history', async () => {
  const { alice, bob } = users;
  const channelId = await bob.page.evaluate(() => window.pinwheel.app.channelId);
  for (let i = 1; i <= 60; i++) {
    const who = i % 2 ? alice : bob;
    await rest('POST', `/channels/${channelId}/messages`, who.token, { content: `history ${String(i).padStart(2, '0')}` });
  }
  await message(bob, 'history 60').waitFor();
  await bob.page.reload();
  await bob.page.locator('.status[data-state="connected"]').waitFor();
  await message(bob, 'history 60').waitFor();
  assert.equal(await message(bob, 'history 01').count(), 0, 'the first page holds only the newest 50');
  const log = bob.page.getByRole('log', { name: 'Messages' });
  for (let i = 0; i < 10 && (await message(bob, 'history 01').count()) === 0; i++) {
    await log.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
    await bob.page.waitForTimeout(300);
  }
  await message(bob, 'history 01').waitFor();
  await bob.page.locator('.channel-start', { hasText: 'Welcome to #general' }).waitFor();
  await message(bob, 'Hello from bob!').waitFor();
});

test('/metrics is Prometheus text for the admin only', async () => {
  assert.ok(ADMIN_TOKEN, 'PINWHEEL_ADMIN_TOKEN must be set');
  const anon = await fetch(`${BASE}/metrics`);
  assert.equal(anon.status, 401);
  const notAdmin = await fetch(`${BASE}/metrics`, { headers: { Authorization: users.bob.token } });
  assert.equal(notAdmin.status, 403);
  const res = await fetch(`${BASE}/metrics?token=${encodeURIComponent(ADMIN_TOKEN)}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const sessions = Number(text.match(/^pinwheel_node_sessions (\d+)/m)?.[1]);
  assert.ok(sessions >= 2, `pinwheel_node_sessions ${sessions}\n${text.slice(0, 2000)}`);
  assert.match(text, /^pinwheel_shard_handoff_latency_seconds_bucket\{shard="0",le="\+Inf"\} \d+/m);
});

test('the dashboard shows live sessions to the admin and refuses others', async () => {
  const admin = await open('admin');
  await admin.context.addInitScript((t) => localStorage.setItem('pinwheel.dashboard.token', t), ADMIN_TOKEN);
  const res = await admin.page.goto(`${BASE}/dashboard`);
  assert.equal(res.status(), 200);
  const sessions = admin.page.locator('[data-card="sessions"] .big');
  await sessions.waitFor();
  await admin.page.waitForFunction(() => {
    const el = document.querySelector('[data-card="sessions"] .big');
    return el && Number(el.textContent) >= 2;
  }, null, { timeout: WAIT });
  const perShard = await admin.page.locator('table.shards tbody td[data-col="sessions"]').allTextContents();
  assert.ok(perShard.length >= 1, 'one row per shard');
  assert.ok(perShard.map(Number).reduce((a, b) => a + b, 0) >= 2, `sessions per shard: ${perShard}`);
  // Let a few scrapes build the sparklines and the probe histogram.
  await admin.page.waitForFunction(() => {
    const probes = [...document.querySelectorAll('.quantiles div')].find((d) => d.textContent.startsWith('probes'));
    return probes && Number(probes.querySelector('strong').textContent) > 0;
  }, null, { timeout: WAIT });
  await admin.page.waitForTimeout(4000);
  await screenshot(admin.page, 'dashboard.png', true);
  await admin.context.close();

  // bob's client token is not an admin's: the dashboard says so and offers to log in.
  await users.bob.page.goto(`${BASE}/dashboard`);
  await users.bob.page.getByRole('heading', { name: 'Admins only' }).waitFor();
  await users.bob.page.getByText('Missing Permissions').waitFor();
});

test('no uncaught errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});
