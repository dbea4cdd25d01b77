// Interactions with unmodified discord.js: a bot posts a message with buttons (ActionRowBuilder, ButtonBuilder), a
// person clicks one the way Discord's client does (REST POST /interactions, type 3), the bot answers with
// interaction.update() and every client sees the MESSAGE_UPDATE; a slash command answered with deferReply() +
// editReply() (the interaction webhook's @original) and followUp().
// Usage: node interactions.js PORT. Prints one "OK <step>" line per passed step; exits non-zero on the first failure.
const {
  Client, GatewayIntentBits, Events, ActionRowBuilder, ButtonBuilder, ButtonStyle, MessageFlags,
} = require('discord.js');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}/api/v10`;
const step = (name) => console.log(`OK ${name}`);
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

async function rest(method, path, token, body, bot = true) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = bot ? `Bot ${token}` : token;
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function client() {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
}

(async () => {
  const bot = await rest('POST', '/auth/register', null, { username: 'djsi_bot', password: 'password-b', bot: true });
  const watcher = await rest('POST', '/auth/register', null,
    { username: 'djsi_watcher', password: 'password-w', bot: true });
  const person = await rest('POST', '/auth/register', null,
    { username: 'djsi_person', password: 'password-p', bot: false });
  const guild = await rest('POST', '/guilds', person.token, { name: 'discord.js interactions' }, false);
  const channelId = guild.channels[0].id;
  const invite = await rest('POST', `/channels/${channelId}/invites`, person.token, {}, false);
  await rest('POST', `/invites/${invite.code}`, bot.token, {});
  await rest('POST', `/invites/${invite.code}`, watcher.token, {});

  const cb = client();
  const cw = client();
  const ready = Promise.all([new Promise((r) => cb.once(Events.ClientReady, r)),
    new Promise((r) => cw.once(Events.ClientReady, r))]);
  await cb.login(bot.token);
  await cw.login(watcher.token);
  await within(20000, 'both clients ready', ready);

  let followed;
  const followedUp = new Promise((r) => { followed = r; });
  cb.on(Events.InteractionCreate, async (i) => {
    try {
      if (i.isButton() && i.customId === 'vote') {
        await i.update({ content: `voted by ${i.user.username}`, components: [] });
      } else if (i.isChatInputCommand() && i.commandName === 'slow') {
        await i.deferReply();
        await i.editReply(`done: ${i.options.getString('what')}`);
        const note = await i.followUp({ content: 'and a private note', flags: MessageFlags.Ephemeral });
        followed(note);
      }
    } catch (e) {
      fail(`interaction handler: ${e.stack || e}`);
    }
  });

  // buttons: posted, kept, clicked, updated for everyone
  const channel = await cb.channels.fetch(channelId);
  const row = new ActionRowBuilder().addComponents(
    new ButtonBuilder().setCustomId('vote').setLabel('Vote').setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setURL('https://example.com').setLabel('Docs').setStyle(ButtonStyle.Link));
  const posted = await channel.send({ content: 'vote here', components: [row] });
  if (posted.components.length !== 1 || posted.components[0].components[0].customId !== 'vote') {
    fail(`components not echoed: ${JSON.stringify(posted.components)}`);
  }
  step('buttons');

  const updated = new Promise((r) => cw.on(Events.MessageUpdate, (_old, now) => {
    if (now.id === posted.id) r(now);
  }));
  await rest('POST', '/interactions', person.token, {
    type: 3, application_id: bot.user.id, guild_id: guild.id, channel_id: channelId, message_id: posted.id,
    session_id: 'web', nonce: 'click-1', data: { custom_id: 'vote', component_type: 2 },
  }, false);
  const now = await within(20000, 'MESSAGE_UPDATE after interaction.update()', updated);
  if (now.content !== 'voted by djsi_person' || now.components.length !== 0) {
    fail(`update: ${now.content} ${JSON.stringify(now.components)}`);
  }
  step('update');

  // a slash command: deferred, then edited through the interaction's webhook, then a follow-up
  const command = (await cb.application.commands.set([{
    name: 'slow', description: 'Takes its time', options: [{ name: 'what', description: 'what', type: 3,
      required: true }],
  }], guild.id)).first();
  const edited = new Promise((r) => cw.on(Events.MessageUpdate, (_old, m) => {
    if (m.content.startsWith('done:')) r(m);
  }));
  await rest('POST', '/interactions', person.token, {
    type: 2, application_id: bot.user.id, guild_id: guild.id, channel_id: channelId, session_id: 'web',
    nonce: 'slash-1', data: { id: command.id, name: 'slow', type: 1, options: [{ name: 'what', type: 3,
      value: 'the thing' }] },
  }, false);
  const m = await within(20000, 'the deferred reply edited', edited);
  if (m.content !== 'done: the thing' || m.interactionMetadata?.user?.id !== person.user.id) {
    fail(`deferred reply: ${m.content} ${JSON.stringify(m.interactionMetadata)}`);
  }
  const note = await within(20000, 'the ephemeral follow-up', followedUp);
  if (!note.flags.has(MessageFlags.Ephemeral)) fail(`follow-up flags ${note.flags.bitfield}`);
  step('deferred');

  await cb.destroy();
  await cw.destroy();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
