package dev.pinwheel.storage.cassandra;

import java.time.Duration;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import dev.pinwheel.core.store.StoredMessage;

/**
 * The prepared statements of the store, shared by every shard of a node (a {@link PreparedStatement} is immutable;
 * binding makes a new statement). Every statement is idempotent and carries the consistency level; writes carry an
 * explicit write timestamp ({@code USING TIMESTAMP}) chosen by the owner, so a re-sent write is the same write and
 * versions of one message order by their owner's clock, whatever order they land in. Bound partition keys let the
 * driver route each request to a replica of its partition (token-aware).
 */
public final class CassandraStatements
{
    static final String COLUMNS = "message_id, guild_id, author_id, content, edited_at, flags, tts, pinned, extra";
    final PreparedStatement insertMessage;
    final PreparedStatement deleteMessage;
    final PreparedStatement selectMessage;
    final PreparedStatement selectLatest;
    final PreparedStatement selectBefore;
    final PreparedStatement selectAfter;
    final PreparedStatement insertPin;
    final PreparedStatement deletePin;
    final PreparedStatement selectPins;
    final PreparedStatement insertState;
    final PreparedStatement selectState;
    final PreparedStatement insertScope;
    final PreparedStatement selectScopes;
    final ConsistencyLevel consistency;
    final Duration timeout;

    /**
     * @param session     the node's session.
     * @param keyspace    keyspace (exists).
     * @param consistency consistency level name.
     * @param timeout     one request's timeout.
     */
    public CassandraStatements(final CqlSession session, final String keyspace, final String consistency,
        final Duration timeout)
    {
        this.consistency = DefaultConsistencyLevel.valueOf(consistency);
        this.timeout = timeout;
        final String k = keyspace + ".";
        insertMessage = prepare(session, "INSERT INTO " + k + "messages (channel_id, bucket, " + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        deleteMessage = prepare(session, "DELETE FROM " + k + "messages USING TIMESTAMP ? WHERE channel_id = ? AND "
            + "bucket = ? AND message_id = ?");
        selectMessage = prepare(session, "SELECT " + COLUMNS + " FROM " + k + "messages WHERE channel_id = ? AND "
            + "bucket = ? AND message_id = ?");
        selectLatest = prepare(session, "SELECT " + COLUMNS + " FROM " + k + "messages WHERE channel_id = ? AND "
            + "bucket = ? LIMIT ?");
        selectBefore = prepare(session, "SELECT " + COLUMNS + " FROM " + k + "messages WHERE channel_id = ? AND "
            + "bucket = ? AND message_id < ? LIMIT ?");
        selectAfter = prepare(session, "SELECT " + COLUMNS + " FROM " + k + "messages WHERE channel_id = ? AND "
            + "bucket = ? AND message_id > ? ORDER BY message_id ASC LIMIT ?");
        insertPin = prepare(session, "INSERT INTO " + k + "pins (channel_id, message_id, pinned_at) VALUES (?, ?, ?) "
            + "USING TIMESTAMP ?");
        deletePin = prepare(session, "DELETE FROM " + k + "pins USING TIMESTAMP ? WHERE channel_id = ? AND "
            + "message_id = ?");
        selectPins = prepare(session, "SELECT message_id, pinned_at FROM " + k + "pins WHERE channel_id = ?");
        insertState = prepare(session, "INSERT INTO " + k + "state_log (scope, seq, type, payload) VALUES (?, ?, ?, ?) "
            + "USING TIMESTAMP ?");
        selectState = prepare(session, "SELECT seq, type, payload FROM " + k + "state_log WHERE scope = ?");
        insertScope = prepare(session, "INSERT INTO " + k + "scopes (part, scope) VALUES (?, ?)");
        selectScopes = prepare(session, "SELECT scope FROM " + k + "scopes WHERE part = ?");
    }

    private static PreparedStatement prepare(final CqlSession session, final String cql)
    {
        return session.prepare(SimpleStatement.newInstance(cql).setIdempotent(true));
    }

    /**
     * @param statement a prepared statement.
     * @return a bound statement with the store's consistency, timeout and idempotence, values to follow.
     */
    BoundStatement bind(final PreparedStatement statement, final Object... values)
    {
        return statement.bind(values).setConsistencyLevel(consistency).setTimeout(timeout).setIdempotent(true);
    }

    /**
     * @return the insert of one message version, written at {@code timestampMicros}.
     */
    BoundStatement insert(final StoredMessage m, final long timestampMicros)
    {
        return bind(insertMessage, m.channelId(), Buckets.of(m.id()), m.id(), m.guildId(), m.authorId(), m.content(),
            m.editedTimestampMillis(), m.flags(), m.tts(), m.pinned(), m.extra(), timestampMicros);
    }

    /**
     * @param channelId channel (the row holds the rest).
     * @param row       a row of {@link #COLUMNS}.
     * @return the message.
     */
    static StoredMessage message(final long channelId, final Row row)
    {
        return new StoredMessage(row.getLong(0), channelId, row.getLong(1), row.getLong(2), row.getString(3),
            row.getLong(4), row.getInt(5), row.getBoolean(6), row.getBoolean(7), row.getString(8));
    }
}
