// Two unmodified discord.js clients with @discordjs/voice in one Pinwheel voice channel: A plays pre-encoded
// Opus packets (StreamType.Opus, passed through unchanged), B receives them through its VoiceReceiver and checks
// that every packet arrives byte-identical and in order, mapped to A.
// Usage: NODE_EXTRA_CA_CERTS=voice-tls.crt node voice.js PORT GUILD_ID VOICE_CHANNEL_ID TOKEN_A TOKEN_B MODE
// PORT may be PORT_A,PORT_B: A and B then use the REST API and gateway of different nodes of a cluster.
// Prints "INFO endpoint <group> <endpoint>" for each VOICE_SERVER_UPDATE a client gets.
// Prints one "OK <step>" line per passed step; on the first failure prints "FAIL <reason>" and exits 1.
const { Readable } = require('node:stream');
const { Client, GatewayIntentBits, Events, ChannelType } = require('discord.js');
const {
  joinVoiceChannel, entersState, VoiceConnectionStatus, createAudioPlayer, createAudioResource, StreamType,
  AudioPlayerStatus, EndBehaviorType, NoSubscriberBehavior,
} = require('@discordjs/voice');

const [ports, guildId, channelId, tokenA, tokenB, mode] = process.argv.slice(2);
const [portA, portB = portA] = ports.split(',');
const SEQUENCE = 50;
const PREAMBLE = 1;
const PAYLOAD = 2;
const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]); // what the library itself sends around a resource
const debugLog = [];
const clients = [];
const connections = [];
let player;

const step = (name) => console.log(`OK ${name}`);
const within = (ms, what, promise) => {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
};

async function cleanup() {
  try {
    player?.stop(true);
    for (const c of connections) {
      if (c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
    }
    await Promise.all(clients.map((c) => c.destroy()));
  } catch (e) {
    console.error(`cleanup: ${e.stack || e}`);
  }
}

let failed = false;
async function fail(why) {
  if (failed) return;
  failed = true;
  console.error(`FAIL ${why}`);
  console.error(`last voice debug lines:\n${debugLog.slice(-40).join('\n')}`);
  await within(5000, 'cleanup', cleanup()).catch(() => {});
  process.exit(1);
}
setTimeout(() => fail('whole script took longer than 90 s'), 90000).unref();

// A small Opus packet (TOC 0xFC: CELT fullband 20 ms, stereo, one frame) that carries its kind and index.
function frame(kind, index) {
  const f = Buffer.alloc(44);
  f[0] = 0xfc;
  f[1] = kind;
  f.writeUInt16BE(index & 0xffff, 2);
  for (let i = 4; i < f.length; i++) f[i] = (index * 31 + i * 7) & 0xff;
  return f;
}

function client(port, group) {
  const c = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: { api: `http://127.0.0.1:${port}/api` },
  });
  c.on(Events.Raw, (packet) => {
    if (packet.t === 'VOICE_SERVER_UPDATE') console.log(`INFO endpoint ${group} ${packet.d.endpoint}`);
  });
  clients.push(c);
  return c;
}

async function join(c, group) {
  const guild = c.guilds.cache.get(guildId);
  if (!guild) throw new Error(`${group}: guild ${guildId} not in cache`);
  const channel = guild.channels.cache.get(channelId);
  if (!channel || channel.type !== ChannelType.GuildVoice) throw new Error(`${group}: no voice channel ${channelId}`);
  // One process, two bots, one guild: each bot needs its own connection group.
  const connection = joinVoiceChannel({
    channelId, guildId, adapterCreator: guild.voiceAdapterCreator, group, selfDeaf: false, selfMute: false,
    daveEncryption: false, debug: true,
  });
  connections.push(connection);
  connection.on('debug', (m) => {
    if (!m.includes('state change')) debugLog.push(`[${group}] ${m}`);
  });
  connection.on('error', (e) => fail(`${group}: voice connection error: ${e.stack || e}`));
  connection.on('stateChange', (old, now) => {
    debugLog.push(`[${group}] connection ${old.status} -> ${now.status}`);
    if (now.status === VoiceConnectionStatus.Disconnected || now.status === VoiceConnectionStatus.Destroyed) {
      if (!failed && !done) fail(`${group}: voice connection went ${now.status}`);
    }
  });
  await entersState(connection, VoiceConnectionStatus.Ready, 20000).catch((e) => {
    throw new Error(`${group}: not Ready within 20 s (${connection.state.status}): ${e.message}`);
  });
  return connection;
}

function negotiatedState(connection) {
  return connection.state.networking?.state;
}

function negotiated(connection) {
  return negotiatedState(connection)?.connectionData;
}

function resourceOf(stream) {
  return createAudioResource(stream, { inputType: StreamType.Opus });
}

// Resolves once cond() holds, re-checked on every packet (and speaking event) B sees.
const waiters = [];
function when(cond) {
  if (cond()) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ cond, resolve }));
}
function poke() {
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (waiters[i].cond()) waiters.splice(i, 1)[0].resolve();
  }
}

let done = false;
(async () => {
  const ca = client(portA, 'a');
  const cb = client(portB, 'b');
  const readyA = new Promise((r) => ca.once(Events.ClientReady, r));
  const readyB = new Promise((r) => cb.once(Events.ClientReady, r));
  await within(20000, 'login A', ca.login(tokenA));
  await within(20000, 'login B', cb.login(tokenB));
  await within(20000, 'both clients ready', Promise.all([readyA, readyB]));
  const userA = ca.user.id;

  const connB = await join(cb, 'b');
  const connA = await join(ca, 'a');
  step('ready');

  for (const [name, conn] of [['a', connA], ['b', connB]]) {
    const data = negotiated(conn);
    if (data?.encryptionMode !== mode) throw new Error(`${name} negotiated ${data?.encryptionMode}, expected ${mode}`);
  }
  step(`mode ${mode}`);

  // B: every Opus packet from A, in arrival order, plus the users the receiver saw start speaking.
  const received = [];
  const speakers = [];
  connB.receiver.speaking.on('start', (userId) => {
    speakers.push(userId);
    poke();
  });
  // Library quirk: VoiceReceiver.parsePacket strips a "header extension" whenever datagram bytes 12-13 read
  // BE DE, even with the RTP X bit clear, i.e. whenever the ciphertext happens to start with them (2^-16 per
  // packet). Such packets are recorded (index -> extension length it read) and checked as what the library makes
  // of them; everything else must be exact.
  const mangled = new Map();
  let pendingQuirk = -1;
  const udpB = negotiatedState(connB).udp;
  udpB.prependListener('message', (msg) => {
    const quirk = msg.length >= 16 && (msg[0] & 0x10) === 0 && msg[12] === 0xbe && msg[13] === 0xde;
    pendingQuirk = quirk ? msg.readUInt16BE(14) : -1;
  });
  udpB.on('message', () => {
    pendingQuirk = -1;
  });
  const stream = connB.receiver.subscribe(userA, { end: { behavior: EndBehaviorType.Manual } });
  stream.on('data', (packet) => {
    received.push(Buffer.from(packet));
    if (pendingQuirk >= 0) mangled.set(received.length - 1, pendingQuirk);
    poke();
  });
  stream.on('error', (e) => fail(`receive stream error: ${e.stack || e}`));
  const count = (kind) => received.filter((p) => p.length > 1 && !p.equals(SILENCE) && p[1] === kind).length;

  // A: a preamble until B demonstrably hears A (B maps A's SSRC only after the relayed SPEAKING, so the first
  // packets may race it), then the numbered sequence.
  player = createAudioPlayer({ behaviors: { noSubscriber: NoSubscriberBehavior.Pause } });
  player.on('error', (e) => fail(`audio player error: ${e.stack || e}`));
  connA.subscribe(player);
  let preambleIndex = 0;
  const preamble = new Readable({
    objectMode: true,
    read() {
      this.push(preambleIndex < 1500 ? frame(PREAMBLE, preambleIndex++) : null);
    },
  });
  player.play(resourceOf(preamble));
  await within(20000, 'B receives A\'s preamble and sees A speaking',
    when(() => count(PREAMBLE) > 0 && speakers.length > 0));
  if (speakers[0] !== userA) throw new Error(`speaking start mapped to ${speakers[0]}, expected A = ${userA}`);
  const mapped = connB.receiver.ssrcMap.get(userA);
  const ssrcA = negotiated(connA).ssrc;
  if (!mapped || mapped.audioSSRC !== ssrcA) {
    throw new Error(`B maps A to SSRC ${mapped?.audioSSRC}, A has ${ssrcA}`);
  }
  step('speaking');

  const sequence = [];
  for (let i = 0; i < SEQUENCE; i++) sequence.push(frame(PAYLOAD, i));
  const payload = new Readable({ objectMode: true, read() {} });
  for (const f of sequence) payload.push(f);
  payload.push(null);
  const idle = new Promise((r) => player.once(AudioPlayerStatus.Idle, r));
  player.play(resourceOf(payload));
  await within(20000, 'A plays the whole sequence (player Idle)', idle);
  // Whether what B's receiver yielded at index j is sequence[i] (see the quirk above). A packet the quirk emptied (the
  // extension length it read, from the ciphertext, covers the whole payload) carries nothing to compare: it is
  // sequence[i] only where sequence[i] belongs, right after sequence[i - 1] or right before sequence[i + 1]. (Before,
  // its empty remainder equalled every packet's: "packet 0 received 2 times" once in a CI run.)
  const matches = (j, i, dir = 0) => {
    const p = received[j];
    if (!p) return false;
    const expected = sequence[i];
    if (!mangled.has(j)) return p.equals(expected);
    const cut = 4 * mangled.get(j);
    if (cut < expected.length) return p.equals(expected.subarray(cut));
    if (p.length !== 0) return false;
    return (dir <= 0 && i > 0 && j > 0 && matches(j - 1, i - 1, -1))
      || (dir >= 0 && i + 1 < SEQUENCE && matches(j + 1, i + 1, 1));
  };
  const indexOf = (i) => received.findIndex((_p, j) => matches(j, i));
  await within(10000, `B receives the last packet (${count(PAYLOAD)} of ${SEQUENCE} so far)`,
    when(() => indexOf(SEQUENCE - 1) >= 0));
  // The player ends a resource with silence frames; the first one after the sequence closes it.
  await within(10000, 'B receives the trailing silence', when(() => received.slice(indexOf(SEQUENCE - 1) + 1)
    .some((p) => p.equals(SILENCE))));

  // Every packet of the sequence exactly once, byte for byte.
  const at = [];
  for (let i = 0; i < SEQUENCE; i++) {
    const hits = received.map((_p, j) => j).filter((j) => matches(j, i));
    if (hits.length !== 1) {
      throw new Error(`packet ${i} (${sequence[i].toString('hex')}) received ${hits.length} times; `
        + `${count(PAYLOAD)} sequence packets arrived`);
    }
    at.push(hits[0]);
  }
  step(`received ${SEQUENCE}`);

  // In order and back to back: before it only the preamble and silence, after it only silence.
  const first = at[0];
  for (let i = 0; i < SEQUENCE; i++) {
    if (at[i] !== first + i) throw new Error(`packet ${i} arrived at position ${at[i] - first} of the sequence`);
  }
  const head = received.slice(0, first);
  const tail = received.slice(first + SEQUENCE);
  const isSilence = (p) => p.equals(SILENCE);
  head.forEach((p, i) => {
    if (!isSilence(p) && !mangled.has(i) && !(p.length === 44 && p[1] === PREAMBLE)) {
      throw new Error(`unexpected packet before the sequence: ${p.toString('hex')}`);
    }
  });
  tail.forEach((p, i) => {
    if (!isSilence(p) && !mangled.has(first + SEQUENCE + i)) {
      throw new Error(`unexpected packet after the sequence: ${p.toString('hex')}`);
    }
  });
  step('order');
  console.log(`INFO ${mode}: before the sequence ${head.filter((p) => !isSilence(p)).length} preamble and `
    + `${head.filter(isSilence).length} silence packets, after it ${tail.length} silence packets; `
    + `${mangled.size} packets hit the receiver's BE DE quirk`);

  done = true;
  stream.destroy();
  await within(10000, 'cleanup', cleanup());
  step('destroyed');
  process.exit(0);
})().catch((e) => fail(e.stack || e));
