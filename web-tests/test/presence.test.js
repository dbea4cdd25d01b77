// Presence and the lazy member list in a real browser: two users who share a guild (made over REST), each in its
// own browser context. The member list is the server's op 14 list: grouped Online/Offline with presence dots. Bob
// picks "Do Not Disturb" in his status picker: alice sees his dot turn dnd; "Invisible": alice sees him offline, in
// the Offline group; "Online" again brings him back. A reload keeps bob's pick (it is sent in IDENTIFY).
// A hoisted role (hoist: true) shows as a group of its own above Online, with the role's name.
//
//   PINWHEEL_URL=http://127.0.0.1:PORT [CHROMIUM_PATH=/usr/bin/chromium] node --test test/presence.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { rest } from '../support/api.js';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = 15000;
const suffix = Math.random().toString(36).slice(2, 6);

let browser;
const pageErrors = [];

async function openAs(name, token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript((t) => { if (!localStorage.getItem('pinwheel.token')) localStorage.setItem('pinwheel.token', t); }, token);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  await page.goto(`${BASE}/`);
  await page.locator('.status[data-state="connected"]').waitFor();
  return { context, page };
}

function memberRow(page, userId) {
  return page.getByRole('complementary', { name: 'Members' }).locator(`li.member[data-user="${userId}"]`);
}

before(async () => {
  assert.ok(BASE, 'PINWHEEL_URL must name the server');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

test('the member list is grouped and follows bob\'s status picker live', async () => {
  const alice = await rest('POST', '/auth/register', null, { username: `pres_alice_${suffix}`, password: 'secret-alice-pw' });
  const bob = await rest('POST', '/auth/register', null, { username: `pres_bob_${suffix}`, password: 'secret-bob-pw' });
  const carol = await rest('POST', '/auth/register', null, { username: `pres_carol_${suffix}`, password: 'secret-carol-pw' });
  const guild = await rest('POST', '/guilds', alice.token, { name: 'Presence Hall' });
  const invite = await rest('POST', `/channels/${guild.channels[0].id}/invites`, alice.token, {});
  await rest('POST', `/invites/${invite.code}`, bob.token, {});
  await rest('POST', `/invites/${invite.code}`, carol.token, {});

  const a = await openAs('alice', alice.token);
  const members = a.page.getByRole('complementary', { name: 'Members' });
  await members.locator('li.member-group[data-group="online"]').waitFor();
  await members.locator('li.member-group[data-group="offline"]', { hasText: 'Offline — 2' }).waitFor();
  await memberRow(a.page, carol.user.id).and(a.page.locator('[data-status="offline"]')).waitFor();

  const b = await openAs('bob', bob.token);
  await memberRow(a.page, bob.user.id).and(a.page.locator('[data-status="online"]')).waitFor();
  await members.locator('li.member-group[data-group="online"]', { hasText: 'Online — 2' }).waitFor();
  // bob is listed in the Online group: before the Offline header
  const order = await members.locator('li').evaluateAll((els) => els.map((e) => e.dataset.group || e.dataset.user));
  assert.ok(order.indexOf(bob.user.id) < order.indexOf('offline'), `bob among the online: ${order}`);

  await b.page.getByLabel('Status').selectOption('dnd');
  await memberRow(a.page, bob.user.id).and(a.page.locator('[data-status="dnd"]')).waitFor();
  await memberRow(a.page, bob.user.id).locator('.presence-dot[data-status="dnd"]').waitFor();

  await b.page.getByLabel('Status').selectOption('invisible');
  await memberRow(a.page, bob.user.id).and(a.page.locator('[data-status="offline"]')).waitFor();
  await members.locator('li.member-group[data-group="offline"]', { hasText: 'Offline — 2' }).waitFor();

  // the pick survives a reload: IDENTIFY carries it
  await b.page.reload();
  await b.page.locator('.status[data-state="connected"]').waitFor();
  assert.equal(await b.page.getByLabel('Status').inputValue(), 'invisible');
  await b.page.getByLabel('Status').selectOption('online');
  await memberRow(a.page, bob.user.id).and(a.page.locator('[data-status="online"]')).waitFor();
  assert.deepEqual(pageErrors, []);
});

test('a hoisted role groups its members above Online, and taking it moves them back', async () => {
  const alice = await rest('POST', '/auth/register', null, { username: `hoist_alice_${suffix}`, password: 'secret-alice-pw' });
  const bob = await rest('POST', '/auth/register', null, { username: `hoist_bob_${suffix}`, password: 'secret-bob-pw' });
  const guild = await rest('POST', '/guilds', alice.token, { name: 'Hoist Hall' });
  const invite = await rest('POST', `/channels/${guild.channels[0].id}/invites`, alice.token, {});
  await rest('POST', `/invites/${invite.code}`, bob.token, {});
  const role = await rest('POST', `/guilds/${guild.id}/roles`, alice.token, { name: 'Moderators', hoist: true });
  assert.equal(role.hoist, true);
  await rest('PUT', `/guilds/${guild.id}/members/${bob.user.id}/roles/${role.id}`, alice.token);

  const b = await openAs('bob', bob.token);
  const a = await openAs('alice', alice.token);
  const members = a.page.getByRole('complementary', { name: 'Members' });
  await members.locator(`li.member-group[data-group="${role.id}"]`, { hasText: 'Moderators — 1' }).waitFor();
  await memberRow(a.page, bob.user.id).and(a.page.locator('[data-status="online"]')).waitFor();
  const order = await members.locator('li').evaluateAll((els) => els.map((e) => e.dataset.group || e.dataset.user));
  assert.ok(order.indexOf(role.id) < order.indexOf(bob.user.id) && order.indexOf(bob.user.id) < order.indexOf('online'),
    `bob under Moderators, above Online: ${order}`);

  // the role is taken: bob moves under Online, live, and the Moderators header goes
  await rest('DELETE', `/guilds/${guild.id}/members/${bob.user.id}/roles/${role.id}`, alice.token);
  await members.locator('li.member-group[data-group="online"]', { hasText: 'Online — 2' }).waitFor();
  await members.locator(`li.member-group[data-group="${role.id}"]`).waitFor({ state: 'detached' });
  await a.context.close();
  await b.context.close();
  assert.deepEqual(pageErrors, []);
});
