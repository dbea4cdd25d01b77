package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.guild.GuildTable;
import dev.pinwheel.core.guild.Role;

/**
 * ROLE_PUT with a bot's managed role: the bot id is a trailing field, so a record written before it existed (the old
 * layout, encoded here by hand) still decodes, as a role people manage; a managed role round-trips with its bot, and
 * moving it keeps its bot.
 */
class ManagedRoleRecordsTest
{
    private static final long GUILD = 1_234_567_890_123L;
    private static final long BOT = 987_654_321_000L;

    /** ROLE_PUT as it was written before managed roles: guild, id, name, permissions, position, colour. */
    static byte[] oldRolePut(final long guildId, final Role r) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeLong(guildId);
            out.writeLong(r.id());
            out.writeUTF(r.name());
            out.writeLong(r.permissions());
            out.writeInt(r.position());
            out.writeInt(r.color());
        }
        return bytes.toByteArray();
    }

    @Test
    void oldRecordsDecodeAsUnmanagedAndNewOnesCarryTheirBot() throws IOException
    {
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        StateRecords.apply(StateRecords.GUILD_CREATED, StateRecords.guildCreated(GUILD, "g", 1, 0), guilds, node);
        final Role old = new Role(11, "moderators", 8192, 1, 0xff0000);
        final byte[] oldBytes = oldRolePut(GUILD, old);
        assertEquals(oldBytes.length + Long.BYTES, StateRecords.rolePut(GUILD, old).length, "one trailing long");
        StateRecords.apply(StateRecords.ROLE_PUT, oldBytes, guilds, node);
        assertEquals(old, guilds.get(GUILD).role(11));
        assertFalse(guilds.get(GUILD).role(11).managed());

        final Role bots = new Role(12, "Weather Bot", 3072, 2, 0, BOT);
        StateRecords.apply(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, bots), guilds, node);
        assertTrue(guilds.get(GUILD).role(12).managed());
        assertEquals(BOT, guilds.get(GUILD).role(12).botId());
        StateRecords.apply(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, bots.withPosition(3)), guilds, node);
        assertEquals(new Role(12, "Weather Bot", 3072, 3, 0, BOT), guilds.get(GUILD).role(12));
        assertEquals(GUILD, StateRecords.scopeOf(StateRecords.ROLE_PUT, oldBytes));
    }
}
