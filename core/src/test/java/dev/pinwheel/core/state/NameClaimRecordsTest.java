package dev.pinwheel.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.guild.GuildTable;

/**
 * A username's claim as a state record: in the scope of the name's key (whatever its case), applied as a reservation
 * of the name for the id (a claim never takes a name held by another id), and given back only by the id it was for.
 */
class NameClaimRecordsTest
{
    @Test
    void aClaimIsInItsNamesScopeWhateverTheCase()
    {
        assertEquals(Usernames.key("erin"), StateRecords.scopeOf(StateRecords.NAME_CLAIMED,
            StateRecords.nameClaim("ErIn", 7)));
        assertEquals(Usernames.key("ERIN"), StateRecords.scopeOf(StateRecords.NAME_RELEASED,
            StateRecords.nameClaim("erin", 7)));
        assertNotEquals(Usernames.key("erin"), Usernames.key("erin2"));
    }

    @Test
    void claimAndReleaseApplyToTheNodesAccounts()
    {
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        StateRecords.apply(StateRecords.NAME_CLAIMED, StateRecords.nameClaim("Erin", 7), guilds, node);
        assertEquals(7, node.accounts().holderOf("erin"));
        assertNull(node.accounts().byUsername("erin"), "claimed: the account is not there yet");
        StateRecords.apply(StateRecords.NAME_CLAIMED, StateRecords.nameClaim("erin", 8), guilds, node);
        assertEquals(7, node.accounts().holderOf("ERIN"), "a second claim takes nothing");
        StateRecords.apply(StateRecords.NAME_RELEASED, StateRecords.nameClaim("erin", 8), guilds, node);
        assertEquals(7, node.accounts().holderOf("erin"), "only the id it was for gives it back");
        node.accounts().put(new Account(7, "Erin", "x", false));
        assertEquals(7, node.accounts().byUsername("eRiN").id());
        StateRecords.apply(StateRecords.NAME_RELEASED, StateRecords.nameClaim("erin", 7), guilds, node);
        assertEquals(-1, node.accounts().holderOf("erin"));
    }

    @Test
    void anOwedReleaseIsInItsIdsScopeAndLastsUntilSettled()
    {
        assertEquals(9, StateRecords.scopeOf(StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease("Erin", 9)));
        assertEquals(9, StateRecords.scopeOf(StateRecords.NAME_RELEASE_SETTLED, StateRecords.nameRelease("erin", 9)));
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        StateRecords.apply(StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease("Erin", 9), guilds, node);
        assertTrue(node.accounts().owesRelease(9, "Erin"));
        StateRecords.apply(StateRecords.NAME_RELEASE_SETTLED, StateRecords.nameRelease("Erin", 9), guilds, node);
        assertNull(node.accounts().owedReleases().get(9L));
    }

    /**
     * A bot's lost creation may owe two names for one id (its name and its fallback): both stay owed until each is
     * settled. Before, the second owed release replaced the first, which was then sent once and never retried.
     */
    @Test
    void oneIdMayOweTwoNamesAndEachIsSettledOnItsOwn()
    {
        final NodeState node = NodeState.create();
        final GuildTable guilds = new GuildTable();
        StateRecords.apply(StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease("Helper", 21), guilds, node);
        StateRecords.apply(StateRecords.NAME_RELEASE_OWED, StateRecords.nameRelease("Helper_2", 21), guilds, node);
        assertTrue(node.accounts().owesRelease(21, "Helper"));
        assertTrue(node.accounts().owesRelease(21, "Helper_2"));
        StateRecords.apply(StateRecords.NAME_RELEASE_SETTLED, StateRecords.nameRelease("Helper_2", 21), guilds, node);
        assertTrue(node.accounts().owesRelease(21, "Helper"), "the other name is still owed");
        assertFalse(node.accounts().owesRelease(21, "Helper_2"));
        StateRecords.apply(StateRecords.NAME_RELEASE_SETTLED, StateRecords.nameRelease("Helper", 21), guilds, node);
        assertNull(node.accounts().owedReleases().get(21L));
    }

    @Test
    void aVoidedIdIsInItsOwnScopeAndReplayedAsVoided()
    {
        assertEquals(11, StateRecords.scopeOf(StateRecords.ID_VOIDED, StateRecords.idVoided(11)));
        final NodeState node = NodeState.create();
        assertFalse(node.accounts().isVoided(11));
        StateRecords.apply(StateRecords.ID_VOIDED, StateRecords.idVoided(11), new GuildTable(), node);
        assertTrue(node.accounts().isVoided(11));
        assertFalse(node.accounts().isVoided(12));
    }
}
