// discord.js side of the attachment test. Usage: node files.js PORT TOKEN CHANNEL_ID PEER_ID
// 1. sends a 200 KiB deterministic buffer with channel.send({files: [buffer]}) and prints "SENT <id> <size>";
// 2. waits for a message with an attachment from PEER_ID (JDA's sendFiles) and prints "RECEIVED <json>".
const crypto = require('node:crypto');
const { Client, GatewayIntentBits, Events } = require('discord.js');

const [port, token, channelId, peerId] = process.argv.slice(2);
const within = (ms, what, promise) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

function deterministic(size) {
  const out = Buffer.alloc(size);
  let x = 0x2545F491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

(async () => {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
  const ready = new Promise((r) => client.once(Events.ClientReady, r));
  const fromPeer = new Promise((resolve) => client.on(Events.MessageCreate, (m) => {
    if (m.author.id === peerId && m.attachments.size > 0) resolve(m);
  }));
  await client.login(token);
  await within(30000, 'ready', ready);
  const channel = await client.channels.fetch(channelId);
  const data = deterministic(200 * 1024);
  const sent = await channel.send({ content: 'a file from discord.js', files: [data] });
  const att = sent.attachments.first();
  console.log(`SENT ${sent.id} ${att.size} ${crypto.createHash('sha256').update(data).digest('hex')}`);
  const got = await within(60000, 'a file from JDA', fromPeer);
  const a = got.attachments.first();
  const body = Buffer.from(await (await fetch(a.url)).arrayBuffer());
  console.log('RECEIVED ' + JSON.stringify({ name: a.name, size: a.size, contentType: a.contentType,
    width: a.width, height: a.height, downloaded: body.length,
    sha256: crypto.createHash('sha256').update(body).digest('hex') }));
  await client.destroy();
  process.exit(0);
})().catch((e) => { console.error(`FAIL ${e.stack || e}`); process.exit(1); });
