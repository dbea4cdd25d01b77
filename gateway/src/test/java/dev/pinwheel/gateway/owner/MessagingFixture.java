package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
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
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Two real shard threads for owner-service tests: a route side (the origin) sends typed commands through a proxy, the
 * owner's {@link OwnerCommandAdapter} runs them, and each answer travels back as a {@link OwnerCommands#REPLY} to the
 * origin, recorded here ({@link #answers}) instead of written to a socket. Stores are in memory ({@link MemoryStore})
 * and can be told to refuse writes. One guild, {@link #GUILD}, owned by {@link #ALICE} (all permissions) with
 * {@link #BOB} as a plain member and one text channel; {@link #CAROL} is in no guild. Events sent to users (direct
 * messages) are recorded in {@link #delivered}.
 */
final class MessagingFixture implements AutoCloseable
{
    /** No voice: these areas do not touch it. */
    private static final GuildVoice NO_VOICE = new OwnerFixture.RecordingVoice();

    static final long ALICE = 1001;
    static final long BOB = 1002;
    static final long CAROL = 1003;
    static final long GUILD = 77;

    /** An answer as the origin shard received it. */
    record Answer(long correlation, int status, int retryAfter, String body)
    {
        JsonNode json()
        {
            return Json.parse(body);
        }

        int code()
        {
            return json().path("code").asInt();
        }
    }

    /** An event sent to one user's sessions. */
    record Delivered(int fromShard, long userId, Dispatch event)
    {
    }

    /** Messages in memory, newest last; state records counted; both refused while {@link #refuse} is set. */
    static final class MemoryStore implements ShardStore
    {
        final Map<Long, NavigableMap<Long, StoredMessage>> channels = new ConcurrentHashMap<>();
        final List<Integer> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<StoredMessage> appended = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile RuntimeException refuse;

        @Override
        public long recover(final StateRecordHandler handler)
        {
            return 0;
        }

        @Override
        public void appendState(final int type, final byte[] payload)
        {
            if (refuse != null)
            {
                throw refuse;
            }
            states.add(type);
        }

        @Override
        public void appendMessage(final StoredMessage message)
        {
            if (refuse != null)
            {
                throw refuse;
            }
            appended.add(message);
            channels.computeIfAbsent(message.channelId(), c -> new TreeMap<>()).put(message.id(), message);
        }

        @Override
        public boolean deleteMessage(final long channelId, final long messageId)
        {
            final NavigableMap<Long, StoredMessage> c = channels.get(channelId);
            return c != null && c.remove(messageId) != null;
        }

        @Override
        public StoredMessage message(final long channelId, final long messageId)
        {
            final NavigableMap<Long, StoredMessage> c = channels.get(channelId);
            return c == null ? null : c.get(messageId);
        }

        @Override
        public List<StoredMessage> history(final long channelId, final HistoryQuery query, final long anchorId,
            final int limit)
        {
            final NavigableMap<Long, StoredMessage> c = channels.getOrDefault(channelId, new TreeMap<>());
            final NavigableMap<Long, StoredMessage> range = query == HistoryQuery.BEFORE ? c.headMap(anchorId, false)
                : c;
            final List<StoredMessage> page = new ArrayList<>(range.descendingMap().values());
            return page.subList(0, Math.min(limit, page.size()));
        }

        @Override
        public List<StoredMessage> pinned(final long channelId)
        {
            final List<StoredMessage> out = new ArrayList<>();
            for (final StoredMessage m : channels.getOrDefault(channelId, new TreeMap<>()).descendingMap().values())
            {
                if (m.pinned())
                {
                    out.add(m);
                }
            }
            return out;
        }

        @Override
        public void close()
        {
        }
    }

    final NodeState node = NodeState.create();
    final LinkedBlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Delivered> delivered = new LinkedBlockingQueue<>();
    final MemoryStore[] stores = {new MemoryStore(), new MemoryStore()};
    final ShardGroup group;
    /** The guild's owner shard, and the other one, where requests come from. */
    final int owner;
    final int origin;
    final long channel;

    MessagingFixture() throws InterruptedException
    {
        node.accounts().put(new Account(ALICE, "alice", "x", false));
        node.accounts().put(new Account(BOB, "bob", "x", false));
        node.accounts().put(new Account(CAROL, "carol", "x", false));
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 2, 1024, routing, id -> stores[id], (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        owner = group.ownerOf(GUILD);
        origin = 1 - owner;
        for (int i = 0; i < 2; i++)
        {
            final OwnerCommandAdapter adapter = new OwnerCommandAdapter(node,
                (from, user, event) -> delivered.add(new Delivered(from.id(), user, event)), NO_VOICE,
                (s, userId, guildId) -> { });
            group.shard(i).commandHandler(new CommandHandler()
            {
                @Override
                public void onCommand(final Shard shard, final CommandReader command)
                {
                    if (command.type() == OwnerCommands.REPLY)
                    {
                        final long correlation = command.getLong();
                        final int status = command.getInt();
                        final int retryAfter = command.getInt();
                        final byte[] body = command.getBytes();
                        answers.add(new Answer(correlation, status, retryAfter,
                            body == null ? "" : new String(body, StandardCharsets.UTF_8)));
                    }
                    else
                    {
                        adapter.onCommand(shard, command);
                    }
                }

                @Override
                public void failed(final Shard shard, final CommandReader command, final Throwable cause)
                {
                    if (command.type() != OwnerCommands.REPLY)
                    {
                        adapter.failed(shard, command, cause);
                    }
                }
            });
        }
        group.start(30, TimeUnit.SECONDS);
        final long[] general = new long[1];
        onShard(owner, s ->
        {
            StateLog.commit(s, node, StateRecords.GUILD_CREATED,
                StateRecords.guildCreated(GUILD, "guild", ALICE, Permissions.EVERYONE_DEFAULT));
            general[0] = s.ids().next();
            StateLog.commit(s, node, StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(
                new GuildChannel(general[0], GUILD, GuildChannel.TEXT, "general", 0, null, 0, 0, 0)));
            StateLog.commit(s, node, StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, ALICE, 0));
            StateLog.commit(s, node, StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, BOB, 0));
        });
        channel = general[0];
    }

    @Override
    public void close()
    {
        group.close();
    }

    /** Runs {@code task} on a shard's thread and waits for it. */
    void onShard(final int shard, final ShardTask task) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(group.send(shard, s ->
        {
            task.run(s);
            done.countDown();
        }));
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    /** Sends from the origin shard, as a route would, and waits for the answer to {@code correlation}. */
    Answer ask(final long correlation, final Consumer<Shard> send) throws InterruptedException
    {
        return askFrom(origin, correlation, send);
    }

    /** Sends from {@code shard}, as a route there would, and waits for the answer to {@code correlation}. */
    Answer askFrom(final int shard, final long correlation, final Consumer<Shard> send) throws InterruptedException
    {
        onShard(shard, send::accept);
        return answer(correlation);
    }

    /** Waits for the next answer, which must be to {@code correlation}. */
    Answer answer(final long correlation) throws InterruptedException
    {
        final Answer a = answers.poll(10, TimeUnit.SECONDS);
        assertNotNull(a, "an answer to " + correlation);
        assertEquals(correlation, a.correlation(), "the answer names its request");
        return a;
    }

    /** Waits for the next event sent to a user. */
    Delivered delivery() throws InterruptedException
    {
        final Delivered d = delivered.poll(10, TimeUnit.SECONDS);
        assertNotNull(d, "an event for a user");
        return d;
    }

    /** The guild owner's store. */
    MemoryStore ownerStore()
    {
        return stores[owner];
    }
}
