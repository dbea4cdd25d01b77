// Drives two unmodified Oceanic.js clients (their own REST client and gateway, not discord.js) against a
// Pinwheel node. Usage: node oceanic/smoke.js PORT
// Prints one "OK <step>" line per passed step; exits non-zero with "FAIL <why>" on the first failure.
// Oceanic's documented options are all it needs: rest.baseURL for REST, and the gateway URL comes from
// GET /gateway/bot (its default with automatic sharding).
const { Client, Intents } = require('oceanic.js');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const WAIT = 20000;
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail('timed out: the whole run'), 100000).unref();
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

function client(token) {
  const c = new Client({
    auth: `Bot ${token}`,
    rest: { baseURL: base },
    gateway: {
      intents: Intents.GUILDS | Intents.GUILD_MESSAGES | Intents.MESSAGE_CONTENT | Intents.GUILD_MEMBERS,
    },
  });
  c.on('error', (err, shard) => console.error(`oceanic error (shard ${shard}):`, err));
  c.on('warn', (msg, shard) => console.error(`oceanic warn (shard ${shard}): ${msg}`));
  if (process.env.PINWHEEL_LOG === 'DEBUG') c.on('debug', (msg) => console.error(`oceanic debug: ${msg}`));
  return c;
}

(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'oceanic_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'oceanic_b', password: 'password-b', bot: true });
  const guild = await rest('POST', '/guilds', a.token, { name: 'Oceanic guild' });
  const channelId = guild.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, a.token, {});
  await rest('POST', `/invites/${invite.code}`, b.token, {});

  const ca = client(a.token);
  const cb = client(b.token);
  const readyA = new Promise((r) => ca.once('ready', r));
  const readyB = new Promise((r) => cb.once('ready', r));
  await within(WAIT, 'connect b', cb.connect());
  await within(WAIT, 'connect a', ca.connect());
  await within(WAIT, 'both clients ready', Promise.all([readyA, readyB]));
  const g = cb.guilds.get(guild.id);
  if (!g || g.name !== 'Oceanic guild') fail('guild not in cache after ready');
  if (!cb.getChannel(channelId)) fail('channel not in cache');
  if (!g.members.get(a.user.id)) fail('member a not in cache');
  step('ready');

  const created = new Promise((r) => cb.on('messageCreate', (m) => m.channelID === channelId && r(m)));
  const channel = await within(WAIT, 'getChannel', ca.rest.channels.get(channelId));
  const sent = await within(WAIT, 'send', channel.createMessage({ content: 'hello from oceanic' }));
  const got = await within(WAIT, 'MESSAGE_CREATE', created);
  if (got.content !== 'hello from oceanic' || got.author.id !== a.user.id || got.guildID !== guild.id) {
    fail(`message mismatch: ${got.content} by ${got.author.id} in ${got.guildID}`);
  }
  step('message');

  const updated = new Promise((r) => cb.on('messageUpdate', (now) => now.id === sent.id && r(now)));
  await within(WAIT, 'edit', sent.edit({ content: 'edited by oceanic' }));
  if ((await within(WAIT, 'MESSAGE_UPDATE', updated)).content !== 'edited by oceanic') fail('edit');
  step('edit');

  const deleted = new Promise((r) => cb.on('messageDelete', (m) => m.id === sent.id && r(m)));
  await within(WAIT, 'delete', sent.delete());
  await within(WAIT, 'MESSAGE_DELETE', deleted);
  step('delete');

  for (let i = 0; i < 3; i++) await within(WAIT, 'send history', channel.createMessage({ content: `history ${i}` }));
  const page = await within(WAIT, 'history', cb.rest.channels.getMessages(channelId, { limit: 10 }));
  const contents = page.map((m) => m.content);
  if (JSON.stringify(contents) !== JSON.stringify(['history 2', 'history 1', 'history 0'])) {
    fail(`history ${JSON.stringify(contents)}`);
  }
  step('history');

  // Beyond smoke.js: the member list through the gateway (op 8 -> GUILD_MEMBERS_CHUNK) and a bulk delete
  // (MESSAGE_DELETE_BULK), two things bots commonly do.
  const members = await within(WAIT, 'fetchMembers', g.fetchMembers());
  const memberIds = members.map((m) => m.id).sort();
  if (JSON.stringify(memberIds) !== JSON.stringify([a.user.id, b.user.id].sort())) fail(`members ${memberIds}`);
  const queried = await within(WAIT, 'fetchMembers query', g.fetchMembers({ query: 'oceanic_a', limit: 10 }));
  if (queried.length !== 1 || queried[0].id !== a.user.id) fail(`query ${queried.map((m) => m.id)}`);
  step('members');

  const bulk = new Promise((r) => cb.on('messageDeleteBulk', (msgs) => r(msgs)));
  const ids = page.map((m) => m.id);
  await within(WAIT, 'deleteMessages', ca.rest.channels.deleteMessages(channelId, ids));
  const gone = await within(WAIT, 'MESSAGE_DELETE_BULK', bulk);
  if (JSON.stringify(gone.map((m) => m.id).sort()) !== JSON.stringify([...ids].sort())) fail('bulk delete ids');
  const left = await within(WAIT, 'history after bulk delete', cb.rest.channels.getMessages(channelId, { limit: 10 }));
  if (left.length !== 0) fail(`messages left after bulk delete: ${left.length}`);
  step('purge');
  ca.disconnect(false);
  cb.disconnect(false);
  process.exit(0);
})().catch((e) => fail(e.stack || e));
