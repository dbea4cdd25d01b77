package dev.pinwheel.storage.cassandra;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * Reads the per-scope state logs for a cluster node that takes over routing keys from another (a ring epoch's
 * handover): which scopes exist, and one scope's records in write order. Blocking reads: for a control-plane thread,
 * never a shard thread (the shard only applies what was read).
 */
public final class CassandraScopes
{
    private final CqlSession session;
    private final CassandraStatements st;

    CassandraScopes(final CqlSession session, final CassandraStatements st)
    {
        this.session = session;
        this.st = st;
    }

    /**
     * @return every scope (routing key) that has a state log.
     */
    public List<Long> all()
    {
        final List<Long> scopes = new ArrayList<>();
        for (int part = 0; part < CassandraSchema.SCOPE_PARTS; part++)
        {
            for (final Row row : session.execute(st.bind(st.selectScopes, part)))
            {
                scopes.add(row.getLong(0));
            }
        }
        return scopes;
    }

    /**
     * @param scope a routing key.
     * @return its state records, oldest first (the seq is the owner's write timestamp).
     */
    public List<StateRow> log(final long scope)
    {
        final List<StateRow> rows = new ArrayList<>();
        for (final Row row : session.execute(st.bind(st.selectState, scope)))
        {
            final ByteBuffer b = row.getByteBuffer(2);
            final byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            rows.add(new StateRow(scope, row.getLong(0), row.getInt(1), bytes));
        }
        return rows;
    }

    /**
     * One state record of a scope's log.
     *
     * @param scope   the routing key.
     * @param seq     its write timestamp (order).
     * @param type    record type.
     * @param payload the record.
     */
    public record StateRow(long scope, long seq, int type, byte[] payload)
    {
    }
}
