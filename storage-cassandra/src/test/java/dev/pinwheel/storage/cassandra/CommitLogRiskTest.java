package dev.pinwheel.storage.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;

import org.junit.jupiter.api.Test;

/**
 * When a write Cassandra acknowledged can still be lost to one crash: the judgement, and the setting read from a
 * real node (the local launcher's Cassandra syncs in groups, so it draws no warning).
 */
class CommitLogRiskTest
{
    @Test
    void periodicSyncWithoutReplicasToCoverACrashIsARisk()
    {
        final String w = CassandraStoreFactory.acknowledgedWriteRisk("periodic", 1, "ONE", "pw");
        assertNotNull(w);
        assertTrue(w.contains("keyspace pw has replication 1") && w.contains("commitlog_sync: group"), w);
        assertNotNull(CassandraStoreFactory.acknowledgedWriteRisk("periodic", 2, "LOCAL_QUORUM", "pw"));
        assertNotNull(CassandraStoreFactory.acknowledgedWriteRisk("periodic", 3, "LOCAL_ONE", "pw"));
        assertNotNull(CassandraStoreFactory.acknowledgedWriteRisk(" PERIODIC ", Integer.MAX_VALUE, "ONE", "pw"));
    }

    @Test
    void syncedCommitLogsOrAQuorumOfThreeAreNot()
    {
        assertNull(CassandraStoreFactory.acknowledgedWriteRisk("group", 1, "ONE", "pw"));
        assertNull(CassandraStoreFactory.acknowledgedWriteRisk("batch", 1, "ONE", "pw"));
        assertNull(CassandraStoreFactory.acknowledgedWriteRisk("periodic", 3, "LOCAL_QUORUM", "pw"));
        assertNull(CassandraStoreFactory.acknowledgedWriteRisk("periodic", 5, "QUORUM", "pw"));
        assertNull(CassandraStoreFactory.acknowledgedWriteRisk(null, 1, "ONE", "pw"), "unknown: not judged");
    }

    @Test
    void theLocalLauncherSyncsItsCommitLogInGroupsAndDrawsNoWarning()
    {
        final CassandraStoreContext ctx = TestCassandra.context(TestCassandra.keyspace("risk"));
        try (CqlSession session = CassandraStoreFactory.connect(ctx.conclude()))
        {
            CassandraSchema.create(session, ctx.keyspace(), 1);
            assertEquals("group", CassandraStoreFactory.commitLogSync(session).trim().toLowerCase(
                java.util.Locale.ROOT));
            assertNull(CassandraStoreFactory.warnIfAcknowledgedWritesCanBeLost(session, ctx.keyspace(), "ONE"));
        }
    }
}
