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
import dev.pinwheel.core.state.StateLog;
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

    /**
     * The origin of a registration got no answer and gives its name back while the registration is still on its way to
     * the id's owner: the release goes through that owner, which voids the id before the name's owner frees the name, so
     * the late registration is refused instead of creating an account whose name another registration may take. On the
     * old path (the release straight to the name's owner) the late registration was journaled with its name free.
     */
    @Test
    void aRegistrationArrivingAfterItsOriginGaveItUpIsRefusedAndItsNameStaysFree() throws Exception
    {
        final long lost = 8_000_001;
        final int nameOwner = f.group.ownerOf(Usernames.key("grace"));
        // the claim went through (journaled at the name's owner); the registration is in flight to the id's owner
        f.onShard(nameOwner, s -> StateLog.commit(s, f.node, StateRecords.NAME_CLAIMED,
            StateRecords.nameClaim("grace", lost)));
        assertEquals(lost, f.node.accounts().holderOf("grace"));
        // ... when its origin gives it up (a node it went through restarted, or 30 s passed)
        f.onShard(f.origin, s -> NameReleases.oweLost(s, f.node, "grace", lost));
        awaitTrue(() -> f.node.accounts().holderOf("grace") == -1, "the name given back");
        assertTrue(f.node.accounts().isVoided(lost), "the id voided first");
        assertTrue(f.stores[f.group.ownerOf(lost)].states.contains(StateRecords.ID_VOIDED), "and journaled");

        // the registration that was on its way arrives: refused, no account
        final AccountProxy accounts = new AccountProxy(f.group);
        final MessagingFixture.Answer late = f.ask(1, s -> accounts.register(s.address(), 1, lost, "grace", "hash",
            false, "t", "h"));
        assertEquals(503, late.status(), late.body());
        assertNull(f.node.accounts().get(lost));

        // the name is free for another registration, which gets the only account of that name
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 2, lost + 1, "Grace", "hash", false, "t2", "h2"));
        assertEquals(201, f.answer(2).status());
        assertEquals(lost + 1, f.node.accounts().byUsername("grace").id());
    }

    /** A release for an id whose account exists, through its owner: the name stays, and the release is settled. */
    @Test
    void aReleaseForAnIdWhoseAccountExistsKeepsTheName() throws Exception
    {
        final long id = 8_100_001;
        assertTrue(NameClaimProxy.claimForAccount(f.group, f.origin, 1, id, "heidi", "hash", false, "t", "h"));
        assertEquals(201, f.answer(1).status());
        f.node.accounts().oweRelease(id, "heidi"); // as a lost answer leaves it
        f.onShard(f.origin, s -> NameClaimProxy.releaseThroughIdOwner(s, "heidi", id));
        awaitTrue(() -> !f.node.accounts().owedReleases().containsKey(id), "the release settled");
        assertEquals(id, f.node.accounts().holderOf("heidi"));
        assertFalse(f.node.accounts().isVoided(id));
        assertNotNull(f.node.accounts().get(id));
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out: " + what);
            Thread.sleep(5);
        }
    }
}
