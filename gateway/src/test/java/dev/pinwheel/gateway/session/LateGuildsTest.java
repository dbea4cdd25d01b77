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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.NodeUnavailableException;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.EmptyShardStore;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.gateway.owner.MemberListService;
import dev.pinwheel.gateway.owner.OwnerCommands;
import dev.pinwheel.gateway.owner.SessionProxy;
import dev.pinwheel.gateway.owner.SessionRequestAdapter;
import dev.pinwheel.gateway.owner.SubscriptionService;
import dev.pinwheel.gateway.owner.UserSessionService;
import dev.pinwheel.gateway.owner.VoiceService;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * {@link LateGuilds} on two real shard threads (the session's and the guild owner's, typed commands between them):
 * the owner refuses SUBSCRIBE as an unreachable node would ({@link NodeUnavailableException}) until it "comes back".
 * The session is told the guild is unavailable once, whatever the number of failed retries; a retry after the owner
 * is back answers GUILD_CREATE on the same connection; an owner found unreachable makes its followers wait the same
 * way; what a session waited for is forgotten when it ends or leaves the guild. Clocks are given, never waited on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LateGuildsTest
{
    private static final long ALICE = 1001;
    private static final long GUILD = 77;
    private static final long LATER = TimeUnit.SECONDS.toNanos(30);

    private final GatewayConfig config = new GatewayConfig();
    private final NodeState node = NodeState.create();
    private final AuthService auth = new AuthService(node.accounts(), 1000);
    private final ShardSessions[] sessions = new ShardSessions[2];
    private final LinkedBlockingQueue<Integer> handled = new LinkedBlockingQueue<>();
    private final AtomicBoolean ownerDown = new AtomicBoolean();
    private final AtomicBoolean ownerSilent = new AtomicBoolean();
    private ShardGroup group;
    private int owner;
    private int origin;

    @BeforeEach
    void twoShardsAndAGuild() throws Exception
    {
        node.accounts().put(new Account(ALICE, "alice", "x", true));
        final GatewayContext context = new GatewayContext(config, node, null, 0, 2);
        final SessionStartLimits starts = new SessionStartLimits(config.sessionStartTotal(),
            config.sessionStartResetMillis(), config.maxConcurrency(), config.identifyWindowMillis());
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
            final SessionRequestAdapter requests = new SessionRequestAdapter(
                new SubscriptionService(node.accounts(), voice, sessionProxy),
                new MemberListService(node.accounts(), sessionProxy), voice, new UserSessionService(sessionProxy));
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
                    else if (command.type() == OwnerCommands.SUBSCRIBE && ownerDown.get())
                    {
                        throw new NodeUnavailableException(1); // as the link refuses a command to a dead node
                    }
                    else if (command.type() == OwnerCommands.SUBSCRIBE && ownerSilent.get())
                    {
                        handled.add(-1); // lost on its way (sent to a node that restarted unnoticed)
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

    @Test
    void aSubscriptionThatMayHealIsAskedAgainUntilTheGuildComesOnTheSameSession() throws Exception
    {
        ownerDown.set(true);
        final EmbeddedChannel ch = connect();
        final String sessionId = json(on(origin, s ->
        {
            send(ch, identify());
            return written(s, ch);
        }).get(0)).get("d").get("session_id").asText();
        awaitHandled(OwnerCommands.GUILD_DEFERRED);
        final List<String> told = on(origin, s -> written(s, ch));
        assertEquals(1, told.size(), told.toString());
        assertEquals("GUILD_DELETE", json(told.get(0)).get("t").asText());
        assertTrue(json(told.get(0)).get("d").get("unavailable").asBoolean());
        assertEquals((Object)1, on(origin, s -> late().size()));

        // not due yet: nothing; due (a later clock): asked again, refused again, and not told again
        assertEquals((Object)0, on(origin, s -> late().poll(System.nanoTime())));
        assertEquals((Object)1, on(origin, s -> late().poll(System.nanoTime() + LATER)));
        awaitHandled(OwnerCommands.GUILD_DEFERRED);
        assertEquals(List.of(), on(origin, s -> written(s, ch)), "told once");
        assertEquals((Object)1, on(origin, s -> late().size()));

        // the owner is back: a retry gets GUILD_CREATE, then the guild's events reach the session
        ownerDown.set(false);
        assertEquals((Object)1, on(origin, s -> late().retryNow(g -> g == GUILD)));
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        final List<String> back = on(origin, s -> written(s, ch));
        assertEquals("GUILD_CREATE", json(back.get(0)).get("t").asText());
        assertEquals(Json.id(GUILD), json(back.get(0)).get("d").get("id").asText());
        assertEquals((Object)0, on(origin, s -> late().size()));
        assertEquals((Object)1L, on(origin, s -> late().healed()));
        assertEquals((Object)1, on(origin, s -> s.sessions().subscribers(GUILD)));
        assertEquals(Boolean.TRUE, on(owner, s -> s.guilds().get(GUILD).interestedShards() == 1L << origin));
        assertEquals((Object)0, on(origin, s -> late().poll(System.nanoTime() + LATER)), "nothing left to retry");
        assertNotNull(sessions[origin].session(sessionId));
    }

    @Test
    void followersOfAnUnreachableOwnerWaitForItAndAreForgottenWhenTheyEnd() throws Exception
    {
        final EmbeddedChannel ch = connect();
        final String sessionId = json(on(origin, s ->
        {
            send(ch, identify());
            return written(s, ch);
        }).get(0)).get("d").get("session_id").asText();
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        assertEquals("GUILD_CREATE", json(on(origin, s -> written(s, ch)).get(0)).get("t").asText());

        ownerDown.set(true);
        assertEquals((Object)1, on(origin, s -> late().ownerUnreachable(g -> g == GUILD)));
        final List<String> told = on(origin, s -> written(s, ch));
        assertEquals("GUILD_DELETE", json(told.get(0)).get("t").asText());
        assertTrue(json(told.get(0)).get("d").get("unavailable").asBoolean());
        assertEquals((Object)0, on(origin, s -> s.sessions().subscribers(GUILD)), "no event of it reaches the session now");
        assertEquals((Object)1, on(origin, s -> late().retryNode(0))); // this one node owns it: still down
        awaitHandled(OwnerCommands.GUILD_DEFERRED);
        assertEquals(List.of(), on(origin, s -> written(s, ch)), "told once");

        ownerDown.set(false);
        assertEquals((Object)1, on(origin, s -> late().retryNode(0)));
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        assertEquals("GUILD_CREATE", json(on(origin, s -> written(s, ch)).get(0)).get("t").asText());

        // lost again, then the user leaves the guild: nothing to retry; lost again, then the session ends: the same
        assertEquals((Object)1, on(origin, s -> late().ownerUnreachable(g -> true)));
        on(origin, s ->
        {
            sessions[origin].onUserLeft(ALICE, GUILD);
            return null;
        });
        assertEquals((Object)0, on(origin, s -> late().size()));
        on(origin, s -> written(s, ch));
        on(origin, s ->
        {
            sessions[origin].onUserJoined(ALICE, GUILD);
            return null;
        });
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        assertEquals((Object)1, on(origin, s -> late().ownerUnreachable(g -> true)));
        assertEquals((Object)1, on(origin, s -> late().size()));
        on(origin, s ->
        {
            sessions[origin].destroySession(sessions[origin].session(sessionId));
            return null;
        });
        assertEquals((Object)0, on(origin, s -> late().size()));
        assertEquals((Object)0, on(origin, s -> late().poll(System.nanoTime() + LATER)));
    }

    @Test
    void aRetryWhoseAnswerIsLostIsSentAgain() throws Exception
    {
        final EmbeddedChannel ch = connect();
        on(origin, s ->
        {
            send(ch, identify());
            return written(s, ch);
        });
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        on(origin, s -> written(s, ch));
        assertEquals((Object)1, on(origin, s -> late().ownerUnreachable(g -> true)));
        on(origin, s -> written(s, ch));
        ownerSilent.set(true);
        assertEquals((Object)1, on(origin, s -> late().retryNow(g -> true)));
        assertEquals((Object)(-1), handled.poll(10, TimeUnit.SECONDS), "the owner dropped it");
        ownerSilent.set(false);
        assertEquals((Object)0, on(origin, s -> late().retryNow(g -> true)), "on its way: not sent twice by a signal");
        assertEquals((Object)0, on(origin, s -> late().poll(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))));
        assertEquals((Object)1, on(origin, s -> late().poll(System.nanoTime() + LATER)), "unanswered: sent again");
        awaitHandled(OwnerCommands.GUILD_SNAPSHOT);
        final List<String> back = on(origin, s -> written(s, ch));
        assertEquals(1, back.size(), back.toString());
        assertEquals("GUILD_CREATE", json(back.get(0)).get("t").asText());
        assertEquals((Object)0, on(origin, s -> late().size()));
    }

    private LateGuilds late()
    {
        return sessions[origin].lateGuilds();
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

    private EmbeddedChannel connect() throws Exception
    {
        return on(origin, s ->
        {
            final EmbeddedChannel ch = new EmbeddedChannel(GatewayEntry.connection(sessions[origin],
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

    private String identify()
    {
        final String token = auth.newToken(ALICE);
        node.accounts().addToken(ALICE, AuthService.tokenHash(token));
        return "{\"op\":2,\"d\":{\"token\":\"" + token + "\",\"intents\":" + Intents.GUILDS + ",\"properties\":{}}}";
    }

    /** The dispatch payloads the connection wrote by the end of the current duty cycle (on its shard's thread). */
    private static List<String> written(final Shard shard, final EmbeddedChannel ch)
    {
        shard.sessions().flushDirty();
        ch.flushOutbound();
        final List<String> out = new ArrayList<>();
        Object frame;
        while ((frame = ch.readOutbound()) != null)
        {
            if (frame instanceof TextWebSocketFrame text)
            {
                out.add(text.text());
            }
            else if (frame instanceof ByteBuf raw)
            {
                while (raw.isReadable())
                {
                    final int first = raw.readUnsignedByte();
                    assertEquals(0x81, first, "a final text frame");
                    int length = raw.readUnsignedByte();
                    if (length == 126)
                    {
                        length = raw.readUnsignedShort();
                    }
                    out.add(raw.readCharSequence(length, StandardCharsets.UTF_8).toString());
                }
            }
            io.netty.util.ReferenceCountUtil.release(frame);
        }
        return out;
    }

    private static JsonNode json(final String payload)
    {
        return Json.parse(payload);
    }

    private void awaitHandled(final int type) throws InterruptedException
    {
        final Integer t = handled.poll(10, TimeUnit.SECONDS);
        assertNotNull(t, "a command reached the sessions");
        assertEquals(OwnerCommands.name(type), OwnerCommands.name(t));
    }
}
