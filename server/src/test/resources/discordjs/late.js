// One unmodified discord.js client that identifies while the node owning one of its guilds is down: the guild is
// unavailable after ready; when that node is back the same session gets it (guildAvailable) and then its messages.
// Usage: node late.js PORT TOKEN GUILD_ID CHANNEL_ID PEER_USER_ID FLAG_FILE
// Writes "waiting" to FLAG_FILE once it waits for the guild, "available" once it has it. Prints one "OK <step>" line per passed step; exits
// non-zero on the first failure.
const fs = require('fs');
const { Client, GatewayIntentBits, Events } = require('discord.js');

const [port, token, guildId, channelId, peerId, flag] = process.argv.slice(2);
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

(async () => {
  const c = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
  let reconnected = false;
  c.on(Events.ShardResume, () => { reconnected = true; });
  c.on(Events.ShardReconnecting, () => { reconnected = true; });
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  const available = new Promise((r) => c.on(Events.GuildAvailable, (g) => { if (g.id === guildId) r(g); }));
  const heard = new Promise((r) => c.on(Events.MessageCreate, (m) => {
    if (m.author.id === peerId && m.channelId === channelId) r(m);
  }));
  await c.login(token);
  await within(60000, 'ready', ready);
  const g = c.guilds.cache.get(guildId);
  if (g && g.available) fail('the guild is available while its owner node is down');
  step('unavailable');
  fs.writeFileSync(flag, 'waiting');
  const back = await within(120000, 'guildAvailable', available);
  if (!back.channels.cache.get(channelId)) fail('the guild came back without its channel');
  step('available');
  fs.writeFileSync(flag, 'available');
  const m = await within(60000, 'a message in the guild', heard);
  step(`heard ${m.content}`);
  if (reconnected) fail('the session reconnected');
  step('same session');
  await c.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
