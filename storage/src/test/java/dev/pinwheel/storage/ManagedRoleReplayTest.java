package dev.pinwheel.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.state.NodeState;
import dev.pinwheel.core.state.StateRecords;

/**
 * A journal written before roles could be managed by a bot (ROLE_PUT without its trailing bot id) replays into the
 * same roles, unmanaged, next to a managed role written by the new code, from a real Chronicle journal reopened.
 */
class ManagedRoleReplayTest
{
    private static final long GUILD = 4_242_424_242L;
    private static final long BOT = 77_777_777L;

    @TempDir
    Path dataDir;

    @Test
    void oldRolePutRecordsReplayNextToManagedOnes() throws IOException
    {
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(new EmbeddedStoreContext().dataDir(dataDir)))
        {
            final ChronicleShardStore store = factory.open(0);
            store.recover((type, payload) -> { });
            store.appendState(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "old guild", 1, 0));
            store.appendState(StateRecords.ROLE_PUT, oldLayout(GUILD, 11, "moderators", 8192, 1, 0x00ff00));
            store.appendState(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD,
                new Role(12, "Weather Bot", 3072, 2, 0, BOT)));
            store.close();
        }
        final GuildTable guilds = new GuildTable();
        final NodeState node = NodeState.create();
        try (EmbeddedStoreFactory factory = new EmbeddedStoreFactory(new EmbeddedStoreContext().dataDir(dataDir)))
        {
            final ChronicleShardStore store = factory.open(0);
            assertEquals(3, store.recover((type, payload) -> StateRecords.apply(type, payload, guilds, node)));
            store.close();
        }
        assertEquals(new Role(11, "moderators", 8192, 1, 0x00ff00), guilds.get(GUILD).role(11));
        assertFalse(guilds.get(GUILD).role(11).managed());
        assertTrue(guilds.get(GUILD).role(12).managed());
        assertEquals(BOT, guilds.get(GUILD).role(12).botId());
    }

    /** ROLE_PUT as the journal held it before managed roles: guild, id, name, permissions, position, colour. */
    private static byte[] oldLayout(final long guildId, final long id, final String name, final long permissions,
        final int position, final int color) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeLong(guildId);
            out.writeLong(id);
            out.writeUTF(name);
            out.writeLong(permissions);
            out.writeInt(position);
            out.writeInt(color);
        }
        return bytes.toByteArray();
    }
}
