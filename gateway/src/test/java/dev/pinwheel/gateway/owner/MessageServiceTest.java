package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.command.CommandHandler;
import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.HistoryQuery;
import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.core.store.StateRecordHandler;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * The message operations as typed commands between two real shard threads: the route side's {@link MessageProxy}
 * writes a command, the owner's {@link OwnerCommandAdapter} reads it into {@link MessageService}, and the answer
 * travels back as a {@link OwnerCommands#REPLY} command to the origin shard — recorded here instead of written to a
 * socket. Checks the fields survive the trip, Discord's errors, and that a refused write is answered 507.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageServiceTest
{
    private static final long ALICE = 1001;
    private static final long BOB = 1002;
    private static final long GUILD = 77;

    /** An answer as the origin shard received it. */
    private record Answer(long correlation, int status, int retryAfter, String body)
    {
        JsonNode json()
        {
            return Json.parse(body);
        }
    }

    /** Messages in memory, newest last: enough of a store for the owner's logic. */
    private static final class MemoryStore implements ShardStore
    {
        final Map<Long, NavigableMap<Long, StoredMessage>> channels = new ConcurrentHashMap<>();
        volatile StoreUnavailableException refuse;

        @Override
        public long recover(final StateRecordHandler handler)
        {
            return 0;
        }

        @Override
        public void appendState(final int type, final byte[] payload)
        {
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
            final NavigableMap<Long, StoredMessage> c = channels.getOrDefault(channelId, new TreeMap<>());
            final List<StoredMessage> page = new ArrayList<>(c.descendingMap().values());
            return page.subList(0, Math.min(limit, page.size()));
        }

        @Override
        public void close()
        {
        }
    }

    private final LinkedBlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final MemoryStore[] stores = {new MemoryStore(), new MemoryStore()};
    private ShardGroup group;
    private int owner;
    private int origin;
    private long channel;

    @BeforeEach
    void twoShardsAndAGuild() throws Exception
    {
        final NodeState node = NodeState.create();
        node.accounts().put(new Account(ALICE, "alice", "x", false));
        node.accounts().put(new Account(BOB, "bob", "x", false));
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 2, 64), (v, p, o) -> { });
        group = new ShardGroup(0, 2, 1024, routing, id -> stores[id], (s, t) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), null);
        owner = group.ownerOf(GUILD);
        origin = 1 - owner;
        for (int i = 0; i < 2; i++)
        {
            final OwnerCommandAdapter adapter = new OwnerCommandAdapter(node, (from, user, event) -> { });
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
                            body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8)));
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
        });
        channel = general[0];
    }

    @AfterEach
    void stop()
    {
        group.close();
    }

    private void onShard(final int shard, final dev.pinwheel.core.shard.ShardTask task) throws InterruptedException
    {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        assertTrue(group.send(shard, s ->
        {
            task.run(s);
            done.countDown();
        }));
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    /** Sends from the origin shard, as a route would, and waits for the answer. */
    private Answer ask(final long correlation, final java.util.function.Consumer<MessageProxy> send)
        throws InterruptedException
    {
        onShard(origin, s -> send.accept(new MessageProxy(s)));
        final Answer a = answers.poll(10, TimeUnit.SECONDS);
        assertEquals(correlation, a.correlation(), "the answer names its request");
        return a;
    }

    @Test
    void aPostCrossesToTheOwnerAndItsAnswerComesBack() throws Exception
    {
        final Answer posted = ask(7, p -> p.post(7, ALICE, GUILD, channel, "héllo ✓", true, 0, "n-1",
            "[{\"title\":\"t\"}]", 0, 0, false));
        assertEquals(200, posted.status(), posted.body());
        final JsonNode m = posted.json();
        assertEquals("héllo ✓", m.get("content").asText());
        assertEquals("n-1", m.get("nonce").asText());
        assertTrue(m.get("tts").asBoolean());
        assertEquals("t", m.get("embeds").get(0).get("title").asText());
        final long id = Long.parseLong(m.get("id").asText());
        assertEquals("héllo ✓", stores[owner].message(channel, id).content(), "journaled on the owner");

        final Answer one = ask(8, p -> p.get(8, ALICE, GUILD, channel, id));
        assertEquals(200, one.status());
        final Answer page = ask(9, p -> p.history(9, ALICE, GUILD, channel, HistoryQuery.LATEST, 0, 50));
        assertEquals(1, page.json().size());
        final Answer edited = ask(10, p -> p.edit(10, ALICE, GUILD, channel, id, "changed", null));
        assertEquals("changed", edited.json().get("content").asText());
        assertEquals(204, ask(11, p -> p.delete(11, ALICE, GUILD, channel, id)).status());
        assertEquals(404, ask(12, p -> p.get(12, ALICE, GUILD, channel, id)).status());
    }

    @Test
    void discordsErrorsAreAnsweredByTheOwner() throws Exception
    {
        final Answer stranger = ask(1, p -> p.post(1, BOB, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(403, stranger.status());
        assertEquals(50001, stranger.json().get("code").asInt());
        final Answer noGuild = ask(2, p -> p.post(2, ALICE, GUILD + 1, channel, "hi", false, 0, null, null, 0, 0,
            false));
        assertEquals(404, noGuild.status());
        final Answer noReplyTarget = ask(3, p -> p.post(3, ALICE, GUILD, channel, "hi", false, 0, null, null, 42, 0,
            true));
        assertEquals(400, noReplyTarget.status());
        assertEquals(50035, noReplyTarget.json().get("code").asInt());
        final Answer posted = ask(4, p -> p.post(4, ALICE, GUILD, channel, "mine", false, 0, null, null, 0, 0, false));
        final long id = Long.parseLong(posted.json().get("id").asText());
        final Answer empty = ask(5, p -> p.edit(5, ALICE, GUILD, channel, id, " ", null));
        assertEquals(50006, empty.json().get("code").asInt());
    }

    @Test
    void aRefusedWriteIsAnswered507WithNothingStored() throws Exception
    {
        stores[owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        final Answer refused = ask(1, p -> p.post(1, ALICE, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(507, refused.status());
        assertTrue(stores[owner].channels.isEmpty());
        stores[owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.FAULTED, "io");
        final Answer faulted = ask(2, p -> p.post(2, ALICE, GUILD, channel, "hi", false, 0, null, null, 0, 0, false));
        assertEquals(503, faulted.status());
        assertEquals(30, faulted.retryAfter());
        assertEquals(2, group.shard(owner).commandCount(OwnerCommands.MESSAGE_POST));
    }
}
