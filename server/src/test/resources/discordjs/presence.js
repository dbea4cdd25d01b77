// Presence through unmodified discord.js against a Pinwheel node.
// Usage: node presence.js PORT TOKEN_A TOKEN_B GUILD_ID USER_A
// A sets dnd; B must see presenceUpdate dnd ("OK dnd"); then, after a line "go" on stdin, A disconnects and B must
// see A offline ("OK offline"). Exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events, ActivityType } = require('discord.js');
const readline = require('node:readline');

const [port, tokenA, tokenB, guildId, userA] = process.argv.slice(2);
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

function client() {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildPresences],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
}

async function login(c, token) {
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(20000, 'ready', ready);
}

function presenceOf(c, status) {
  return new Promise((resolve) => {
    const listener = (_, now) => {
      if (now.userId === userA && now.guild?.id === guildId && now.status === status) {
        c.off(Events.PresenceUpdate, listener);
        resolve(now);
      }
    };
    c.on(Events.PresenceUpdate, listener);
  });
}

(async () => {
  const ca = client();
  const cb = client();
  await login(cb, tokenB);
  if (!cb.guilds.cache.get(guildId)) fail('guild not cached after ready');
  const online = presenceOf(cb, 'online');
  await login(ca, tokenA);
  await within(20000, 'presenceUpdate online', online);
  step('online');

  const dnd = presenceOf(cb, 'dnd');
  ca.user.setPresence({ status: 'dnd', activities: [{ name: 'the pinwheel', type: ActivityType.Playing }] });
  const seen = await within(20000, 'presenceUpdate dnd', dnd);
  if (seen.activities[0]?.name !== 'the pinwheel') fail(`activities: ${JSON.stringify(seen.activities)}`);
  const member = cb.guilds.cache.get(guildId).members.cache.get(userA);
  if (member?.presence?.status !== 'dnd') fail(`member presence: ${member?.presence?.status}`);
  step('dnd');

  const lines = readline.createInterface({ input: process.stdin });
  await within(60000, 'go', new Promise((r) => lines.once('line', r)));
  const offline = presenceOf(cb, 'offline');
  await ca.destroy();
  await within(20000, 'presenceUpdate offline', offline);
  step('offline');
  await cb.destroy();
  lines.close();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
