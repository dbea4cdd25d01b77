// Mentions through unmodified discord.js against a Pinwheel node. Usage: node mentions.js PORT
// Prints one "OK <step>" line per passed step and, last, "STATE <json>" for the test to check after a restart;
// exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events } = require('discord.js');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

async function raw(method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bot ${token}`;
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function rest(method, path, token, body) {
  const r = await raw(method, path, token, body);
  if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

function client(withContent) {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages];
  if (withContent) intents.push(GatewayIntentBits.MessageContent);
  return new Client({ intents, rest: { api: `http://127.0.0.1:${port}/api` } });
}

async function login(c, token) {
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(20000, 'ready', ready);
}

// every MessageCreate / MessageUpdate a client sees, by message id, from login on (an event may arrive before the
// REST answer of the send that caused it): seen(c, event, id) resolves with it, now or when it comes
const received = new Map();
function track(c) {
  for (const event of [Events.MessageCreate, Events.MessageUpdate]) {
    c.on(event, (...args) => {
      const m = args[args.length - 1];
      const key = `${event}/${m.id}`;
      const slot = received.get(c) || new Map();
      received.set(c, slot);
      const waiting = slot.get(key);
      if (typeof waiting === 'function') waiting(m);
      else slot.set(key, m);
    });
  }
}

function seen(c, event, id) {
  const slot = received.get(c) || new Map();
  received.set(c, slot);
  const key = `${event}/${id}`;
  const have = slot.get(key);
  if (have && typeof have !== 'function') return Promise.resolve(have);
  return within(20000, `${event} ${id}`, new Promise((r) => slot.set(key, r)));
}

(async () => {
  const owner = await rest('POST', '/auth/register', null, { username: 'men_owner', password: 'password-o', bot: true });
  const pinged = await rest('POST', '/auth/register', null, { username: 'men_pinged', password: 'password-p', bot: true });
  const other = await rest('POST', '/auth/register', null, { username: 'men_other', password: 'password-q', bot: true });
  const created = await rest('POST', '/guilds', owner.token, { name: 'mentions' });
  const channelId = created.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, owner.token, { max_age: 0 });
  for (const u of [pinged, other]) await rest('POST', `/invites/${invite.code}`, u.token, {});
  const role = await rest('POST', `/guilds/${created.id}/roles`, owner.token, { name: 'pingable' });

  const co = client(true);        // the owner, with MESSAGE_CONTENT
  const cp = client(false);       // a bot without MESSAGE_CONTENT that gets mentioned
  const cq = client(false);       // a bot without MESSAGE_CONTENT that does not
  for (const c of [co, cp, cq]) track(c);
  await login(co, owner.token);
  await login(cp, pinged.token);
  await login(cq, other.token);
  const channel = await co.channels.fetch(channelId);
  step('ready');

  // a bot without MESSAGE_CONTENT mentioned by <@id> gets the content; one not mentioned gets ""
  const text = `hello <@${pinged.user.id}>`;
  const sent = await channel.send(text);
  const [atP, atQ, atO] = await Promise.all([seen(cp, Events.MessageCreate, sent.id),
    seen(cq, Events.MessageCreate, sent.id), seen(co, Events.MessageCreate, sent.id)]);
  if (atP.content !== text) fail(`the mentioned bot got "${atP.content}"`);
  if (atQ.content !== '') fail(`the bot not mentioned got "${atQ.content}"`);
  if (!atP.mentions.users.has(pinged.user.id) || atP.mentions.users.size !== 1) fail('mentions.users at the mentioned');
  if (!atO.mentions.users.has(pinged.user.id)) fail('mentions.users at the owner');
  if (!atO.mentions.members || !atO.mentions.members.has(pinged.user.id)) fail('mentions.members (member in mentions)');
  if (!sent.mentions.users.has(pinged.user.id)) fail('mentions in the REST answer');
  step('content for the mentioned');

  // <@!id>, a role and @everyone by the owner (who has MENTION_EVERYONE)
  const all = await channel.send(`<@!${other.user.id}> <@&${role.id}> @everyone`);
  const [allAtO, allAtQ] = await Promise.all([seen(co, Events.MessageCreate, all.id),
    seen(cq, Events.MessageCreate, all.id)]);
  if (!allAtO.mentions.users.has(other.user.id)) fail('<@!id> not in mentions.users');
  if (!allAtO.mentions.roles.has(role.id)) fail(`mentions.roles: ${[...allAtO.mentions.roles.keys()]}`);
  if (!allAtO.mentions.everyone) fail('mentions.everyone');
  if (allAtQ.content === '') fail('the bot mentioned by <@!id> did not get the content');
  step('roles and everyone');

  // @everyone by a member without MENTION_EVERYONE is plain text
  const cpChannel = await cp.channels.fetch(channelId);
  const plain = await cpChannel.send({ content: '@everyone look' });
  const plainAtO = await seen(co, Events.MessageCreate, plain.id);
  if (plainAtO.mentions.everyone || plainAtO.content !== '@everyone look') fail('@everyone without the permission');
  step('everyone needs the permission');

  // allowed_mentions: parse [] suppresses the ping (and so the content exception); a list allows only its ids
  const quiet = await channel.send({ content: `<@${pinged.user.id}> @everyone`, allowedMentions: { parse: [] } });
  const [quietAtO, quietAtP] = await Promise.all([seen(co, Events.MessageCreate, quiet.id),
    seen(cp, Events.MessageCreate, quiet.id)]);
  if (quietAtO.mentions.users.size !== 0 || quietAtO.mentions.everyone) fail('allowed_mentions parse [] ignored');
  if (quietAtP.content !== '') fail('a suppressed mention still gave the content');
  const listed = await channel.send({ content: `<@${pinged.user.id}> <@${other.user.id}>`,
    allowedMentions: { users: [other.user.id] } });
  const listedAtO = await seen(co, Events.MessageCreate, listed.id);
  if (listedAtO.mentions.users.size !== 1 || !listedAtO.mentions.users.has(other.user.id)) {
    fail(`allowed_mentions.users: ${[...listedAtO.mentions.users.keys()]}`);
  }
  const both = await raw('POST', `/channels/${channelId}/messages`, owner.token,
    { content: 'x', allowed_mentions: { parse: ['users'], users: [pinged.user.id] } });
  if (both.status !== 400 || both.body.code !== 50035
    || both.body.errors?.allowed_mentions?._errors?.[0]?.code !== 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE') {
    fail(`parse + users: ${JSON.stringify(both)}`);
  }
  const badParse = await raw('POST', `/channels/${channelId}/messages`, owner.token,
    { content: 'x', allowed_mentions: { parse: ['nobody'] } });
  if (badParse.status !== 400 || !badParse.body.errors?.allowed_mentions?.parse?.['0']) {
    fail(`bad parse value: ${JSON.stringify(badParse)}`);
  }
  step('allowed_mentions');

  // an edit that adds a mention: MESSAGE_UPDATE carries it, and the newly mentioned bot gets the content
  const edited = `now <@${other.user.id}>`;
  await sent.edit(edited);
  const u = await seen(cq, Events.MessageUpdate, sent.id);
  if (u.content !== edited || !u.mentions.users.has(other.user.id)) fail(`edit: "${u.content}"`);
  step('edit');

  // history keeps them
  const history = await channel.messages.fetch({ limit: 20 });
  const h = history.get(all.id);
  if (!h.mentions.everyone || !h.mentions.roles.has(role.id) || !h.mentions.users.has(other.user.id)) {
    fail('history lost the mentions');
  }
  step('history');
  console.log(`STATE ${JSON.stringify({ token: owner.token, channel: channelId, all: all.id, sent: sent.id,
    role: role.id, other: other.user.id, pinged: pinged.user.id })}`);
  await Promise.all([co.destroy(), cp.destroy(), cq.destroy()]);
  process.exit(0);
})().catch((e) => fail(e.stack || e));
