package dev.pinwheel.storage.cassandra;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.store.ShardStore;
import dev.pinwheel.storage.Durability;
import dev.pinwheel.storage.EmbeddedStoreFactory;

/**
 * The store contract on the embedded store (Chronicle Queue journal + Chronicle Map indexes).
 */
class EmbeddedStoreContractTest extends ShardStoreContract
{
    @TempDir
    Path dataDir;
    private EmbeddedStoreFactory factory;

    @Override
    protected ShardStore open()
    {
        factory = new EmbeddedStoreFactory(dataDir, Durability.OS);
        final ShardStore s = new BlockingShardStore(factory.open(0));
        s.recover((type, payload) -> { });
        return s;
    }

    @Override
    protected ShardStore reopen()
    {
        store.close();
        factory.close();
        factory = new EmbeddedStoreFactory(dataDir, Durability.OS);
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
