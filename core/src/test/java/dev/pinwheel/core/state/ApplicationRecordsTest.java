package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Application;
import dev.pinwheel.core.guild.GuildTable;

/**
 * The application records (types 60-61): an application round-trips through its record into the directory, a token
 * revocation empties the user's tokens and the next TOKEN_ISSUED works again, both are in the application's scope,
 * and a cut record is refused before anything is applied.
 */
class ApplicationRecordsTest
{
    private static final long APP = 987_654_321_000L;
    private static final long OWNER = 42;

    @Test
    void applicationsAndTokenRevocationsApplyAndHaveTheApplicationsScope()
    {
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        final byte[] put = StateRecords.applicationPut(new Application(APP, OWNER, "Weather Bot", "forecasts"));
        StateRecords.apply(StateRecords.APPLICATION_PUT, put, guilds, node);
        assertEquals(new Application(APP, OWNER, "Weather Bot", "forecasts"), node.directory().application(APP));
        assertEquals(1, node.directory().applicationsOf(OWNER).size());
        assertNull(node.directory().application(OWNER));

        StateRecords.apply(StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(APP, "old"), guilds, node);
        assertTrue(node.accounts().hasToken(APP, "old"));
        StateRecords.apply(StateRecords.TOKENS_REVOKED, StateRecords.tokensRevoked(APP), guilds, node);
        assertFalse(node.accounts().hasToken(APP, "old"));
        StateRecords.apply(StateRecords.TOKEN_ISSUED, StateRecords.tokenIssued(APP, "new"), guilds, node);
        assertTrue(node.accounts().hasToken(APP, "new"));

        assertEquals(APP, StateRecords.scopeOf(StateRecords.APPLICATION_PUT, put));
        assertEquals(APP, StateRecords.scopeOf(StateRecords.TOKENS_REVOKED, StateRecords.tokensRevoked(APP)));
        assertThrows(IllegalArgumentException.class, () -> StateRecords.decode(StateRecords.APPLICATION_PUT,
            Arrays.copyOf(put, put.length - 3)));
    }
}
