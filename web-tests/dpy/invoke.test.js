// Driven by BrowserDiscordPyTest (not part of `npm test`): a discord.py bot (web_bot.py) is running in the guild;
// the user, logged in to the web client, picks /hello in the "/" picker, fills its option and runs it; the bot's
// answer appears in the channel. Env: PINWHEEL_URL, CHROMIUM_PATH, USER_TOKEN, USERNAME, GUILD_ID, CHANNEL_ID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = (process.env.PINWHEEL_URL || '').replace(/\/$/, '');
const { USER_TOKEN, USERNAME, GUILD_ID, CHANNEL_ID } = process.env;
let browser;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  assert.deepEqual(pageErrors, []);
});

test('the web client invokes a discord.py slash command and shows its answer', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  context.setDefaultTimeout(15000);
  await context.addInitScript((t) => localStorage.setItem('pinwheel.token', t), USER_TOKEN);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${BASE}/#/channels/${GUILD_ID}/${CHANNEL_ID}`);
  await page.locator('.status[data-state="connected"]').waitFor();
  await page.getByRole('textbox', { name: 'Message' }).fill('/hel');
  const picker = page.getByRole('listbox', { name: 'Commands' });
  await picker.getByRole('option', { name: /\/hello/ }).click();
  await picker.getByLabel('mood').fill('well');
  await picker.getByRole('button', { name: 'Run' }).click();
  const answer = page.locator('article.message', { hasText: `hello, ${USERNAME}, glad you are well` });
  await answer.waitFor();
  await answer.locator('.interaction-note', { hasText: `${USERNAME} used /hello` }).waitFor();
});
