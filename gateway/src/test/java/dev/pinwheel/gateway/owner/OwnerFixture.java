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
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.fanout.SessionEndpoint;
import dev.pinwheel.core.guild.Guild;
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
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * Two real shard threads around the owner services, for their unit tests: a guild {@link #GUILD} owned by
 * {@link #ALICE} with a text channel {@link #channel}, on the {@link #owner} shard; a test sends a command from the
 * {@link #origin} shard through an area's proxy ({@link #ask}), the owner's {@link OwnerCommandAdapter} runs it, and
 * the {@link OwnerCommands#REPLY} that comes back to the origin is recorded as an {@link Answer} instead of being
 * written to a socket. What the services tell the rest of the node is recorded too: the guild's events as a session
 * on the origin shard receives them ({@link #event}), new members ({@link #joins}), voice changes
 * ({@link RecordingVoice}). Messages and state records live in memory ({@link MemoryStore}), which can refuse writes.
 * Route tests hand the origin's {@link ExchangeTable} in instead: the answers then reach their requests as in the
 * server.
 * <pre>
 *   test ──task──▶ origin shard: XxxProxy ──command──▶ owner shard: OwnerCommandAdapter ─▶ XxxService
 *                       ▲                                         │ reply.ok / reply.error
 *   answers ◀── REPLY ──┘◀──────────── REPLY command ─────────────┘ (events: the same FIFO path, to a session)
 * </pre>
 */
public final class OwnerFixture implements AutoCloseable
{
    /** Owns {@link #GUILD}. */
    public static final long ALICE = 1001;
    /** No member of anything until a test makes it one. */
    public static final long BOB = 1002;
    /** A third account. */
    public static final long CAROL = 1003;
    /** The guild. */
    public static final long GUILD = 77;
    private static final String AUDIT_EVENT = "GUILD_AUDIT_LOG_ENTRY_CREATE";
    /** How long a test waits for an answer or an event. */
    private static final long WAIT_SECONDS = 10;

    /**
     * An answer as the origin shard received it.
     *
     * @param correlation the request it answers.
     * @param status      HTTP status.
     * @param retryAfter  Retry-After seconds, 0 for none.
     * @param body        the body as text ("" for none).
     */
    record Answer(long correlation, int status, int retryAfter, String body)
    {
        JsonNode json()
        {
            return Json.parse(body);
        }

        /** @return the body's {@code code} (Discord's error code). */
        int code()
        {
            return json().path("code").asInt(-1);
        }
    }

    /**
     * A user who became a member, as the services announced it.
     *
     * @param userId  the user.
     * @param guildId the guild.
     */
    record Joined(long userId, long guildId)
    {
    }

    /** Messages and state records in memory, newest last: enough of a store for the owner's logic. */
    static final class MemoryStore implements ShardStore
    {
        final Map<Long, NavigableMap<Long, StoredMessage>> channels = new ConcurrentHashMap<>();
        final List<Integer> stateRecords = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile StoreUnavailableException refuse;

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
            stateRecords.add(type);
        }

        @Override
        public void appendMessage(final StoredMessage message)
        {
            if (refuse != null)
            {
                throw refuse;
            }
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
            final NavigableMap<Long, StoredMessage> all = channels.getOrDefault(channelId, new TreeMap<>());
            final NavigableMap<Long, StoredMessage> c = query == HistoryQuery.BEFORE ? all.headMap(anchorId, false)
                : all;
            final List<StoredMessage> page = new ArrayList<>(c.descendingMap().values());
            return page.subList(0, Math.min(limit, page.size()));
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * The guild's voice as the services change it: real voice states (a move changes the state's channel, nothing
     * else), each change recorded as a line.
     */
    static final class RecordingVoice implements GuildVoice
    {
        /** The owner shard's voice states (touch them on the owner shard only: {@link #onShard}). */
        final VoiceStates states = new VoiceStates();
        /** {@code "mute <user> <mute> <deaf>"}, {@code "move <user> <channel>"}, {@code "empty <channel>"}. */
        final LinkedBlockingQueue<String> changes = new LinkedBlockingQueue<>();

        @Override
        public VoiceStates.VoiceState state(final Shard owner, final long guildId, final long userId)
        {
            return states.get(guildId, userId);
        }

        @Override
        public void serverMuteChanged(final Shard owner, final Guild g, final VoiceStates.VoiceState state)
        {
            changes.add("mute " + state.userId + " " + state.mute + " " + state.deaf);
        }

        @Override
        public void move(final Shard owner, final long guildId, final VoiceStates.VoiceState state,
            final long channelId)
        {
            changes.add("move " + state.userId + " " + channelId);
            state.channelId = channelId;
        }

        @Override
        public void disconnectAll(final Shard owner, final long guildId, final long channelId)
        {
            changes.add("empty " + channelId);
        }
    }

    /** A session on the origin shard subscribed to the guild: records every event it is sent. */
    private final class RecordingSession extends SessionEndpoint
    {
        @Override
        public long userId()
        {
            return ALICE;
        }

        @Override
        public void dispatch(final Dispatch dispatch)
        {
            (AUDIT_EVENT.equals(dispatch.type()) ? auditEvents : events).add(dispatch);
        }

        @Override
        public void flush()
        {
        }
    }

    public final NodeState node = NodeState.create();
    final MemoryStore[] stores = {new MemoryStore(), new MemoryStore()};
    final RecordingVoice voice = new RecordingVoice();
    final LinkedBlockingQueue<Joined> joins = new LinkedBlockingQueue<>();
    /** Users who stopped being members, as the services announced it ({@link MemberJoins#left}). */
    final LinkedBlockingQueue<Joined> leaves = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Dispatch> events = new LinkedBlockingQueue<>();
    /** The audit log entries the recording session (the owner's) receives, apart: {@link #auditEvent}. */
    private final LinkedBlockingQueue<Dispatch> auditEvents = new LinkedBlockingQueue<>();
    public final ShardGroup group;
    /** The shard owning {@link #GUILD}. */
    public final int owner;
    /** The other shard, where requests come from. */
    public final int origin;
    /** The guild's text channel {@code general}. */
    public final long channel;

    /**
     * Starts the shards and makes the guild; its events go to a recording session on the origin shard, answers to
     * {@link #ask}.
     *
     * @throws InterruptedException if interrupted while waiting for the shards.
     */
    public OwnerFixture() throws InterruptedException
    {
        this(null);
    }

    /**
     * Starts the shards and makes the guild; its events go to a recording session on the origin shard.
     *
     * @param originRequests the origin shard's table of REST requests waiting for an answer (route tests: the answers
     *                       go there, as in the server), or null to record them for {@link #ask}.
     * @throws InterruptedException if interrupted while waiting for the shards.
     */
    public OwnerFixture(final ExchangeTable originRequests) throws InterruptedException
    {
        node.accounts().put(new Account(ALICE, "alice", "x", false));
        node.accounts().put(new Account(BOB, "bob", "x", false));
        node.accounts().put(new Account(CAROL, "Carol", "x", false));
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 2, 1024, routing, id -> stores[id], (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        owner = group.ownerOf(GUILD);
        origin = 1 - owner;
        for (int i = 0; i < 2; i++)
        {
            final OwnerCommandAdapter adapter = new OwnerCommandAdapter(node, (from, user, event) -> { }, voice,
                new MemberJoins()
                {
                    @Override
                    public void joined(final Shard s, final long userId, final long guildId)
                    {
                        joins.add(new Joined(userId, guildId));
                    }

                    @Override
                    public void left(final Shard s, final long userId, final long guildId)
                    {
                        leaves.add(new Joined(userId, guildId));
                    }
                });
            group.shard(i).commandHandler(new CommandHandler()
            {
                @Override
                public void onCommand(final Shard shard, final CommandReader command)
                {
                    if (command.type() == OwnerCommands.REPLY && originRequests != null)
                    {
                        originRequests.onReply(shard, command);
                    }
                    else if (command.type() == OwnerCommands.REPLY)
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
            s.guilds().get(GUILD).addInterest(origin);
        });
        channel = general[0];
        onShard(origin, s -> s.sessions().subscribe(GUILD, new RecordingSession()));
    }

    @Override
    public void close()
    {
        group.close();
    }

    /**
     * Runs a task on a shard and waits for it.
     *
     * @param shard the shard.
     * @param task  the task.
     * @throws InterruptedException if interrupted.
     */
    public void onShard(final int shard, final ShardTask task) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        assertTrue(group.send(shard, s ->
        {
            task.run(s);
            done.countDown();
        }));
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * Commits a state record on the owner shard (a test's setup: a member, a role, a channel).
     *
     * @param type    the record's type.
     * @param payload the record.
     * @throws InterruptedException if interrupted.
     */
    public void commit(final int type, final byte[] payload) throws InterruptedException
    {
        onShard(owner, s -> StateLog.commit(s, node, type, payload));
    }

    /**
     * @param userId a user to make a member of {@link #GUILD} (with {@code @everyone} only).
     * @throws InterruptedException if interrupted.
     */
    public void member(final long userId) throws InterruptedException
    {
        commit(StateRecords.MEMBER_ADDED, StateRecords.memberAdded(GUILD, userId, 0));
    }

    /**
     * Sends from the origin shard, as a route would, and waits for the answer.
     *
     * @param correlation the request's id (the answer must name it).
     * @param proxy       makes the area's proxy on the origin shard, e.g. {@code RoleProxy::new}.
     * @param send        sends the command through it.
     * @param <P>         the proxy's type.
     * @return the answer.
     * @throws InterruptedException if interrupted.
     */
    <P> Answer ask(final long correlation, final Function<Shard, P> proxy, final Consumer<P> send)
        throws InterruptedException
    {
        onShard(origin, s -> send.accept(proxy.apply(s)));
        final Answer a = answers.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(a, "no answer to request " + correlation);
        assertEquals(correlation, a.correlation(), "the answer names its request");
        return a;
    }

    /**
     * Sends several requests from the origin shard in one task (so none is answered before all are sent) and waits
     * for all their answers.
     *
     * @param sends each sends one request through an area's proxy on the origin shard.
     * @return the answers, in the order they came.
     * @throws InterruptedException if interrupted.
     */
    List<Answer> askAll(final List<ShardTask> sends) throws InterruptedException
    {
        onShard(origin, s ->
        {
            for (final ShardTask send : sends)
            {
                send.run(s);
            }
        });
        final List<Answer> got = new ArrayList<>();
        for (int i = 0; i < sends.size(); i++)
        {
            final Answer a = answers.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(a, "no answer to request " + i);
            got.add(a);
        }
        return got;
    }

    /**
     * Subscribes another session, of {@code userId}, to the guild on the origin shard.
     *
     * @param userId the session's user.
     * @return the events it receives, in order.
     * @throws InterruptedException if interrupted.
     */
    public LinkedBlockingQueue<Dispatch> watch(final long userId) throws InterruptedException
    {
        final LinkedBlockingQueue<Dispatch> got = new LinkedBlockingQueue<>();
        onShard(origin, s -> s.sessions().subscribe(GUILD, new SessionEndpoint()
        {
            @Override
            public long userId()
            {
                return userId;
            }

            @Override
            public void dispatch(final Dispatch dispatch)
            {
                got.add(dispatch);
            }

            @Override
            public void flush()
            {
            }
        }));
        return got;
    }

    /**
     * @param type the event expected next.
     * @return its payload.
     * @throws InterruptedException if interrupted.
     */
    public JsonNode event(final String type) throws InterruptedException
    {
        final Dispatch d = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(d, "no " + type + " event");
        assertEquals(type, d.type(), "the next event");
        return Json.parse(new String(d.data(), StandardCharsets.UTF_8));
    }

    /**
     * @return the next GUILD_AUDIT_LOG_ENTRY_CREATE the recording session received (kept apart from the other
     *         events, so the tests of each area read their own events in order).
     * @throws InterruptedException if interrupted.
     */
    public JsonNode auditEvent() throws InterruptedException
    {
        final Dispatch d = auditEvents.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(d, "no audit log entry");
        return Json.parse(new String(d.data(), StandardCharsets.UTF_8));
    }

    /**
     * Asserts that the owner sent no event the recording session has not taken yet: waits until everything the owner
     * shard sent to the origin so far has arrived (one task through both shards, behind the owner's earlier sends on
     * the same FIFO path), then looks.
     *
     * @throws InterruptedException if interrupted.
     */
    public void noEvent() throws InterruptedException
    {
        final CountDownLatch arrived = new CountDownLatch(1);
        onShard(owner, s -> s.send(origin, o -> arrived.countDown()));
        assertTrue(arrived.await(WAIT_SECONDS, TimeUnit.SECONDS));
        final Dispatch d = events.poll();
        assertEquals(null, d == null ? null : d.type(), "no event expected");
    }
}
