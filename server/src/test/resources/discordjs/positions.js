// Role and channel positions through unmodified discord.js. Usage: node positions.js PORT
// Prints one "OK <step>" line per passed step, then "STATE <json>" for the restart check; exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events, ChannelType } = require('discord.js');

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

function client() {
  return new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `http://127.0.0.1:${port}/api` } });
}

async function login(c, token) {
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(20000, 'ready', ready);
}

// Waits until the watcher's cache shows what `check` wants (events carry the changes).
async function until(what, check) {
  const deadline = Date.now() + 20000;
  while (!check()) {
    if (Date.now() > deadline) fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'pos_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'pos_b', password: 'password-b', bot: true });
  const created = await rest('POST', '/guilds', a.token, { name: 'ordered' });
  const invite = await rest('POST', `/channels/${created.channels[0].id}/invites`, a.token, { max_age: 0 });
  await rest('POST', `/invites/${invite.code}`, b.token, {});

  const ca = client();
  const cb = client();
  await login(ca, a.token);
  await login(cb, b.token);
  const guild = ca.guilds.cache.get(created.id);
  const watched = cb.guilds.cache.get(created.id);
  if (!guild || !watched) fail('guild not cached after ready');
  const red = await guild.roles.create({ name: 'red' });
  const green = await guild.roles.create({ name: 'green' });
  const blue = await guild.roles.create({ name: 'blue' }); // each new role sits at 1: blue 1, green 2, red 3
  const order = (g) => g.roles.cache.filter((r) => r.id !== g.id).sort((x, y) => x.position - y.position)
    .map((r) => r.name).join(',');
  await until('three roles at the watcher', () => order(watched) === 'blue,green,red');
  step('created');

  await guild.roles.setPositions([{ role: red.id, position: 1 }]); // PATCH /guilds/{g}/roles
  await until(`red moved down at the watcher (${order(watched)})`, () => order(watched) === 'red,blue,green');
  // setPosition below reorders the mover's own cache and sends the whole list: that cache must hold the other
  // roles' new positions too. setPositions wrote only red's into it; blue's and green's come as GUILD_ROLE_UPDATE,
  // to the mover's connection as to any other, and the watcher seeing them says nothing of when the mover does.
  await until(`red moved down at the mover (${order(guild)})`, () => order(guild) === 'red,blue,green'
    && guild.roles.cache.get(blue.id).rawPosition === 2 && guild.roles.cache.get(green.id).rawPosition === 3);
  const listed = (await rest('GET', `/guilds/${created.id}/roles`, b.token)).map((r) => `${r.name}:${r.position}`);
  if (listed.join(' ') !== '@everyone:0 red:1 blue:2 green:3') fail(`GET roles gave ${listed.join(' ')}`);
  step('setPositions');

  await guild.roles.cache.get(green.id).setPosition(1); // discord.js sends the whole reordered list
  await until(`green moved to the bottom (${order(watched)})`, () => order(watched) === 'green,red,blue');
  step('setPosition');

  // b holds no MANAGE_ROLES: refused with 50013, nothing moved
  const refused = await raw('PATCH', `/guilds/${created.id}/roles`, b.token, [{ id: blue.id, position: 1 }]);
  if (refused.status !== 403 || refused.body.code !== 50013) fail(`b moved a role: ${JSON.stringify(refused)}`);
  const bad = await raw('PATCH', `/guilds/${created.id}/roles`, a.token, [{ id: blue.id }]);
  if (bad.status !== 400 || bad.body.code !== 50035) fail(`a move without a position: ${JSON.stringify(bad)}`);
  if (order(watched) !== 'green,red,blue') fail(`a refused move changed ${order(watched)}`);
  step('refused');

  const category = await guild.channels.create({ name: 'lobby', type: ChannelType.GuildCategory });
  await category.permissionOverwrites.create(guild.id, { AddReactions: false });
  const text = await guild.channels.create({ name: 'later', type: ChannelType.GuildText });
  await until('channels at the watcher', () => watched.channels.cache.has(text.id));
  await text.setParent(category.id, { lockPermissions: true }); // PATCH /channels/{c}
  await guild.channels.setPositions([{ channel: text.id, position: 7 }]); // PATCH /guilds/{g}/channels
  await until('the channel moved at the watcher', () => {
    const seen = watched.channels.cache.get(text.id);
    return seen && seen.rawPosition === 7 && seen.parentId === category.id;
  });
  await guild.channels.setPositions([{ channel: text.id, position: 2, parent: null }]);
  await until('the channel left its category at the watcher', () => {
    const seen = watched.channels.cache.get(text.id);
    return seen && seen.rawPosition === 2 && seen.parentId === null;
  });
  await guild.channels.setPositions([{ channel: text.id, parent: category.id, lockPermissions: true }]);
  const locked = await rest('GET', `/channels/${text.id}`, a.token);
  if (locked.parent_id !== category.id || locked.permission_overwrites.length !== 1
      || locked.permission_overwrites[0].id !== created.id) {
    fail(`lock_permissions gave ${JSON.stringify(locked)}`);
  }
  const unknown = await raw('PATCH', `/guilds/${created.id}/channels`, a.token, [{ id: '1234', position: 1 }]);
  if (unknown.status !== 404 || unknown.body.code !== 10003) fail(`an unknown channel: ${JSON.stringify(unknown)}`);
  step('channels');
  console.log(`STATE ${JSON.stringify({ guild: created.id, a: a.token, channel: text.id, category: category.id })}`);
  await ca.destroy();
  await cb.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
