package dev.pinwheel.storage.cassandra;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import dev.pinwheel.core.store.SharedFiles;

/**
 * Message files in Cassandra ({@code files}: one partition per attachment, its bytes in chunks of 256 KiB — well
 * under the cell sizes Cassandra handles comfortably — and its metadata in a static column written last, so that a
 * file whose metadata is there has all its bytes), avatars and icons ({@code images}: one row each), and the
 * cluster's URL-signing key ({@code file_secret}, one row written once with a lightweight transaction). Writes and
 * deletes block the file store's thread; reads complete on the driver's I/O threads. Same consistency and timeout as
 * the messages.
 */
final class CassandraFiles implements SharedFiles
{
    /** Bytes per row. */
    static final int CHUNK = 256 * 1024;

    private final CqlSession session;
    private final ConsistencyLevel consistency;
    private final Duration timeout;
    private final PreparedStatement insertChunk;
    private final PreparedStatement insertMeta;
    private final PreparedStatement delete;
    private final PreparedStatement selectMeta;
    private final PreparedStatement selectData;
    private final PreparedStatement insertSecret;
    private final PreparedStatement insertImage;
    private final PreparedStatement selectImage;

    /**
     * @param session    the node's session.
     * @param keyspace   keyspace (exists, with its tables).
     * @param statements the messages' statements (their consistency level and timeout).
     */
    CassandraFiles(final CqlSession session, final String keyspace, final CassandraStatements statements)
    {
        this.session = session;
        this.consistency = statements.consistency;
        this.timeout = statements.timeout;
        final String k = keyspace + ".";
        insertChunk = prepare("INSERT INTO " + k + "files (id, chunk, data) VALUES (?, ?, ?)");
        insertMeta = prepare("INSERT INTO " + k + "files (id, meta) VALUES (?, ?)");
        delete = prepare("DELETE FROM " + k + "files WHERE id = ?");
        selectMeta = prepare("SELECT meta FROM " + k + "files WHERE id = ? LIMIT 1");
        selectData = prepare("SELECT meta, chunk, data FROM " + k + "files WHERE id = ?");
        insertImage = prepare("INSERT INTO " + k + "images (kind, owner, hash, data) VALUES (?, ?, ?, ?)");
        selectImage = prepare("SELECT data FROM " + k + "images WHERE kind = ? AND owner = ? AND hash = ?");
        insertSecret = session.prepare("INSERT INTO " + k + "file_secret (id, secret) VALUES (0, ?) IF NOT EXISTS");
    }

    private PreparedStatement prepare(final String cql)
    {
        return session.prepare(SimpleStatement.newInstance(cql).setIdempotent(true));
    }

    private BoundStatement bound(final BoundStatement b)
    {
        return b.setConsistencyLevel(consistency).setTimeout(timeout);
    }

    @Override
    public void put(final long id, final String meta, final byte[] data)
    {
        for (int off = 0, chunk = 0; off < data.length; off += CHUNK, chunk++)
        {
            session.execute(bound(insertChunk.bind(id, chunk,
                ByteBuffer.wrap(data, off, Math.min(CHUNK, data.length - off)))));
        }
        session.execute(bound(insertMeta.bind(id, meta)));
    }

    @Override
    public void delete(final long id)
    {
        session.execute(bound(delete.bind(id)));
    }

    @Override
    public CompletableFuture<String> meta(final long id)
    {
        return session.executeAsync(bound(selectMeta.bind(id))).toCompletableFuture().thenApply(rs ->
        {
            final Row row = rs.one();
            return row == null ? null : row.getString("meta");
        });
    }

    @Override
    public CompletableFuture<byte[]> data(final long id)
    {
        final CompletableFuture<byte[]> out = new CompletableFuture<>();
        session.executeAsync(bound(selectData.bind(id)).setPageSize(4)).whenComplete((rs, failure) ->
            collect(rs, failure, new ByteArrayOutputStream(), new boolean[1], out));
        return out;
    }

    /** Appends a page's chunks (in clustering order) and fetches the next page, until the last. */
    private static void collect(final AsyncResultSet page, final Throwable failure, final ByteArrayOutputStream bytes,
        final boolean[] exists, final CompletableFuture<byte[]> out)
    {
        if (failure != null)
        {
            out.completeExceptionally(failure);
            return;
        }
        for (final Row row : page.currentPage())
        {
            exists[0] |= row.getString("meta") != null;
            final ByteBuffer data = row.getByteBuffer("data");
            if (data != null)
            {
                final byte[] b = new byte[data.remaining()];
                data.get(b);
                bytes.writeBytes(b);
            }
        }
        if (page.hasMorePages())
        {
            page.fetchNextPage().whenComplete((next, f) -> collect(next, f, bytes, exists, out));
            return;
        }
        out.complete(exists[0] ? bytes.toByteArray() : null);
    }

    @Override
    public void putImage(final String kind, final long owner, final String hash, final byte[] data)
    {
        session.execute(bound(insertImage.bind(kind, owner, hash, ByteBuffer.wrap(data))));
    }

    @Override
    public CompletableFuture<byte[]> image(final String kind, final long owner, final String hash)
    {
        return session.executeAsync(bound(selectImage.bind(kind, owner, hash))).toCompletableFuture().thenApply(rs ->
        {
            final Row row = rs.one();
            final ByteBuffer data = row == null ? null : row.getByteBuffer("data");
            if (data == null)
            {
                return null;
            }
            final byte[] b = new byte[data.remaining()];
            data.get(b);
            return b;
        });
    }

    @Override
    public byte[] secret(final byte[] proposed)
    {
        final ResultSet rs = session.execute(insertSecret.bind(ByteBuffer.wrap(proposed)).setTimeout(timeout));
        if (rs.wasApplied())
        {
            return proposed.clone();
        }
        final ByteBuffer existing = rs.one().getByteBuffer("secret");
        final byte[] b = new byte[existing.remaining()];
        existing.get(b);
        return b;
    }
}
