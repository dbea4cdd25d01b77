// Drives two unmodified discord.js clients against a Pinwheel node. Usage: node smoke.js PORT
// Prints one "OK <step>" line per passed step; exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events, EmbedBuilder } = require('discord.js');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

async function rest(method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bot ${token}`;
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function client() {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessageReactions],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
}

(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'djs_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'djs_b', password: 'password-b', bot: true });
  const guild = await rest('POST', '/guilds', a.token, { name: 'discord.js guild' });
  const channelId = guild.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, a.token, {});
  await rest('POST', `/invites/${invite.code}`, b.token, {});

  const ca = client();
  const cb = client();
  const readyA = new Promise((r) => ca.once(Events.ClientReady, r));
  const readyB = new Promise((r) => cb.once(Events.ClientReady, r));
  await cb.login(b.token);
  await ca.login(a.token);
  await within(20000, 'both clients ready', Promise.all([readyA, readyB]));
  const g = cb.guilds.cache.get(guild.id);
  if (!g || g.name !== 'discord.js guild') fail('guild not in cache after ready');
  if (!cb.channels.cache.get(channelId)) fail('channel not in cache');
  step('ready');

  const created = new Promise((r) => cb.on(Events.MessageCreate, r));
  const channel = await ca.channels.fetch(channelId);
  const sent = await channel.send('hello from discord.js');
  const got = await within(20000, 'MESSAGE_CREATE', created);
  if (got.content !== 'hello from discord.js' || got.author.id !== a.user.id || got.guild?.id !== guild.id) {
    fail(`message mismatch: ${got.content} by ${got.author.id}`);
  }
  step('message');

  const updated = new Promise((r) => cb.on(Events.MessageUpdate, (_old, now) => r(now)));
  await sent.edit('edited by discord.js');
  if ((await within(20000, 'MESSAGE_UPDATE', updated)).content !== 'edited by discord.js') fail('edit');
  step('edit');

  const deleted = new Promise((r) => cb.on(Events.MessageDelete, r));
  await sent.delete();
  if ((await within(20000, 'MESSAGE_DELETE', deleted)).id !== sent.id) fail('delete');
  step('delete');

  for (let i = 0; i < 3; i++) await channel.send(`history ${i}`);
  const page = await (await cb.channels.fetch(channelId)).messages.fetch({ limit: 10 });
  const contents = [...page.values()].map((m) => m.content);
  if (JSON.stringify(contents) !== JSON.stringify(['history 2', 'history 1', 'history 0'])) {
    fail(`history ${JSON.stringify(contents)}`);
  }
  step('history');

  // an embed, a reply to it and a reaction on the reply, as the other client sees them
  const embedded = new Promise((r) => cb.on(Events.MessageCreate, (m) => { if (m.embeds.length) r(m); }));
  const card = await channel.send({ embeds: [new EmbedBuilder().setTitle('Release').setDescription('v1 is out')
    .setColor(0x2ecc71).addFields({ name: 'size', value: '42', inline: true })] });
  const e = (await within(20000, 'MESSAGE_CREATE with embed', embedded)).embeds[0];
  if (e.title !== 'Release' || e.color !== 0x2ecc71 || e.fields[0].value !== '42') fail(`embed ${JSON.stringify(e)}`);
  const replied = new Promise((r) => cb.on(Events.MessageCreate, (m) => { if (m.reference) r(m); }));
  const reply = await card.reply('answered');
  const r = await within(20000, 'MESSAGE_CREATE reply', replied);
  if (r.reference.messageId !== card.id || r.type !== 19) fail(`reply ${JSON.stringify(r.reference)} type ${r.type}`);
  const reacted = new Promise((res) => cb.on(Events.MessageReactionAdd, (re, user) => res([re, user])));
  await reply.react('👍');
  const [reaction, user] = await within(20000, 'MESSAGE_REACTION_ADD', reacted);
  if (reaction.emoji.name !== '👍' || user.id !== a.user.id) fail(`reaction ${reaction.emoji.name} by ${user.id}`);
  const again = await (await cb.channels.fetch(channelId)).messages.fetch({ message: reply.id, force: true });
  if (again.reactions.cache.get('👍')?.count !== 1) fail('reaction count on fetch');
  step('embed');
  await ca.destroy();
  await cb.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
