package dev.pinwheel.gateway.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.codec.Json;

/**
 * The owner step of register and login as typed commands sent from a thread that is no shard (as the control plane's
 * hashing threads send them, {@link AccountProxy}) to the account's owner ({@link AccountService}), answered to the
 * request's origin shard: the account and token are journaled there before the answer; a registration the journal
 * refuses is answered 507 and gives its reserved username back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccountServiceTest
{
    private static final long DAVE = 4_000_001;

    private MessagingFixture f;
    private AccountProxy accounts;

    @BeforeEach
    void start() throws Exception
    {
        f = new MessagingFixture();
        accounts = new AccountProxy(f.group);
    }

    @AfterEach
    void stop()
    {
        f.close();
    }

    @Test
    void registerThenLoginJournalOnTheAccountsOwner() throws Exception
    {
        assertTrue(f.node.accounts().reserve("dave", DAVE));
        assertTrue(accounts.register(f.origin, 1, DAVE, "dave", "hash", true, "token-1", "h1"));
        final MessagingFixture.Answer registered = f.answer(1);
        assertEquals(201, registered.status(), registered.body());
        assertEquals("token-1", registered.json().path("token").asText());
        assertEquals(Json.id(DAVE), registered.json().path("user").path("id").asText());
        assertTrue(registered.json().path("user").path("bot").asBoolean());
        assertEquals("dave", f.node.accounts().get(DAVE).username());
        assertTrue(f.node.accounts().hasToken(DAVE, "h1"));
        final int owner = f.group.ownerOf(DAVE);
        assertTrue(f.stores[owner].states.contains(StateRecords.USER_REGISTERED));

        assertTrue(accounts.login(f.origin, 2, DAVE, "token-2", "h2"));
        final MessagingFixture.Answer login = f.answer(2);
        assertEquals(200, login.status());
        assertEquals("token-2", login.json().path("token").asText());
        assertEquals(Json.id(DAVE), login.json().path("user_id").asText());
        assertTrue(f.node.accounts().hasToken(DAVE, "h2"));
        assertEquals(1, f.group.shard(owner).commandCount(OwnerCommands.ACCOUNT_LOGIN));
    }

    @Test
    void aRefusedRegistrationIsAnsweredAndFreesItsName() throws Exception
    {
        final int owner = f.group.ownerOf(DAVE);
        f.stores[owner].refuse = new StoreUnavailableException(StoreUnavailableException.Reason.DISK_FULL, "full");
        assertTrue(f.node.accounts().reserve("dave", DAVE));
        assertTrue(accounts.register(f.origin, 1, DAVE, "dave", "hash", false, "token-1", "h1"));
        assertEquals(507, f.answer(1).status());
        assertNull(f.node.accounts().get(DAVE));
        assertFalse(f.node.accounts().hasToken(DAVE, "h1"));
        assertTrue(f.node.accounts().reserve("dave", DAVE + 1), "the name is free again");
    }
}
