package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.routing.RoutingRing;
import dev.pinwheel.core.routing.RoutingTable;
import dev.pinwheel.core.shard.InMemoryShardStore;
import dev.pinwheel.core.shard.IoDriver;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardGroup;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.tuning.ThreadPlacement;

/**
 * {@link StateLog} keeps memory and journal in agreement in both failure directions, on a real shard thread: a
 * record that cannot be applied is never journaled, a record the store refuses is never applied, and a journal that
 * already holds a record that cannot be applied still recovers everything else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StateLogTest
{
    private static final long GUILD = 4242;

    private static ShardGroup group(final InMemoryShardStore store, final NodeState node)
    {
        final RoutingTable routing = new RoutingTable(RoutingRing.build(1, 1, 1, 64), (v, p, o) -> { });
        final ShardGroup g = new ShardGroup(0, 1, 1024, routing, id -> store, (shard, thread) -> IoDriver.parking(),
            ThreadPlacement.unpinned(), shard -> StateLog.recover(shard, node), null);
        g.start(30, TimeUnit.SECONDS);
        return g;
    }

    private static <T> T onShard(final ShardGroup g, final Function<Shard, T> work) throws Exception
    {
        final CompletableFuture<T> out = new CompletableFuture<>();
        assertTrue(g.send(0, s ->
        {
            try
            {
                out.complete(work.apply(s));
            }
            catch (final RuntimeException ex)
            {
                out.completeExceptionally(ex);
            }
        }));
        try
        {
            return out.get(10, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw (Exception)ex.getCause();
        }
    }

    @Test
    void aRecordThatCannotBeAppliedIsNeverJournaled() throws Exception
    {
        final InMemoryShardStore store = new InMemoryShardStore();
        final NodeState node = NodeState.create();
        try (ShardGroup g = group(store, node))
        {
            final byte[] whole = StateRecords.guildCreated(GUILD, "lounge", 7, 0);
            final byte[] truncated = Arrays.copyOf(whole, whole.length - 3);
            assertThrows(IllegalArgumentException.class, () -> onShard(g, s ->
            {
                StateLog.commit(s, node, StateRecords.GUILD_CREATED, truncated);
                return null;
            }));
            assertThrows(IllegalArgumentException.class, () -> onShard(g, s ->
            {
                StateLog.commit(s, node, 999, whole);
                return null;
            }));
            assertTrue(store.records.isEmpty(), "nothing journaled");
            assertNull(onShard(g, s -> s.guilds().get(GUILD)), "nothing applied");
            assertNull(node.directory().guild(GUILD));
        }
    }

    @Test
    void aRecordTheStoreRefusesIsNeverApplied() throws Exception
    {
        final InMemoryShardStore store = new InMemoryShardStore();
        final NodeState node = NodeState.create();
        try (ShardGroup g = group(store, node))
        {
            store.refuse = StoreUnavailableException.Reason.DISK_FULL;
            final StoreUnavailableException ex = assertThrows(StoreUnavailableException.class, () -> onShard(g, s ->
            {
                StateLog.commit(s, node, StateRecords.USER_REGISTERED,
                    StateRecords.userRegistered(new Account(11, "ana", "hash", false)));
                return null;
            }));
            assertEquals(StoreUnavailableException.Reason.DISK_FULL, ex.reason());
            assertNull(node.accounts().get(11), "memory untouched");
            assertTrue(store.records.isEmpty());

            store.refuse = null; // space freed: the same write goes through
            onShard(g, s ->
            {
                StateLog.commit(s, node, StateRecords.USER_REGISTERED,
                    StateRecords.userRegistered(new Account(11, "ana", "hash", false)));
                return null;
            });
            assertNotNull(node.accounts().get(11));
            assertEquals(1, store.records.size());
        }
    }

    @Test
    void recoverySkipsARecordThatCannotBeAppliedAndKeepsEverythingElse() throws Exception
    {
        // A journal written before commits validated first: a good record, a damaged one, a good one.
        final InMemoryShardStore store = new InMemoryShardStore();
        store.types.add(StateRecords.GUILD_CREATED);
        store.records.add(StateRecords.guildCreated(GUILD, "lounge", 7, 0));
        store.types.add(StateRecords.MEMBER_ADDED);
        store.records.add(new byte[] {1, 2, 3});
        store.types.add(StateRecords.MEMBER_ADDED);
        store.records.add(StateRecords.memberAdded(GUILD, 7, 1000));
        final NodeState node = NodeState.create();
        try (ShardGroup g = group(store, node))
        {
            assertEquals(1, (int)onShard(g, s -> s.guilds().get(GUILD).memberCount()), "the record after it counts");
            assertTrue(node.accounts().guildsOf(7).contains(GUILD));
        }
    }
}
