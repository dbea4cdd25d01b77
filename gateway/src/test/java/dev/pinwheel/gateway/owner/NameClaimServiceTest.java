package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.codec.Json;

/**
 * A username's claim at the owner of the name's key ({@link NameClaimProxy} → {@link NameClaimService}, two real
 * shard threads): the first claim is journaled there and the registration goes on to the account's owner, which
 * answers 201; a later claim of the same name in another case is answered 400 {@code USERNAME_ALREADY_TAKEN}; a claim
 * the journal refuses leaves the name free; a bot whose name is taken gets its fallback name, claimed at that name's
 * own owner.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NameClaimServiceTest
{
    private MessagingFixture f;

    @BeforeEach
    void start() throws Exception
    {
        f = new MessagingFixture();
    }

    @AfterEach
    void stop()
    {
        f.close();
    }

    @Test
    void theFirstClaimWinsAndIsJournaledAtTheNamesOwner() throws Exception
    {
        final long first = 5_000_001;
        final long second = 5_000_002;
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 1, first, "Erin", "hash", false, "token-1",
            "h1"));
        final MessagingFixture.Answer won = f.answer(1);
        assertEquals(201, won.status(), won.body());
        assertEquals(Json.id(first), won.json().path("user").path("id").asText());
        assertEquals("Erin", f.node.accounts().get(first).username());
        assertTrue(f.stores[f.group.ownerOf(Usernames.key("erin"))].states.contains(StateRecords.NAME_CLAIMED));
        assertTrue(f.stores[f.group.ownerOf(first)].states.contains(StateRecords.USER_REGISTERED));

        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 2, second, "eRIN", "hash", false, "token-2",
            "h2"));
        final MessagingFixture.Answer lost = f.answer(2);
        assertEquals(400, lost.status(), lost.body());
        assertEquals(50035, lost.json().path("code").asInt());
        assertEquals("USERNAME_ALREADY_TAKEN", lost.json().path("errors").path("username").path("_errors").path(0)
            .path("code").asText());
        assertNull(f.node.accounts().get(second));
        assertEquals(first, f.node.accounts().byUsername("ERIN").id());
    }

    @Test
    void aClaimTheJournalRefusesLeavesTheNameFree() throws Exception
    {
        final int nameOwner = f.group.ownerOf(Usernames.key("frank"));
        f.stores[nameOwner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 1, 6_000_001, "frank", "hash", false, "t", "h"));
        assertEquals(507, f.answer(1).status());
        assertEquals(-1, f.node.accounts().holderOf("frank"));
        f.stores[nameOwner].refuse = null;
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 2, 6_000_002, "frank", "hash", false, "t", "h"));
        assertEquals(201, f.answer(2).status());
    }

    @Test
    void aBotWhoseNameIsTakenGetsItsFallback() throws Exception
    {
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 1, 7_000_001, "helper", "hash", false, "t",
            "h"));
        assertEquals(201, f.answer(1).status());
        final long app = 7_000_002;
        final MessagingFixture.Answer created = f.ask(2, s -> NameClaimProxy.claimForApplication(s, 2,
            MessagingFixture.ALICE, app, "Helper", "Helper_2", "Helper", "", "bot-token", "bot-hash"));
        assertEquals(201, created.status(), created.body());
        assertEquals("Helper_2", f.node.accounts().get(app).username());
        assertNotNull(f.node.directory().application(app));
        assertNotEquals(app, f.node.accounts().byUsername("helper").id());

        final MessagingFixture.Answer refused = f.ask(3, s -> NameClaimProxy.claimForApplication(s, 3,
            MessagingFixture.ALICE, app + 1, "helper", null, "helper", "", "bot-token", "bot-hash"));
        assertEquals(400, refused.status(), refused.body());
        assertEquals("USERNAME_ALREADY_TAKEN", refused.json().path("errors").path("name").path("_errors").path(0)
            .path("code").asText());
        assertFalse(f.node.accounts().get(app + 1) != null);
    }
}
