package dev.pinwheel.storage.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.store.SharedFiles;

/**
 * Message files in Cassandra, on a real node: a file of several rows (and an empty one) read back byte for byte by
 * another node's session, gone for both once deleted; an image read back; the URL-signing key is the first node's for every node.
 */
@Tag("cassandra")
@Tag("external")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CassandraFilesTest
{
    private static final String KEYSPACE = TestCassandra.keyspace("files");

    @Test
    void filesOfSeveralRowsAreReadBackByAnotherNodeAndGoneOnceDeleted() throws Exception
    {
        try (CassandraStoreFactory a = new CassandraStoreFactory(TestCassandra.context(KEYSPACE));
            CassandraStoreFactory b = new CassandraStoreFactory(TestCassandra.context(KEYSPACE)))
        {
            final SharedFiles writer = a.sharedFiles();
            final SharedFiles reader = b.sharedFiles();
            final byte[] big = new byte[2 * CassandraFiles.CHUNK + 12_345];
            new Random(3).nextBytes(big);
            writer.put(11, "filename=big.bin\n", big);
            writer.put(12, "filename=empty.txt\n", new byte[0]);
            assertNull(reader.meta(10).get(30, TimeUnit.SECONDS), "never stored");
            assertNull(reader.data(10).get(30, TimeUnit.SECONDS), "never stored");
            assertEquals("filename=big.bin\n", reader.meta(11).get(30, TimeUnit.SECONDS));
            assertArrayEquals(big, reader.data(11).get(30, TimeUnit.SECONDS));
            assertArrayEquals(new byte[0], reader.data(12).get(30, TimeUnit.SECONDS), "an empty file exists");

            writer.delete(11);
            assertNull(reader.meta(11).get(30, TimeUnit.SECONDS));
            assertNull(reader.data(11).get(30, TimeUnit.SECONDS));

            final byte[] png = new byte[150_000];
            new Random(6).nextBytes(png);
            writer.putImage("avatars", 5, "0123456789abcdef0123456789abcdef", png);
            assertArrayEquals(png, reader.image("avatars", 5, "0123456789abcdef0123456789abcdef")
                .get(30, TimeUnit.SECONDS));
            assertNull(reader.image("icons", 5, "0123456789abcdef0123456789abcdef").get(30, TimeUnit.SECONDS));

            final byte[] first = new byte[32];
            new Random(4).nextBytes(first);
            final byte[] second = new byte[32];
            new Random(5).nextBytes(second);
            assertArrayEquals(first, writer.secret(first), "the first proposal is the cluster's key");
            assertArrayEquals(first, reader.secret(second), "a later node gets the first one's");
        }
    }
}
