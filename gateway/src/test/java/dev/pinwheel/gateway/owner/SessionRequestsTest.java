package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.shard.ShardTask;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.EmptyShardStore;
import dev.pinwheel.gateway.codec.Intents;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.node.GatewayConfig;
import dev.pinwheel.gateway.node.GatewayContext;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * The requests of gateway sessions as typed commands between two real shard threads: the session side's proxies
 * ({@link SubscriptionProxy}, {@link MemberListProxy}, {@link UserSessionProxy}) write commands on the origin shard,
 * the owner's {@link SessionRequestAdapter} reads them into the services, and their answers travel back as commands
 * to sessions ({@link SessionProxy}, types 10-29), recorded here instead of handed to a session. Checks the fields
 * survive the trip, the GUILD_CREATE comes before the guild's later events, and a session that may not see a guild,
 * or whose request failed, is told it is unavailable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionRequestsTest
{
    private static final long ALICE = 1001;
    private static final long BOB = 1002;
    private static final long GUILD = 77;
    private static final String SESSION = "0123456789abcdef0123456789abcdef";

    /** A command to sessions, as the origin shard received it. */
    private record Received(int type, String sessionId, long id, long guildId, List<Dispatch> events)
    {
        JsonNode json(final int event)
        {
            return Json.parse(new String(events.get(event).data(), StandardCharsets.UTF_8));
        }
    }

    /** No messages; {@link #lastMessageId} throws on demand (a failing GUILD_CREATE). */
    private static final class EmptyStore extends EmptyShardStore
    {
        volatile RuntimeException failLastMessageId;

        @Override
        public long lastMessageId(final long channelId)
        {
            if (failLastMessageId != null)
            {
                throw failLastMessageId;
            }
            return 0;
        }
    }

    /** Stands for a session on the origin shard: what the guild fans out to it, in order. */
    private static final class RecordingEndpoint extends SessionEndpoint
    {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public long userId()
        {
            return ALICE;
        }

        @Override
        public void dispatch(final Dispatch dispatch)
        {
            events.add(dispatch.type());
        }

        @Override
        public void flush()
        {
        }
    }

    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final EmptyStore[] stores = {new EmptyStore(), new EmptyStore()};
    private final UserSessionService[] users = new UserSessionService[2];
    private final RecordingEndpoint session = new RecordingEndpoint();
    private ShardGroup group;
    private int owner;
    private int origin;

    @BeforeEach
    void twoShardsAndAGuild() throws Exception
    {
        final NodeState node = NodeState.create();
        node.accounts().put(new Account(ALICE, "alice", "x", false));
        node.accounts().put(new Account(BOB, "bob", "x", false));
        final GatewayContext context = new GatewayContext(new GatewayConfig(), node, null, 0, 2);
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 2, 1024, routing, id -> stores[id], (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        owner = group.ownerOf(GUILD);
        origin = 1 - owner;
        for (int i = 0; i < 2; i++)
        {
            final SessionProxy toSessions = new SessionProxy(group.shard(i));
            final VoiceService voice = new VoiceService(context);
            users[i] = new UserSessionService(toSessions);
            final SessionRequestAdapter requests = new SessionRequestAdapter(
                new SubscriptionService(node.accounts(), voice, toSessions),
                new MemberListService(node.accounts(), toSessions), voice, users[i]);
            group.shard(i).commandHandler(new CommandHandler()
            {
                @Override
                public void onCommand(final Shard shard, final CommandReader command)
                {
                    if (SessionRequestAdapter.handles(command.type()))
                    {
                        requests.onCommand(shard, command);
                    }
                    else
                    {
                        received.add(read(shard, command));
                    }
                }

                @Override
                public void failed(final Shard shard, final CommandReader command, final Throwable cause)
                {
                    if (SessionRequestAdapter.handles(command.type()))
                    {
                        requests.failed(shard, command, cause);
                    }
                }
            });
        }
        group.start(30, TimeUnit.SECONDS);
        onShard(owner, s ->
        {
            StateLog.commit(s, node, StateRecords.GUILD_CREATED,
                StateRecords.guildCreated(GUILD, "guild", ALICE, Permissions.EVERYONE_DEFAULT));
            StateLog.commit(s, node, StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, ALICE, 0));
            StateLog.commit(s, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(
                new GuildChannel(s.ids().next(), GUILD, GuildChannel.TEXT, "general", 0, null, 0, 0, 0)));
        });
    }

    @AfterEach
    void stop()
    {
        group.close();
    }

    /** Reads a command to sessions the way {@code session.SessionCommandAdapter} does, on the receiving shard. */
    private Received read(final Shard shard, final CommandReader c)
    {
        final int type = c.type();
        final List<Dispatch> events = new ArrayList<>();
        switch (type)
        {
            case OwnerCommands.GUILD_SNAPSHOT ->
            {
                final String sessionId = c.getString();
                final long guildId = c.getLong();
                if (c.getBoolean())
                {
                    events.add(DispatchFields.get(c));
                    shard.sessions().subscribe(guildId, session); // the session joins the guild's local index
                }
                return new Received(type, sessionId, 0, guildId, events);
            }
            case OwnerCommands.MEMBER_CHUNKS ->
            {
                final String sessionId = c.getString();
                for (int i = c.getInt(); i > 0; i--)
                {
                    events.add(DispatchFields.get(c));
                }
                return new Received(type, sessionId, 0, 0, events);
            }
            case OwnerCommands.USER_JOINED ->
            {
                final long userId = c.getLong();
                return new Received(type, null, userId, c.getLong(), events);
            }
            case OwnerCommands.USER_DISPATCH ->
            {
                final long userId = c.getLong();
                events.add(DispatchFields.get(c));
                return new Received(type, null, userId, 0, events);
            }
            case OwnerCommands.GUILD_MEMBERS_LEFT ->
            {
                final long guildId = c.getLong();
                final long[] members = c.getLongs();
                return new Received(type, null, members.length == 0 ? -1 : members[0] * 10_000 + members.length,
                    guildId, events);
            }
            default -> throw new IllegalArgumentException("unexpected command " + type);
        }
    }

    private void onShard(final int shard, final ShardTask task) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(group.send(shard, s ->
        {
            task.run(s);
            done.countDown();
        }));
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    private Received next() throws InterruptedException
    {
        final Received r = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "an answer reached the session's shard");
        return r;
    }

    private long interest() throws InterruptedException
    {
        final AtomicLong mask = new AtomicLong();
        onShard(owner, s -> mask.set(s.guilds().get(GUILD).interestedShards()));
        return mask.get();
    }

    @Test
    void aSubscriptionIsAnsweredWithTheGuildCreateAndMarksTheShardInterested() throws Exception
    {
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD, 50));
        final Received snapshot = next();
        assertEquals(OwnerCommands.GUILD_SNAPSHOT, snapshot.type());
        assertEquals(SESSION, snapshot.sessionId());
        assertEquals(GUILD, snapshot.guildId());
        final Dispatch created = snapshot.events().get(0);
        assertEquals("GUILD_CREATE", created.type());
        assertEquals(Intents.GUILDS, created.intent());
        assertEquals(GUILD, created.guildId());
        assertEquals(ALICE, created.targetUserId());
        final JsonNode d = snapshot.json(0);
        assertEquals(Json.id(GUILD), d.get("id").asText());
        assertEquals(0, d.get("voice_states").size());
        assertEquals(1L << origin, interest());

        onShard(origin, s -> new SubscriptionProxy(s).unsubscribe(GUILD));
        assertEquals(0L, interest(), "the shard's bit is cleared");
        assertEquals(1, group.shard(owner).commandCount(OwnerCommands.SUBSCRIBE));
        assertEquals(1, group.shard(origin).commandCount(OwnerCommands.GUILD_SNAPSHOT));
    }

    @Test
    void theSnapshotComesBeforeTheGuildsLaterEvents() throws Exception
    {
        // The owner publishes right after it answered the subscription, in the same cycle: the hand-off of each
        // event must not overtake the snapshot on its way to the session's shard.
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD, 50));
        onShard(owner, s ->
        {
            for (int i = 0; i < 100; i++)
            {
                s.publish(s.guilds().get(GUILD), new Dispatch("TYPING_START", "{}".getBytes(StandardCharsets.UTF_8),
                    null, 0, GUILD, 0, 0));
            }
        });
        assertEquals(OwnerCommands.GUILD_SNAPSHOT, next().type());
        for (int i = 0; i < 100; i++)
        {
            assertEquals("TYPING_START", session.events.poll(10, TimeUnit.SECONDS), "event " + i);
        }
    }

    @Test
    void theGuildCreateShowsOnlyTheChannelsTheUserMaySee() throws Exception
    {
        onShard(owner, s ->
        {
            final dev.pinwheel.core.guild.Guild g = s.guilds().get(GUILD);
            g.putMember(new dev.pinwheel.core.guild.Member(BOB, 0, new long[0], null));
            g.putChannel(new GuildChannel(4242, GUILD, GuildChannel.TEXT, "staff", 1, null, 0, 0, 0).withOverwrites(
                new dev.pinwheel.core.guild.Overwrite[] {new dev.pinwheel.core.guild.Overwrite(GUILD,
                    dev.pinwheel.core.guild.Overwrite.ROLE, 0, Permissions.VIEW_CHANNEL)}));
        });
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, BOB, GUILD, 50));
        assertEquals(1, next().json(0).get("channels").size(), "bob: general only");
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD, 50));
        assertEquals(2, next().json(0).get("channels").size(), "the owner sees both");
    }

    @Test
    void aSessionThatMayNotSeeTheGuildIsToldItIsUnavailable() throws Exception
    {
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, BOB, GUILD, 50));
        final Received stranger = next();
        assertEquals(OwnerCommands.GUILD_SNAPSHOT, stranger.type());
        assertTrue(stranger.events().isEmpty(), "no GUILD_CREATE for a non-member");
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD + 1, 50));
        final Received unknown = next();
        assertEquals(GUILD + 1, unknown.guildId());
        assertTrue(unknown.events().isEmpty(), "no GUILD_CREATE for an unknown guild");
        assertEquals(0L, interest());
    }

    @Test
    void aSubscriptionThatFailsOnTheOwnerIsAnsweredUnavailable() throws Exception
    {
        stores[owner].failLastMessageId = new IllegalStateException("injected");
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD, 50));
        final Received answer = next();
        assertEquals(OwnerCommands.GUILD_SNAPSHOT, answer.type());
        assertEquals(SESSION, answer.sessionId());
        assertTrue(answer.events().isEmpty(), "the session hears of the failure");
        stores[owner].failLastMessageId = null;
        onShard(origin, s -> new SubscriptionProxy(s).subscribe(SESSION, ALICE, GUILD, 50));
        assertEquals(1, next().events().size(), "the failed request was answered once, before this one");
    }

    @Test
    void memberRequestsAreAnsweredInChunksToTheSession() throws Exception
    {
        onShard(origin, s -> new MemberListProxy(s).requestMembers(SESSION, ALICE, GUILD, new long[] {ALICE, 5},
            null, 0, true, "n1"));
        final Received chunks = next();
        assertEquals(OwnerCommands.MEMBER_CHUNKS, chunks.type());
        assertEquals(SESSION, chunks.sessionId());
        assertEquals(1, chunks.events().size());
        final JsonNode d = chunks.json(0);
        assertEquals("GUILD_MEMBERS_CHUNK", chunks.events().get(0).type());
        assertEquals(Json.id(ALICE), d.get("members").get(0).get("user").get("id").asText());
        assertEquals(Json.id(5), d.get("not_found").get(0).asText());
        assertEquals("n1", d.get("nonce").asText());
        assertEquals(0, d.get("presences").size());

        onShard(origin, s ->
        {
            new MemberListProxy(s).requestMembers("bob", BOB, GUILD, null, "", 0, false, null);
            new MemberListProxy(s).requestMembers("alice", ALICE, GUILD, null, "", 0, false, null);
        });
        assertEquals("alice", next().sessionId(), "a non-member gets no answer, as on Discord");
    }

    @Test
    void anEventForAUserReachesOnlyTheShardsHoldingTheirSessions() throws Exception
    {
        final int bobsOwner = group.ownerOf(BOB);
        onShard(origin, s -> new UserSessionProxy(s).sessionsOn(BOB, true));
        final AtomicLong mask = new AtomicLong();
        onShard(bobsOwner, s -> mask.set(users[bobsOwner].shardsOfUser(BOB)));
        assertEquals(1L << origin, mask.get());

        final Dispatch dm = new Dispatch("MESSAGE_CREATE", "{\"content\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
            "{\"content\":\"\"}".getBytes(StandardCharsets.UTF_8), Intents.DIRECT_MESSAGES, 0, ALICE, 0);
        onShard(owner, s -> new UserSessionProxy(s).sendToUser(BOB, dm));
        final Received delivered = next();
        assertEquals(OwnerCommands.USER_DISPATCH, delivered.type());
        assertEquals(BOB, delivered.id());
        final Dispatch copy = delivered.events().get(0);
        assertEquals("MESSAGE_CREATE", copy.type());
        assertEquals("{\"content\":\"hi\"}", new String(copy.data(), StandardCharsets.UTF_8));
        assertEquals("{\"content\":\"\"}", new String(copy.redactedData(), StandardCharsets.UTF_8));
        assertEquals(Intents.DIRECT_MESSAGES, copy.intent());
        assertEquals(ALICE, copy.authorId());

        onShard(origin, s -> new UserSessionProxy(s).sessionsOn(BOB, false));
        onShard(bobsOwner, s -> mask.set(users[bobsOwner].shardsOfUser(BOB)));
        assertEquals(0L, mask.get());
        // From the user's owner itself the relay runs at once; a marker sent after it on the same ordered path
        // would come second if the relay had sent anything.
        onShard(bobsOwner, s ->
        {
            new UserSessionProxy(s).sendToUser(BOB, dm);
            new SessionProxy(s).userDispatch(origin, ALICE, dm);
        });
        assertEquals(ALICE, next().id(), "no shard holds a session of the user any more");
    }

    @Test
    void anEventForAUserJustGainedInARingEpochWaitsForTheShardThatTellsWhereTheirSessionsAre() throws Exception
    {
        final int bobsOwner = group.ownerOf(BOB);
        onShard(bobsOwner, s -> users[bobsOwner].gained(new long[] {GUILD, BOB}));
        final Dispatch dm = new Dispatch("MESSAGE_CREATE",
            "{\"content\":\"meanwhile\"}".getBytes(StandardCharsets.UTF_8), null, Intents.DIRECT_MESSAGES, 0, ALICE, 0);
        // from one shard, in order: the DM (no shard of bob's sessions is known yet), then where bob's session is
        onShard(origin, s ->
        {
            new UserSessionProxy(s).sendToUser(BOB, dm);
            new UserSessionProxy(s).sessionsOn(BOB, true);
        });
        final Received replayed = next();
        assertEquals(OwnerCommands.USER_DISPATCH, replayed.type());
        assertEquals(BOB, replayed.id(), "the DM sent before the shard told where bob's session is reached it");
        assertEquals("{\"content\":\"meanwhile\"}", new String(replayed.events().get(0).data(),
            StandardCharsets.UTF_8));

        // once: a later DM goes there live, and the same shard telling again replays nothing
        final Dispatch later = new Dispatch("MESSAGE_CREATE", "{\"content\":\"later\"}".getBytes(
            StandardCharsets.UTF_8), null, Intents.DIRECT_MESSAGES, 0, ALICE, 0);
        onShard(origin, s ->
        {
            new UserSessionProxy(s).sendToUser(BOB, later);
            new UserSessionProxy(s).sessionsOn(BOB, true);
        });
        assertEquals("{\"content\":\"later\"}", new String(next().events().get(0).data(), StandardCharsets.UTF_8));
        onShard(bobsOwner, s -> new SessionProxy(s).userDispatch(origin, ALICE, dm));
        assertEquals(ALICE, next().id(), "nothing was handed to bob's shard twice");
    }

    @Test
    void aDeletedGuildsMembersReachEveryShardInBatches() throws Exception
    {
        final long[] members = new long[2 * SessionProxy.MEMBERS_PER_COMMAND + 452];
        for (int i = 0; i < members.length; i++)
        {
            members[i] = i + 1;
        }
        onShard(owner, s -> new SessionProxy(s).guildDeleted(s, GUILD, members));
        final List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) // three batches to each of the two shards
        {
            final Received r = next();
            assertEquals(OwnerCommands.GUILD_MEMBERS_LEFT, r.type());
            assertEquals(GUILD, r.guildId());
            seen.add(r.id()); // first member × 10,000 + batch size
        }
        seen.sort(null);
        final long full = SessionProxy.MEMBERS_PER_COMMAND;
        assertEquals(List.of(10_000 + full, 10_000 + full, (full + 1) * 10_000 + full, (full + 1) * 10_000 + full,
            (2 * full + 1) * 10_000 + 452, (2 * full + 1) * 10_000 + 452), seen);
    }

    @Test
    void aJoinReachesEveryShard() throws Exception
    {
        onShard(owner, s -> new SessionProxy(s).userJoined(BOB, GUILD));
        final Received first = next();
        final Received second = next();
        assertEquals(OwnerCommands.USER_JOINED, first.type());
        assertEquals(OwnerCommands.USER_JOINED, second.type());
        assertEquals(BOB, first.id());
        assertEquals(GUILD, second.guildId());
    }
}
