// The web client's moderation UI in a real browser (Debian's Chromium driven by playwright-core), against the
// same server as web-client.test.js (PINWHEEL_URL, CHROMIUM_PATH).
//
// alice owns a guild that bob and carol joined. Through the UI: bob's kick is refused with the server's
// message; alice times bob out (his post is refused, everyone sees the badge) and lifts it, gives him a role,
// takes VIEW_CHANNEL and SEND_MESSAGES from @everyone in #staff (it disappears for bob and carol) and gives
// VIEW_CHANNEL back to the role (it reappears for bob only, who still cannot post there), lists the invites
// with their uses, creates one with a limit and revokes another, kicks carol, renames the guild (bob's rename
// is refused), bans bob (he cannot join again) and unbans him, and deletes the guild. With
// PINWHEEL_SCREENSHOTS set, the permission editor is saved as moderation.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { call, rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.PINWHEEL_SCREENSHOTS || '';
const MAX_SHOT_BYTES = 300 * 1024;
const WAIT = 15000;
const suffix = Math.random().toString(36).slice(2, 6);
const GUILD = 'Moderated Lounge';

let browser;
const users = {};
const ids = {};
const pageErrors = [];

/** Registers through REST and opens the client already logged in, on the guild's #general. */
async function open(name) {
  const username = `${name}_${suffix}`;
  const { token, user } = await rest('POST', '/auth/register', null, { username, password: `secret-${username}-pw` });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript((t) => localStorage.setItem('pinwheel.token', t), token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) console.log(`[${name} console] ${m.text()}`);
  });
  return { name, username, token, id: user.id, context, page };
}

async function show(u) {
  await u.page.goto(`${BASE}/#/channels/${ids.guild}/${ids.general}`);
  await u.page.locator('.status[data-state="connected"]').waitFor();
  await u.page.locator('.guild-title', { hasText: GUILD }).waitFor();
}

function members(u) {
  return u.page.getByRole('complementary', { name: 'Members' });
}

function member(u, who) {
  return members(u).locator('.member', { hasText: who.username });
}

/** Opens the member menu of who: right click (the context menu), or the "⋯" button. */
async function menuOf(u, who, { rightClick = true } = {}) {
  const entry = member(u, who);
  if (rightClick) {
    await entry.click({ button: 'right' });
  } else {
    await entry.hover();
    await entry.getByRole('button', { name: `Manage ${who.username}` }).click();
  }
  const menu = u.page.getByRole('menu', { name: `Manage ${who.username}` });
  await menu.waitFor();
  return menu;
}

function channel(u, name) {
  return u.page.getByRole('list', { name: 'Channels' }).locator('a.channel', { hasText: name });
}

async function screenshot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file });
  const size = statSync(file).size;
  console.log(`screenshot ${file} (${Math.round(size / 1024)} KiB)`);
  assert.ok(size < MAX_SHOT_BYTES, `${file} is ${size} bytes (limit ${MAX_SHOT_BYTES})`);
}

async function post(u, text) {
  const box = u.page.locator('.composer textarea');
  await box.fill(text);
  await box.press('Enter');
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
  for (const name of ['alice', 'bob', 'carol']) users[name] = await open(name);
  const { alice, bob, carol } = users;
  const g = await rest('POST', '/guilds', alice.token, { name: GUILD });
  ids.guild = g.id;
  const channels = await rest('GET', `/guilds/${g.id}/channels`, alice.token);
  ids.general = channels.find((c) => c.name === 'general').id;
  ids.staff = (await rest('POST', `/guilds/${g.id}/channels`, alice.token, { name: 'staff', type: 0 })).id;
  ids.role = (await rest('POST', `/guilds/${g.id}/roles`, alice.token, { name: 'Mods' })).id;
  ids.invite = (await rest('POST', `/channels/${ids.general}/invites`, alice.token, { max_age: 0 })).code;
  for (const u of [bob, carol]) await rest('POST', `/invites/${ids.invite}`, u.token);
  for (const u of [alice, bob, carol]) await show(u);
  for (const u of [alice, bob, carol]) {
    for (const who of [alice, bob, carol]) await member(u, who).waitFor();
  }
});

after(async () => {
  await browser?.close();
});

test('a refused kick shows the server\'s error', async () => {
  const { bob, carol } = users;
  const menu = await menuOf(bob, carol, { rightClick: false });
  await menu.getByRole('menuitem', { name: `Kick ${carol.username}…` }).click();
  const dlg = bob.page.getByRole('dialog', { name: `Kick ${carol.username}` });
  await dlg.getByRole('button', { name: 'Kick' }).click();
  await dlg.locator('.form-error', { hasText: 'Missing Permissions' }).waitFor();
  await dlg.getByRole('button', { name: 'Cancel' }).click();
  await member(bob, carol).waitFor();
});

test('a timeout from the member menu stops posting and shows on every side; it can be lifted', async () => {
  const { alice, bob, carol } = users;
  let menu = await menuOf(alice, bob);
  await menu.getByRole('menuitem', { name: 'Time out…' }).click();
  const dlg = alice.page.getByRole('dialog', { name: `Time out ${bob.username}` });
  await dlg.getByLabel('Duration').selectOption('600');
  await dlg.getByLabel('Reason').fill('cooling off');
  await dlg.getByRole('button', { name: 'Time out' }).click();
  for (const u of [alice, bob, carol]) await member(u, bob).locator('.badge', { hasText: 'timed out' }).waitFor();
  await post(bob, 'Can I still talk?');
  await bob.page.locator('article.message.failed .send-error', { hasText: 'Missing Permissions' }).waitFor();

  menu = await menuOf(alice, bob);
  await menu.getByRole('menuitem', { name: 'Remove timeout' }).click();
  for (const u of [alice, bob]) {
    await member(u, bob).locator('.badge', { hasText: 'timed out' }).waitFor({ state: 'detached' });
  }
  await post(bob, 'Back again.');
  await alice.page.locator('article.message', { hasText: 'Back again.' }).waitFor();
  // A timeout ends without an event: the badge goes when it ends.
  const until = new Date(Date.now() + 3000).toISOString();
  await rest('PATCH', `/guilds/${ids.guild}/members/${bob.id}`, alice.token, { communication_disabled_until: until });
  const badge = member(alice, bob).locator('.badge', { hasText: 'timed out' });
  await badge.waitFor();
  await badge.waitFor({ state: 'detached', timeout: 8000 });
  const log = await rest('GET', `/guilds/${ids.guild}/audit-logs?action_type=24`, alice.token);
  assert.ok(log.audit_log_entries.some((e) => e.reason === 'cooling off'), JSON.stringify(log.audit_log_entries));
});

test('roles are given from the member menu', async () => {
  const { alice, bob } = users;
  const menu = await menuOf(alice, bob);
  await menu.getByRole('menuitem', { name: 'Roles…' }).click();
  const dlg = alice.page.getByRole('dialog', { name: `Roles of ${bob.username}` });
  await dlg.getByLabel('Mods').check();
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.waitFor({ state: 'detached' });
  const m = await rest('GET', `/guilds/${ids.guild}/members/${bob.id}`, alice.token);
  assert.deepEqual(m.roles, [ids.role]);
});

test('the permission editor hides a channel from @everyone and shows it to a role', async () => {
  const { alice, bob, carol } = users;
  for (const u of [alice, bob, carol]) await channel(u, 'staff').waitFor();
  const item = alice.page.locator('.channel-item', { hasText: 'staff' });
  await item.hover();
  await item.getByRole('button', { name: 'Permissions of #staff' }).click();
  let dlg = alice.page.getByRole('dialog', { name: 'Permissions of #staff' });
  assert.equal(await dlg.getByLabel('Role or member').inputValue(), ids.guild, '@everyone first');
  await dlg.getByLabel('View channel').selectOption('deny');
  await dlg.getByLabel('Send messages').selectOption('deny');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.waitFor({ state: 'detached' });
  for (const u of [bob, carol]) await channel(u, 'staff').waitFor({ state: 'detached' });
  await channel(alice, 'staff').waitFor();

  await item.hover();
  await item.getByRole('button', { name: 'Permissions of #staff' }).click();
  dlg = alice.page.getByRole('dialog', { name: 'Permissions of #staff' });
  assert.equal(await dlg.getByLabel('View channel').inputValue(), 'deny', 'the saved overwrite is shown');
  await dlg.getByLabel('Role or member').selectOption({ label: '@Mods' });
  assert.equal(await dlg.getByLabel('View channel').inputValue(), 'inherit');
  await dlg.getByLabel('View channel').selectOption('allow');
  await screenshot(alice.page, 'moderation.png');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.waitFor({ state: 'detached' });
  await channel(bob, 'staff').waitFor();
  await bob.page.waitForTimeout(500);
  assert.equal(await channel(carol, 'staff').count(), 0, 'carol has no role that may view #staff');

  const ch = await rest('GET', `/channels/${ids.staff}`, alice.token);
  const everyone = ch.permission_overwrites.find((o) => o.id === ids.guild);
  assert.equal(everyone.deny, String((1n << 10n) | (1n << 11n)));
  await channel(bob, 'staff').click();
  await post(bob, 'Mods only?');
  await bob.page.locator('article.message.failed .send-error', { hasText: 'Missing Permissions' }).waitFor();
  await channel(bob, 'general').click();
});

test('the invite list shows uses, creates a limited invite and revokes one', async () => {
  const { alice } = users;
  await alice.page.getByRole('button', { name: 'Invites' }).click();
  const dlg = alice.page.getByRole('dialog', { name: `Invites of ${GUILD}` });
  const first = dlg.locator(`tr[data-code="${ids.invite}"]`);
  await first.locator('.uses', { hasText: /^2$/ }).waitFor();
  await dlg.getByLabel('Max uses').selectOption('1');
  await dlg.getByRole('button', { name: 'Create invite' }).click();
  const limited = dlg.locator('tbody tr', { has: alice.page.locator('.uses', { hasText: '0 / 1' }) });
  await limited.waitFor();
  ids.limited = await limited.getAttribute('data-code');
  await first.getByRole('button', { name: `Revoke ${ids.invite}` }).click();
  await first.waitFor({ state: 'detached' });
  const gone = await call('GET', `/invites/${ids.invite}`, alice.token);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10006);
  await dlg.getByRole('button', { name: 'Done' }).click();
});

test('a kick removes the member on every side', async () => {
  const { alice, bob, carol } = users;
  const menu = await menuOf(alice, carol);
  await menu.getByRole('menuitem', { name: `Kick ${carol.username}…` }).click();
  const dlg = alice.page.getByRole('dialog', { name: `Kick ${carol.username}` });
  await dlg.getByLabel('Reason').fill('testing kicks');
  await dlg.getByRole('button', { name: 'Kick' }).click();
  for (const u of [alice, bob]) await member(u, carol).waitFor({ state: 'detached' });
  await carol.page.locator('.toast', { hasText: `You are no longer in ${GUILD}` }).waitFor();
  await carol.page.locator('.empty-card', { hasText: `Welcome, ${carol.username}` }).waitFor();
});

test('guild settings rename the guild; a member without MANAGE_GUILD is refused', async () => {
  const { alice, bob } = users;
  await bob.page.getByRole('button', { name: 'Guild settings' }).click();
  let dlg = bob.page.getByRole('dialog', { name: `${GUILD} settings` });
  assert.equal(await dlg.getByRole('button', { name: 'Delete guild' }).count(), 0, 'only the owner may delete');
  await dlg.getByLabel('Guild name').fill('Bob was here');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.locator('.form-error:not(.inline)', { hasText: 'Missing Permissions' }).waitFor();
  await dlg.getByRole('button', { name: 'Cancel' }).click();

  await alice.page.getByRole('button', { name: 'Guild settings' }).click();
  dlg = alice.page.getByRole('dialog', { name: `${GUILD} settings` });
  await dlg.getByLabel('Guild name').fill('Renamed Lounge');
  await dlg.getByLabel('Description').fill('A quieter place');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.waitFor({ state: 'detached' });
  for (const u of [alice, bob]) await u.page.locator('.guild-title', { hasText: 'Renamed Lounge' }).waitFor();
});

test('a ban removes the member, refuses the rejoin and is lifted from the settings', async () => {
  const { alice, bob } = users;
  await post(bob, 'Something to regret');
  await alice.page.locator('article.message', { hasText: 'Something to regret' }).waitFor();
  const menu = await menuOf(alice, bob);
  await menu.getByRole('menuitem', { name: `Ban ${bob.username}…` }).click();
  const dlg = alice.page.getByRole('dialog', { name: `Ban ${bob.username}` });
  await dlg.getByLabel('Delete message history').selectOption('3600');
  await dlg.getByLabel('Reason').fill('spam');
  await dlg.getByRole('button', { name: 'Ban' }).click();
  await member(alice, bob).waitFor({ state: 'detached' });
  await alice.page.locator('article.message', { hasText: 'Something to regret' }).waitFor({ state: 'detached' });
  await bob.page.locator('.empty-card', { hasText: `Welcome, ${bob.username}` }).waitFor();
  const rejoin = await call('POST', `/invites/${ids.limited}`, bob.token);
  assert.equal(rejoin.status, 403);
  assert.equal(rejoin.body.code, 40007);

  await alice.page.getByRole('button', { name: 'Guild settings' }).click();
  const settings = alice.page.getByRole('dialog', { name: 'Renamed Lounge settings' });
  const row = settings.getByRole('list', { name: 'Bans' }).locator('li', { hasText: bob.username });
  await row.locator('.note', { hasText: 'spam' }).waitFor();
  await row.getByRole('button', { name: `Unban ${bob.username}` }).click();
  await row.waitFor({ state: 'detached' });
  await settings.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await call('GET', `/guilds/${ids.guild}/bans/${bob.id}`, alice.token)).status, 404);
});

test('the owner deletes the guild', async () => {
  const { alice } = users;
  await alice.page.getByRole('button', { name: 'Guild settings' }).click();
  const settings = alice.page.getByRole('dialog', { name: 'Renamed Lounge settings' });
  await settings.getByRole('button', { name: 'Delete guild' }).click();
  const confirm = alice.page.getByRole('dialog', { name: 'Delete Renamed Lounge' });
  await confirm.getByRole('button', { name: 'Delete guild' }).click();
  await alice.page.locator('.empty-card', { hasText: `Welcome, ${alice.username}` }).waitFor();
  assert.equal((await call('GET', `/guilds/${ids.guild}`, alice.token)).status, 404);
});

test('no uncaught errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});
