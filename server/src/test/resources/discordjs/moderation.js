// Moderation through unmodified discord.js against a Pinwheel node. Usage: node moderation.js PORT
// Prints one "OK <step>" line per passed step and, last, "STATE <json>" for the test to check after a restart;
// exits non-zero on the first failure.
const { Client, GatewayIntentBits, Events, AuditLogEvent } = require('discord.js');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildModeration, GatewayIntentBits.GuildInvites],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
}

async function login(c, token) {
  const ready = new Promise((r) => c.once(Events.ClientReady, r));
  await c.login(token);
  await within(20000, 'ready', ready);
}

(async () => {
  const a = await rest('POST', '/auth/register', null, { username: 'mod_a', password: 'password-a', bot: true });
  const b = await rest('POST', '/auth/register', null, { username: 'mod_b', password: 'password-b', bot: true });
  const c = await rest('POST', '/auth/register', null, { username: 'mod_c', password: 'password-c', bot: true });
  const d = await rest('POST', '/auth/register', null, { username: 'mod_d', password: 'password-d', bot: true });
  const created = await rest('POST', '/guilds', a.token, { name: 'moderated' });
  const channelId = created.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, a.token, { max_age: 0 });
  for (const u of [b, c, d]) await rest('POST', `/invites/${invite.code}`, u.token, {});

  const ca = client();
  const cb = client();
  const cd = client();
  await login(ca, a.token);
  await login(cb, b.token);
  await login(cd, d.token);
  const guild = ca.guilds.cache.get(created.id);
  if (!guild || !cb.guilds.cache.get(created.id)) fail('guild not cached after ready');
  step('ready');

  // kick: the moderator's client sees guildMemberRemove, the kicked one guildDelete and nothing of the guild after it
  const removed = new Promise((r) => ca.on(Events.GuildMemberRemove, (m) => { if (m.id === b.user.id) r(m); }));
  const gone = new Promise((r) => cb.on(Events.GuildDelete, (g) => { if (g.id === created.id) r(g); }));
  const seenByB = [];
  cb.on(Events.MessageCreate, (m) => seenByB.push(m.content));
  await (await guild.members.fetch(b.user.id)).kick('spamming links');
  await within(20000, 'guildMemberRemove', removed);
  await within(20000, 'guildDelete at the kicked client', gone);
  if (cb.guilds.cache.has(created.id)) fail('the kicked client still has the guild');
  const channel = await ca.channels.fetch(channelId);
  const own = new Promise((r) => ca.on(Events.MessageCreate, (m) => { if (m.content === 'after the kick') r(m); }));
  await channel.send('after the kick');
  await within(20000, 'own message', own);
  await sleep(1000);
  if (seenByB.length) fail(`the kicked client still receives the guild's messages: ${seenByB}`);
  step('kick');

  const kicks = await guild.fetchAuditLogs({ type: AuditLogEvent.MemberKick });
  const entry = kicks.entries.first();
  if (!entry || entry.executorId !== a.user.id || entry.targetId !== b.user.id || entry.reason !== 'spamming links') {
    fail(`audit log: ${JSON.stringify(entry)}`);
  }
  step('audit log');

  // ban: GUILD_BAN_ADD at the moderator's client; the banned account's invite join is refused
  await rest('POST', `/channels/${channelId}/messages`, c.token, { content: 'spam 1' });
  const banned = new Promise((r) => ca.on(Events.GuildBanAdd, (ban) => { if (ban.user.id === c.user.id) r(ban); }));
  await guild.bans.create(c.user.id, { reason: 'raid', deleteMessageSeconds: 3600 });
  await within(20000, 'guildBanAdd', banned);
  const fetched = await guild.bans.fetch(c.user.id);
  if (fetched.reason !== 'raid') fail(`ban reason ${fetched.reason}`);
  const history = await channel.messages.fetch({ limit: 50 });
  if ([...history.values()].some((m) => m.author.id === c.user.id)) fail('the banned account\'s messages remain');
  const refused = await raw('POST', `/invites/${invite.code}`, c.token, {});
  if (refused.status !== 403 || refused.body.code !== 40007) fail(`banned join: ${JSON.stringify(refused)}`);
  step('ban');

  // timeout: the member's own post is refused with 50013 until it ends
  await (await guild.members.fetch(d.user.id)).timeout(60_000, 'cool down');
  const dChannel = await cd.channels.fetch(channelId);
  try {
    await dChannel.send('while timed out');
    fail('a timed-out member posted');
  } catch (e) {
    if (e.code !== 50013) fail(`timed-out post: ${e}`);
  }
  await (await guild.members.fetch(d.user.id)).timeout(null);
  await dChannel.send('after the timeout');
  step('timeout');

  // overwrites: the channel hidden from @everyone; the member loses it (channelDelete), gets none of its messages and
  // cannot read it (50001), while the owner still sees it
  const lost = new Promise((r) => cd.on(Events.ChannelDelete, (gone) => { if (gone.id === channelId) r(gone); }));
  await channel.permissionOverwrites.edit(guild.roles.everyone, { ViewChannel: false }, { reason: 'staff only' });
  await within(20000, 'channelDelete at the member', lost);
  const seenByD = []; // from here on (the channel's earlier messages came before its CHANNEL_DELETE)
  cd.on(Events.MessageCreate, (m) => { if (m.channelId === channelId) seenByD.push(m.content); });
  const staff = new Promise((r) => ca.on(Events.MessageCreate, (m) => { if (m.content === 'for staff') r(m); }));
  await channel.send('for staff');
  await within(20000, 'the owner still sees the channel', staff);
  await sleep(1000);
  if (seenByD.length) fail(`the member still receives the hidden channel's messages: ${seenByD}`);
  try {
    await dChannel.messages.fetch({ limit: 5 });
    fail('the member read a hidden channel');
  } catch (err) {
    if (err.code !== 50001) fail(`hidden history: ${err}`);
  }
  const edits = await guild.fetchAuditLogs({ type: AuditLogEvent.ChannelOverwriteCreate });
  if (edits.entries.first()?.reason !== 'staff only') fail('overwrite audit entry');
  step('overwrites');

  // invites: max_uses enforced (the second join is 10006), real uses, INVITE_CREATE/DELETE, revoking
  const e = await rest('POST', '/auth/register', null, { username: 'mod_e', password: 'password-e', bot: true });
  const f = await rest('POST', '/auth/register', null, { username: 'mod_f', password: 'password-f', bot: true });
  const announced = new Promise((r) => ca.on(Events.InviteCreate, r));
  const once = await channel.createInvite({ maxUses: 1, maxAge: 0, reason: 'one guest' });
  if ((await within(20000, 'inviteCreate', announced)).code !== once.code) fail('inviteCreate code');
  const usedUp = new Promise((r) => ca.on(Events.InviteDelete, (i) => { if (i.code === once.code) r(i); }));
  await rest('POST', `/invites/${once.code}`, e.token, {});
  const second = await raw('POST', `/invites/${once.code}`, f.token, {});
  if (second.status !== 404 || second.body.code !== 10006) fail(`second join: ${JSON.stringify(second)}`);
  await within(20000, 'inviteDelete of the used-up invite', usedUp);
  const lasting = await channel.createInvite({ maxUses: 5, maxAge: 0 });
  await rest('POST', `/invites/${lasting.code}`, f.token, {});
  const listed = await guild.invites.fetch();
  if (listed.get(lasting.code)?.uses !== 1 || listed.has(once.code)) fail(`invites ${JSON.stringify([...listed.keys()])}`);
  await guild.invites.delete(lasting.code, 'rotated');
  if ((await raw('GET', `/invites/${lasting.code}`, f.token)).status !== 404) fail('a revoked invite still answers');
  step('invites');

  // temporary membership: a member who joined through a temporary invite leaves with their last session
  const t = await rest('POST', '/auth/register', null, { username: 'mod_t', password: 'password-t', bot: true });
  const temp = await channel.createInvite({ temporary: true, maxAge: 0 });
  if (!temp.temporary) fail('the invite is not temporary');
  await rest('POST', `/invites/${temp.code}`, t.token, {});
  const ct = client();
  await login(ct, t.token);
  const tempGone = new Promise((r) => ca.on(Events.GuildMemberRemove, (m) => { if (m.id === t.user.id) r(m); }));
  await ct.destroy();
  await within(20000, 'the temporary member removed when their session ended', tempGone);
  step('temporary');

  console.log(`STATE ${JSON.stringify({ guild: created.id, code: invite.code, a: a.token, c: c.token,
    cId: c.user.id, d: d.token, channel: channelId })}`);
  await ca.destroy();
  await cb.destroy();
  await cd.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
