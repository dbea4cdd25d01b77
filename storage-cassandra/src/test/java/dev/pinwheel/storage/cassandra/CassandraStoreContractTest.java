package dev.pinwheel.storage.cassandra;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

import dev.pinwheel.core.store.ShardStore;

/**
 * The store contract on a real Cassandra (one node, shared by this JVM's tests; a keyspace per test). Writes are
 * asynchronous: the owner reads its own writes from memory; a reopened store reads them from Cassandra (close waits
 * until they are acknowledged).
 */
@Tag("cassandra")
@Tag("external")
class CassandraStoreContractTest extends ShardStoreContract
{
    private static final String KEYSPACE = TestCassandra.keyspace("contract");
    private CassandraStoreFactory factory;

    @Override
    protected ShardStore open()
    {
        factory = new CassandraStoreFactory(TestCassandra.context(KEYSPACE));
        final ShardStore s = new BlockingShardStore(factory.open(0));
        s.recover((type, payload) -> { });
        return s;
    }

    @Override
    protected ShardStore reopen()
    {
        store.close();
        factory.close();
        factory = new CassandraStoreFactory(TestCassandra.context(KEYSPACE));
        return new BlockingShardStore(factory.open(0));
    }

    @AfterEach
    void closeFactory()
    {
        if (store != null)
        {
            store.close();
            store = null;
        }
        factory.close();
    }
}
