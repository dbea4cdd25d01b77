// A bot's managed role as unmodified discord.js sees it. Usage: node managedrole.js PORT BOT_TOKEN GUILD ROLE BOT_ID
// Prints one "OK <step>" line per passed step; exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events } = require('discord.js');

const [port, token, guildId, roleId, botId] = process.argv.slice(2);
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

(async () => {
  const c = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(20000, 'ready', ready);
  const guild = c.guilds.cache.get(guildId);
  if (!guild) fail('the guild is not cached');
  const role = guild.roles.cache.get(roleId);
  if (!role) fail('the bot role is not cached');
  if (role.managed !== true) fail(`role.managed is ${role.managed}`);
  step('managed');
  if (!role.tags || role.tags.botId !== botId) fail(`role.tags is ${JSON.stringify(role.tags)}`);
  step('tags.botId');
  const byBot = guild.roles.botRoleFor(botId);
  if (!byBot || byBot.id !== roleId) fail(`botRoleFor gave ${byBot && byBot.id}`);
  step('botRoleFor');
  const fetched = (await guild.roles.fetch(undefined, { force: true })).get(roleId); // GET /guilds/{g}/roles
  if (!fetched || fetched.managed !== true || fetched.tags.botId !== botId) fail('a fetched role is not managed');
  step('fetched');
  const single = await guild.roles.fetch(roleId, { force: true }); // GET /guilds/{g}/roles/{r}
  if (!single || single.id !== roleId || single.managed !== true || single.tags.botId !== botId) {
    fail(`GET of the one role gave ${single && JSON.stringify(single.toJSON())}`);
  }
  step('fetched one');
  const others = guild.roles.cache.filter((r) => r.id !== roleId && r.managed);
  if (others.size !== 0) fail(`other roles claim to be managed: ${others.map((r) => r.name)}`);
  step('only it');
  await c.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
