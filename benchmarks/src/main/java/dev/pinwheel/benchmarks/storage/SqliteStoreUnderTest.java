package dev.pinwheel.benchmarks.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.store.StoredMessage;

/**
 * The same work on SQLite (xerial sqlite-jdbc) in WAL mode, the schema a developer would write:
 * <pre>
 *   messages(id INTEGER PRIMARY KEY, channel_id, author_id, content, edited, flags) + INDEX (channel_id, id)
 * </pre>
 * {@code synchronous=NORMAL} is the {@code os} analogue (a commit is in the WAL file, fsync only at checkpoints:
 * survives a process crash, not a power cut); {@code synchronous=FULL} the {@code sync} analogue (fsync of the WAL
 * per commit). Autocommit: one transaction per append, one per batch for {@link #appendBatch}. Statements are
 * prepared once.
 */
final class SqliteStoreUnderTest implements MessageStoreUnderTest
{
    private final Connection connection;
    private final PreparedStatement insert;
    private final PreparedStatement latest;
    private final PreparedStatement before;
    private final PreparedStatement get;

    /**
     * @param file database file.
     * @param full synchronous=FULL (else NORMAL).
     */
    SqliteStoreUnderTest(final Path file, final boolean full)
    {
        try
        {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = connection.createStatement())
            {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (full ? "FULL" : "NORMAL"));
                s.execute("CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL, "
                    + "guild_id INTEGER NOT NULL, author_id INTEGER NOT NULL, content TEXT NOT NULL, "
                    + "edited INTEGER NOT NULL, flags INTEGER NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS messages_channel ON messages(channel_id, id)");
            }
            insert = connection.prepareStatement("INSERT INTO messages(id, channel_id, guild_id, author_id, content, "
                + "edited, flags) VALUES (?, ?, ?, ?, ?, ?, ?)");
            final String columns = "SELECT id, channel_id, guild_id, author_id, content, edited, flags FROM messages ";
            latest = connection.prepareStatement(columns + "WHERE channel_id = ? ORDER BY id DESC LIMIT ?");
            before = connection.prepareStatement(columns + "WHERE channel_id = ? AND id < ? ORDER BY id DESC LIMIT ?");
            get = connection.prepareStatement(columns + "WHERE id = ? AND channel_id = ?");
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("cannot open SQLite at " + file, ex);
        }
    }

    @Override
    public void append(final StoredMessage message)
    {
        try
        {
            bind(message);
            insert.executeUpdate();
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void appendBatch(final StoredMessage[] messages)
    {
        try
        {
            connection.setAutoCommit(false);
            for (final StoredMessage message : messages)
            {
                bind(message);
                insert.executeUpdate();
            }
            connection.commit();
            connection.setAutoCommit(true);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void bind(final StoredMessage m) throws SQLException
    {
        insert.setLong(1, m.id());
        insert.setLong(2, m.channelId());
        insert.setLong(3, m.guildId());
        insert.setLong(4, m.authorId());
        insert.setString(5, m.content());
        insert.setLong(6, m.editedTimestampMillis());
        insert.setInt(7, m.flags());
    }

    @Override
    public List<StoredMessage> latest(final long channelId, final int limit)
    {
        try
        {
            latest.setLong(1, channelId);
            latest.setInt(2, limit);
            return read(latest, limit);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public List<StoredMessage> before(final long channelId, final long anchor, final int limit)
    {
        try
        {
            before.setLong(1, channelId);
            before.setLong(2, anchor);
            before.setInt(3, limit);
            return read(before, limit);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public StoredMessage get(final long channelId, final long id)
    {
        try
        {
            get.setLong(1, id);
            get.setLong(2, channelId);
            final List<StoredMessage> one = read(get, 1);
            return one.isEmpty() ? null : one.get(0);
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static List<StoredMessage> read(final PreparedStatement statement, final int limit) throws SQLException
    {
        final List<StoredMessage> page = new ArrayList<>(limit);
        try (ResultSet rs = statement.executeQuery())
        {
            while (rs.next())
            {
                page.add(new StoredMessage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                    rs.getLong(6), rs.getInt(7), false, false));
            }
        }
        return page;
    }

    @Override
    public void close()
    {
        try
        {
            connection.close();
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
