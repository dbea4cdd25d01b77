package dev.pinwheel.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.EmptyShardStore;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.codec.CloseCodes;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.owner.MemberListService;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.ReadStateService;
import dev.pinwheel.gateway.owner.SessionProxy;
import dev.pinwheel.gateway.owner.SessionRequestAdapter;
import dev.pinwheel.gateway.owner.SubscriptionService;
import dev.pinwheel.gateway.owner.UserSessionProxy;
import dev.pinwheel.gateway.owner.UserSessionService;
import dev.pinwheel.gateway.owner.VoiceService;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * One shard's gateway sessions with the owner side behind typed commands, on two real shard threads: connections are
 * Netty {@code EmbeddedChannel}s driven from their shard's thread (tasks), what owners send back arrives through
 * {@link SessionCommandAdapter}. Checks IDENTIFY to GUILD_CREATE across shards, the "unavailable" answer, a direct
 * message routed by the user's owner, and the deadlines on the timer wheel — driven by giving
 * {@link ShardSessions#pollTimers} a later clock, never by waiting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardSessionsTest
{
    private static final long ALICE = 1001;
    private static final long BOB = 1002;
    private static final long CAROL = 1003;
    private static final long GUILD = 77;
    private static final long MISSING_GUILD = 78;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final GatewayConfig config = new GatewayConfig();
    private final NodeState node = NodeState.create();
    private final AuthService auth = new AuthService(node.accounts(), 1000);
    private final ShardSessions[] sessions = new ShardSessions[2];
    private final UserSessionService[] users = new UserSessionService[2];
    /** Commands to sessions handled, by type, as each shard finished one. */
    private final LinkedBlockingQueue<Integer> handled = new LinkedBlockingQueue<>();
    private ShardGroup group;
    private int owner;
    private int origin;

    @BeforeEach
    void twoShardsAndAGuild() throws Exception
    {
        // bots: their READY is written at once (a user account's waits for its read states, see carolsReady...)
        node.accounts().put(new Account(ALICE, "alice", "x", true));
        node.accounts().put(new Account(BOB, "bob", "x", true));
        node.accounts().put(new Account(CAROL, "carol", "x", false));
        final GatewayContext context = new GatewayContext(config, node, null, 0, 2);
        // no identify window: a user's several sessions identify back to back here (the limits have tests of their own)
        final SessionStartLimits starts = new SessionStartLimits(config.sessionStartTotal(),
            config.sessionStartResetMillis(), config.maxConcurrency(), 0);
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 2, 1024, routing, id -> new EmptyShardStore(), (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        owner = group.ownerOf(GUILD);
        origin = 1 - owner;
        for (int i = 0; i < 2; i++)
        {
            final Shard shard = group.shard(i);
            sessions[i] = new ShardSessions(shard, context, auth, starts, new EdgeCounters(), null,
                id -> sessions[id]);
            final SessionCommandAdapter toSessions = new SessionCommandAdapter(sessions[i]);
            final SessionProxy sessionProxy = new SessionProxy(shard);
            final VoiceService voice = new VoiceService(context);
            users[i] = new UserSessionService(sessionProxy);
            final SessionRequestAdapter requests = new SessionRequestAdapter(
                new SubscriptionService(node.accounts(), voice, sessionProxy),
                new MemberListService(node.accounts(), sessionProxy), voice, users[i], null,
                new ReadStateService(node, (from, u, e) -> new UserSessionProxy(from).sendToUser(u, e)));
            shard.commandHandler(new CommandHandler()
            {
                @Override
                public void onCommand(final Shard s, final CommandReader command)
                {
                    if (SessionCommandAdapter.handles(command.type()))
                    {
                        toSessions.onCommand(s, command);
                        handled.add(command.type());
                    }
                    else
                    {
                        requests.onCommand(s, command);
                    }
                }

                @Override
                public void failed(final Shard s, final CommandReader command, final Throwable cause)
                {
                    requests.failed(s, command, cause);
                }
            });
        }
        group.start(30, TimeUnit.SECONDS);
        on(owner, s ->
        {
            StateLog.commit(s, node, StateRecords.GUILD_CREATED,
                StateRecords.guildCreated(GUILD, "guild", ALICE, Permissions.EVERYONE_DEFAULT));
            StateLog.commit(s, node, StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, ALICE, 0));
            return null;
        });
    }

    @AfterEach
    void stop()
    {
        group.close();
    }

    private <T> T on(final int shard, final Function<Shard, T> work) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        assertTrue(group.send(shard, s ->
        {
            try
            {
                result.complete(work.apply(s));
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }

    /** Opens a connection on {@code shard}'s gateway (on its thread); the frames it wrote so far are dropped. */
    private EmbeddedChannel connect(final int shard) throws Exception
    {
        return on(shard, s ->
        {
            final EmbeddedChannel ch = new EmbeddedChannel(GatewayEntry.connection(sessions[shard],
                io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig.newBuilder().build(), false, 10, 0,
                null, "127.0.0.1"));
            ch.releaseOutbound(); // HELLO
            return ch;
        });
    }

    private static void send(final EmbeddedChannel ch, final String json)
    {
        ch.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8))));
    }

    private String identify(final long userId, final int intents)
    {
        final String token = auth.newToken(userId);
        node.accounts().addToken(userId, AuthService.tokenHash(token));
        return "{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":" + intents + ",\"properties\":{}}}";
    }

    /**
     * What the connection wrote by the end of the current duty cycle (corked dispatches leave at the cycle's flush,
     * which this runs): JSON payloads, and {@code close:CODE} for a close frame. On its shard's thread.
     */
    private static List<String> written(final Shard shard, final EmbeddedChannel ch)
    {
        shard.sessions().flushDirty();
        if (ch.isOpen())
        {
            ch.flushOutbound();
        }
        final List<String> out = new ArrayList<>();
        Object frame;
        while ((frame = ch.readOutbound()) != null)
        {
            if (frame instanceof CloseWebSocketFrame close)
            {
                out.add("close:" + close.statusCode());
            }
            else if (frame instanceof TextWebSocketFrame text)
            {
                out.add(text.text());
            }
            else if (frame instanceof ByteBuf raw)
            {
                while (raw.isReadable()) // the dispatches of one duty cycle leave back to back in one write
                {
                    out.add(dispatchPayload(raw));
                }
            }
            io.netty.util.ReferenceCountUtil.release(frame);
        }
        return out;
    }

    /**
     * Every write is whole frames already encoded (server frames are not masked): reads one, a text frame's payload
     * or {@code close:CODE} for a close frame.
     */
    private static String dispatchPayload(final ByteBuf frame)
    {
        final int first = frame.readUnsignedByte();
        assertTrue(first == 0x81 || first == 0x88, "a final text or close frame: " + Integer.toHexString(first));
        int length = frame.readUnsignedByte();
        if (length == 126)
        {
            length = frame.readUnsignedShort();
        }
        else if (length == 127)
        {
            length = (int)frame.readLong();
        }
        if (first == 0x88)
        {
            final int code = frame.readUnsignedShort();
            frame.skipBytes(length - 2);
            return "close:" + code;
        }
        return frame.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static JsonNode json(final String payload)
    {
        return Json.parse(payload);
    }

    /** Runs {@code work} on {@code target} after everything {@code from} sent there so far (the ordered path). */
    private <T> T after(final int from, final int target, final Function<Shard, T> work) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        on(from, s ->
        {
            s.send(target, t -> result.complete(work.apply(t)));
            return null;
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    private void awaitHandled(final int type) throws InterruptedException
    {
        final Integer t = handled.poll(10, TimeUnit.SECONDS);
        assertNotNull(t, "a command reached the sessions");
        assertEquals(OwnerCommands.name(type), OwnerCommands.name(t));
    }

    @Test
    void identifyGetsReadyThenTheGuildCreateFromItsOwner() throws Exception
    {
        final EmbeddedChannel ch = connect(origin); // ALICE is a member of GUILD: READY lists it
        final List<String> ready = on(origin, s ->
        {
            send(ch, identify(ALICE, Intents.GUILDS));
            return written(s, ch);
        });
        final JsonNode r = json(ready.get(0));
        assertEquals("READY", r.get("t").asText());
        assertTrue(r.get("d").get("guilds").get(0).get("unavailable").asBoolean());
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        final List<String> after = on(origin, s -> written(s, ch));
        final JsonNode created = json(after.get(0));
        assertEquals("GUILD_CREATE", created.get("t").asText());
        assertEquals(2, created.get("s").asLong(), "numbered after READY");
        assertEquals(Json.id(GUILD), created.get("d").get("id").asText());
        assertEquals(Boolean.TRUE, on(origin, s -> s.sessions().subscribers(GUILD) == 1));
        assertEquals(Boolean.TRUE, on(owner, s -> s.guilds().get(GUILD).interestedShards() == 1L << origin));
    }

    @Test
    void aUserAccountsReadyCarriesItsReadStatesFromItsOwner() throws Exception
    {
        final long channel = 4242;
        final long message = 5151;
        final int carolsOwner = group.ownerOf(CAROL);
        on(carolsOwner, s ->
        {
            StateLog.commit(s, node, StateRecords.READ_STATE_MENTION, StateRecords.readState(CAROL, channel,
                message + 1));
            StateLog.commit(s, node, StateRecords.READ_STATE_ACK, StateRecords.readState(CAROL, channel, message));
            return null;
        });
        final EmbeddedChannel ch = connect(origin);
        final List<String> frames = new ArrayList<>(on(origin, s ->
        {
            send(ch, identify(CAROL, Intents.GUILDS));
            return written(s, ch);
        }));
        awaitHandled(OwnerCommands.READ_STATES); // READY waits for them (at once when this shard owns CAROL)
        frames.addAll(on(origin, s -> written(s, ch)));
        assertEquals(1, frames.size(), "READY, once");
        final JsonNode ready = json(frames.get(0));
        assertEquals("READY", ready.get("t").asText());
        assertEquals(1, ready.get("s").asInt());
        final JsonNode state = ready.get("d").get("read_state");
        assertEquals(false, state.get("partial").asBoolean());
        assertEquals(2, state.get("version").asInt());
        final JsonNode entry = state.get("entries").get(0);
        assertEquals(Json.id(channel), entry.get("id").asText());
        assertEquals(Json.id(message), entry.get("last_message_id").asText());
        assertEquals(1, entry.get("mention_count").asInt(), "the mention after the ack still counts");
    }

    @Test
    void aGuildTheOwnerDoesNotKnowIsUnavailable() throws Exception
    {
        node.accounts().addGuild(BOB, MISSING_GUILD);
        final EmbeddedChannel ch = connect(origin);
        final List<String> frames = new ArrayList<>(on(origin, s ->
        {
            send(ch, identify(BOB, Intents.GUILDS));
            return written(s, ch);
        }));
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT); // from this shard or the other, whichever owns that id
        frames.addAll(on(origin, s -> written(s, ch)));
        assertEquals(2, frames.size(), "READY, then the answer for the guild");
        final JsonNode deleted = json(frames.get(1));
        assertEquals("GUILD_DELETE", deleted.get("t").asText());
        assertEquals(Json.id(MISSING_GUILD), deleted.get("d").get("id").asText());
        assertTrue(deleted.get("d").get("unavailable").asBoolean());
    }

    @Test
    void aDirectMessageReachesTheUsersSessionThroughTheirOwner() throws Exception
    {
        final EmbeddedChannel ch = connect(origin);
        final Dispatch dm = new Dispatch("MESSAGE_CREATE", "{\"content\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
            null, Intents.DIRECT_MESSAGES, 0, ALICE, 0);
        on(origin, s ->
        {
            send(ch, identify(BOB, Intents.DIRECT_MESSAGES));
            written(s, ch);
            // after IDENTIFY on the same ordered path: BOB's owner knows this shard holds his session by then
            new UserSessionProxy(s).sendToUser(BOB, dm);
            return null;
        });
        awaitHandled(OwnerCommands.USER_DISPATCH);
        final JsonNode message = json(on(origin, s -> written(s, ch)).get(0));
        assertEquals("MESSAGE_CREATE", message.get("t").asText());
        assertEquals("hi", message.get("d").get("content").asText());
        final int bobsOwner = group.ownerOf(BOB);
        assertEquals(Long.valueOf(1L << origin), on(bobsOwner, s -> users[bobsOwner].shardsOfUser(BOB)));
    }

    @Test
    void eachOfAUsersSessionsOnAShardGetsTheirDirectMessagesUntilTheLastEnds() throws Exception
    {
        // a user's sessions on a shard are kept as the session itself, then as arrays replaced when one comes or goes
        final EmbeddedChannel[] ch = {connect(origin), connect(origin), connect(origin)};
        on(origin, s ->
        {
            for (final EmbeddedChannel c : ch)
            {
                send(c, identify(BOB, Intents.DIRECT_MESSAGES));
                assertTrue(json(written(s, c).get(0)).path("t").asText().equals("READY"));
            }
            return null;
        });
        assertEquals(List.of(true, true, true), directMessage("one", ch));
        assertEquals(Integer.valueOf(3), on(origin, s -> sessions[origin].sessionCount()));
        for (final int ends : new int[] {1, 0, 2}) // the middle one, then the first, then the last
        {
            on(origin, s ->
            {
                ch[ends].writeInbound(new CloseWebSocketFrame(1000, "bye"));
                written(s, ch[ends]);
                return null;
            });
            if (ends != 2)
            {
                assertEquals(List.of(ends == 1, false, true), directMessage("after " + ends, ch),
                    "only the sessions left get it");
            }
        }
        assertEquals(Integer.valueOf(0), on(origin, s -> sessions[origin].sessionCount()));
        final int bobsOwner = group.ownerOf(BOB);
        assertEquals(Long.valueOf(0L), after(origin, bobsOwner, s -> users[bobsOwner].shardsOfUser(BOB)),
            "the owner was told the user's last session here ended");
    }

    /** Sends BOB a direct message through his owner; @return which of the connections wrote it. */
    private List<Boolean> directMessage(final String content, final EmbeddedChannel[] ch) throws Exception
    {
        final Dispatch dm = new Dispatch("MESSAGE_CREATE", ("{\"content\":\"" + content + "\"}")
            .getBytes(StandardCharsets.UTF_8), null, Intents.DIRECT_MESSAGES, 0, ALICE, 0);
        on(origin, s ->
        {
            new UserSessionProxy(s).sendToUser(BOB, dm);
            return null;
        });
        awaitHandled(OwnerCommands.USER_DISPATCH);
        return on(origin, s ->
        {
            final List<Boolean> got = new ArrayList<>();
            for (final EmbeddedChannel c : ch)
            {
                final List<String> out = c.isOpen() ? written(s, c) : List.of();
                got.add(out.stream().anyMatch(w -> w.contains("\"content\":\"" + content + "\"")));
            }
            return got;
        });
    }

    @Test
    void aConnectionThatNeverIdentifiesIsClosedAtItsDeadline() throws Exception
    {
        final long opened = System.nanoTime();
        final EmbeddedChannel ch = connect(origin);
        final long timeout = config.identifyTimeoutMillis() * MS;
        assertEquals(List.of(), on(origin, s ->
        {
            sessions[origin].pollTimers(opened + timeout - 100 * MS);
            return written(s, ch);
        }), "not before its deadline");
        assertEquals(List.of("close:" + CloseCodes.SESSION_TIMED_OUT), on(origin, s ->
        {
            sessions[origin].pollTimers(System.nanoTime() + timeout + 100 * MS);
            return written(s, ch);
        }));
    }

    @Test
    void aSilentSessionIsAskedForAHeartbeatThenClosed() throws Exception
    {
        final EmbeddedChannel ch = connect(origin);
        final long start = System.nanoTime(); // after the connection's last heartbeat time (its opening)
        final long interval = config.heartbeatIntervalMillis() * MS;
        final long grace = config.heartbeatGraceMillis() * MS;
        on(origin, s ->
        {
            send(ch, identify(BOB, Intents.GUILDS));
            return written(s, ch);
        });
        final List<String> asked = on(origin, s ->
        {
            sessions[origin].pollTimers(start + interval + grace / 2 + 100 * MS);
            return written(s, ch);
        });
        assertEquals(1, asked.size());
        assertEquals(1, json(asked.get(0)).get("op").asInt(), "op 1: the server asks for a heartbeat");
        assertEquals(List.of("close:" + CloseCodes.SESSION_TIMED_OUT), on(origin, s ->
        {
            sessions[origin].pollTimers(System.nanoTime() + interval + grace + 100 * MS);
            return written(s, ch);
        }));
    }

    @Test
    void aHeartbeatMovesTheDeadlineLater() throws Exception
    {
        final EmbeddedChannel ch = connect(origin);
        final long interval = config.heartbeatIntervalMillis() * MS;
        final long grace = config.heartbeatGraceMillis() * MS;
        on(origin, s ->
        {
            send(ch, identify(BOB, Intents.GUILDS));
            return written(s, ch);
        });
        final long beforeBeat = System.nanoTime();
        on(origin, s ->
        {
            send(ch, "{\"op\":1,\"d\":1}");
            return written(s, ch); // op 11
        });
        // the timer armed at connect fires on time, finds the later heartbeat and re-arms: nothing is due yet
        assertEquals(List.of(), on(origin, s ->
        {
            sessions[origin].pollTimers(beforeBeat + interval + grace / 2 - 100 * MS);
            return written(s, ch);
        }));
        assertEquals(1, on(origin, s ->
        {
            sessions[origin].pollTimers(System.nanoTime() + interval + grace / 2 + 100 * MS);
            return written(s, ch);
        }).size(), "asked for a heartbeat one interval after the last one");
    }

    @Test
    void aSlowConsumerIsClosedResumably() throws Exception
    {
        final EmbeddedChannel ch = connect(origin);
        final long slow = config.slowConsumerMillis() * MS;
        on(origin, s ->
        {
            send(ch, identify(BOB, Intents.GUILDS));
            written(s, ch);
            ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            ch.runPendingTasks(); // the embedded loop runs the writability event only when asked
            return null;
        });
        final long since = System.nanoTime();
        assertEquals(List.of("close:" + CloseCodes.UNKNOWN_ERROR), on(origin, s ->
        {
            sessions[origin].pollTimers(since + slow + 100 * MS);
            return written(s, ch);
        }));
        assertEquals(Integer.valueOf(1), on(origin, s -> sessions[origin].sessionCount()), "it may resume");
    }

    @Test
    void aDetachedSessionEndsWhenItsResumeWindowPasses() throws Exception
    {
        final EmbeddedChannel ch = connect(origin);
        final long window = config.resumeWindowMillis() * MS;
        final long beforeClose = System.nanoTime();
        on(origin, s ->
        {
            send(ch, identify(BOB, Intents.GUILDS));
            written(s, ch);
            ch.close();
            return null;
        });
        assertEquals(Integer.valueOf(1), on(origin, s ->
        {
            sessions[origin].pollTimers(beforeClose + window - 100 * MS);
            return sessions[origin].sessionCount();
        }), "resumable within the window");
        assertEquals(Integer.valueOf(0), on(origin, s ->
        {
            sessions[origin].pollTimers(System.nanoTime() + window + 100 * MS);
            return sessions[origin].sessionCount();
        }));
        final int bobsOwner = group.ownerOf(BOB);
        assertEquals(Long.valueOf(0), after(origin, bobsOwner, s -> users[bobsOwner].shardsOfUser(BOB)),
            "his owner heard that this shard holds no session of his any more");
    }
}
