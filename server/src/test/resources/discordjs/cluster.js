// One unmodified discord.js client on one node of a Pinwheel cluster, talking with a JDA bot on another node in a
// guild a third node owns. Usage: node cluster.js PORT TOKEN GUILD_ID CHANNEL_ID PEER_USER_ID
// Prints one "OK <step>" line per passed step; exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events, Partials } = require('discord.js');

const [port, token, guildId, channelId, peerId] = process.argv.slice(2);
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

(async () => {
  const c = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(30000, 'ready', ready);
  const heard = new Promise((r) => c.on(Events.MessageCreate, (m) => {
    if (m.author.id === peerId && m.channelId === channelId) r(m);
  }));
  const channel = await c.channels.fetch(channelId);
  if (!c.guilds.cache.get(guildId)) fail('the guild of another node is not in the cache after ready');
  step('ready');

  const sent = await channel.send('hello from discord.js on node 2');
  step('sent');
  await sent.edit('edited on node 2');
  step('edit');
  await sent.react('👍');
  step('reaction');
  const dm = await (await c.users.fetch(peerId)).createDM();
  await dm.send('a DM from node 2');
  step('dm');
  const m = await within(30000, 'the JDA bot\'s answer', heard);
  if (m.content !== 'hello from JDA on node 0') fail(`answer ${m.content}`);
  step('heard');
  await sent.delete();
  step('delete');
  await c.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
