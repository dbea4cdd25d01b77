package dev.pinwheel.storage.cassandra;

import java.time.Duration;
import java.util.List;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

/**
 * The keyspace and its tables, created when missing ({@code IF NOT EXISTS}: safe on every start, from any node).
 * <pre>
 *   messages    ((channel_id, bucket), message_id DESC)   Discord's layout: one partition per channel and 10 days;
 *                                                         the row is the newest version (an edit, a reaction or a
 *                                                         pin rewrites it with a newer write timestamp); a delete is
 *                                                         a Cassandra tombstone
 *   pins        (channel_id, message_id)                  the pinned ids and when they were pinned
 *   state_log   (scope, seq)                              one append-only log per routing key (guild, user, app,
 *                                                         DM pair): whoever owns the key replays it
 *   scopes      (part, scope)                             every scope that has a log, in 16 small partitions, so a
 *                                                         shard finds the keys it owns at start
 *   migration   (source, item)                            progress of ./pinwheel migrate (resumable)
 *   files       (id, chunk)                               message files: 256 KiB chunks, the metadata in a static
 *                                                         column written last (CassandraFiles)
 *   images      ((kind, owner), hash)                     avatars and icons (at most ~190 KiB each: one row)
 *   file_secret (id)                                      the cluster's key for signed file URLs (one row)
 * </pre>
 */
public final class CassandraSchema
{
    /** Partitions of the scopes table. */
    public static final int SCOPE_PARTS = 16;

    private CassandraSchema()
    {
    }

    /**
     * @param keyspace    keyspace name (validated).
     * @param replication replication factor used when the keyspace is created.
     * @return the CQL statements, in order.
     */
    public static List<String> statements(final String keyspace, final int replication)
    {
        final String k = keyspace;
        return List.of(
            "CREATE KEYSPACE IF NOT EXISTS " + k + " WITH replication = {'class': 'SimpleStrategy', "
                + "'replication_factor': " + replication + "}",
            table(k, "messages", "(channel_id bigint, bucket int, message_id bigint, "
                + "guild_id bigint, author_id bigint, content text, edited_at bigint, flags int, tts boolean, "
                + "pinned boolean, extra text, PRIMARY KEY ((channel_id, bucket), message_id)) "
                + "WITH CLUSTERING ORDER BY (message_id DESC)"),
            table(k, "pins", "(channel_id bigint, message_id bigint, pinned_at bigint, "
                + "PRIMARY KEY (channel_id, message_id))"),
            table(k, "state_log", "(scope bigint, seq bigint, type int, payload blob, "
                + "PRIMARY KEY (scope, seq)) WITH CLUSTERING ORDER BY (seq ASC)"),
            table(k, "scopes", "(part int, scope bigint, PRIMARY KEY (part, scope))"),
            table(k, "migration", "(source text, item text, done bigint, PRIMARY KEY (source, item))"),
            table(k, "files", "(id bigint, chunk int, data blob, meta text static, "
                + "PRIMARY KEY (id, chunk)) WITH CLUSTERING ORDER BY (chunk ASC)"),
            table(k, "images", "(kind text, owner bigint, hash text, data blob, PRIMARY KEY ((kind, owner), hash))"),
            table(k, "file_secret", "(id int PRIMARY KEY, secret blob)"));
    }

    /**
     * A {@code CREATE TABLE IF NOT EXISTS} with the table's id given ({@code WITH ID}): without it the coordinator
     * picks a time-based id, and two Pinwheel nodes starting at once through two coordinators of a multi-node
     * Cassandra create the same table twice under two ids. The schema merge keeps one; what a node wrote to the
     * other before the merge stays in that table's directory, outside the table kept (Cassandra's known hazard of
     * concurrent table creation, before its transactional metadata). One id per keyspace and table makes both creations the same table. The id
     * repeats for a keyspace re-created under the same name after a drop: the README tells operators to pick a new
     * name then (Pinwheel itself never drops its tables).
     *
     * @param keyspace   keyspace.
     * @param name       table.
     * @param definition the columns and key, and any {@code WITH} options.
     * @return the statement.
     */
    static String table(final String keyspace, final String name, final String definition)
    {
        return "CREATE TABLE IF NOT EXISTS " + keyspace + "." + name + " " + definition
            + (definition.contains(" WITH ") ? " AND" : " WITH") + " ID = " + tableId(keyspace, name);
    }

    /**
     * @param keyspace keyspace.
     * @param name     table.
     * @return the table's id: a name-based UUID of "pinwheel:KEYSPACE.TABLE", the same on every node.
     */
    static java.util.UUID tableId(final String keyspace, final String name)
    {
        return java.util.UUID.nameUUIDFromBytes(("pinwheel:" + keyspace + "." + name)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Creates what is missing; waits for schema agreement.
     *
     * @param session     a session (not bound to the keyspace).
     * @param keyspace    keyspace.
     * @param replication replication factor for a new keyspace.
     */
    public static void create(final CqlSession session, final String keyspace, final int replication)
    {
        final var existing = session.getMetadata().getKeyspace(keyspace);
        if (existing.isPresent() && existing.get().getTable("file_secret").isPresent()
            && existing.get().getTable("messages").isPresent())
        {
            return; // the last statement's table exists: everything before it does (no DDL round trips at start)
        }
        for (final String cql : statements(keyspace, replication))
        {
            session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(30)));
        }
    }

    /**
     * @param scope a routing key.
     * @return its partition of the scopes table.
     */
    public static int scopePart(final long scope)
    {
        return (int)((scope ^ (scope >>> 32)) & (SCOPE_PARTS - 1));
    }
}
