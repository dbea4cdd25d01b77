package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.MessagingFixture.ALICE;
import static dev.pinwheel.gateway.owner.MessagingFixture.BOB;
import static dev.pinwheel.gateway.owner.MessagingFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.store.StoredMessage;

/**
 * Pins as typed commands between two shard threads ({@link PinProxy} to {@link PinService}): a pin is a journaled
 * version with the flag, listed in both of Discord's shapes; pinning twice changes nothing; MANAGE_MESSAGES; the
 * 250-pin limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PinServiceTest
{
    private MessagingFixture f;
    private long message;

    @BeforeEach
    void aMessage() throws Exception
    {
        f = new MessagingFixture();
        message = post(1, "pin me");
    }

    @AfterEach
    void stop()
    {
        f.close();
    }

    private long post(final long correlation, final String text) throws InterruptedException
    {
        return Long.parseLong(f.ask(correlation, s -> new MessageProxy(s).post(correlation, ALICE, GUILD, f.channel,
            text, false, 0, null, null, 0, 0, false)).json().get("id").asText());
    }

    private MessagingFixture.Answer pin(final long correlation, final long user, final long id, final boolean pin)
        throws InterruptedException
    {
        return f.ask(correlation, s -> new PinProxy(s).pin(correlation, user, GUILD, f.channel, id, pin));
    }

    @Test
    void aPinIsAVersionListedInBothShapes() throws Exception
    {
        assertEquals(204, pin(2, ALICE, message, true).status());
        assertTrue(f.ownerStore().message(f.channel, message).pinned());
        final int versions = f.ownerStore().appended.size();
        assertEquals(204, pin(3, ALICE, message, true).status(), "pinned already");
        assertEquals(versions, f.ownerStore().appended.size(), "nothing new");

        final JsonNode classic = f.ask(4, s -> new PinProxy(s).list(4, BOB, GUILD, f.channel, false)).json();
        assertTrue(classic.isArray());
        assertEquals("pin me", classic.get(0).path("content").asText());
        assertTrue(classic.get(0).path("pinned").asBoolean());
        final JsonNode current = f.ask(5, s -> new PinProxy(s).list(5, BOB, GUILD, f.channel, true)).json();
        assertFalse(current.path("has_more").asBoolean());
        assertEquals("pin me", current.path("items").get(0).path("message").path("content").asText());
        assertTrue(current.path("items").get(0).path("pinned_at").isTextual());

        assertEquals(204, pin(6, ALICE, message, false).status());
        final StoredMessage unpinned = f.ownerStore().message(f.channel, message);
        assertFalse(unpinned.pinned());
        assertEquals("pin me", unpinned.content());
        assertEquals(0, f.ask(7, s -> new PinProxy(s).list(7, BOB, GUILD, f.channel, false)).json().size());
    }

    @Test
    void pinsNeedManageMessagesAndStopAt250() throws Exception
    {
        final MessagingFixture.Answer bob = pin(2, BOB, message, true);
        assertEquals(403, bob.status());
        assertEquals(50013, bob.code());
        assertEquals(10008, pin(3, ALICE, message + 1, true).code());
        f.onShard(f.owner, s ->
        {
            for (int i = 0; i < PinService.MAX_PINS; i++)
            {
                s.store().appendMessage(new StoredMessage(s.ids().next(), f.channel, GUILD, ALICE, "p" + i, 0, 0,
                    false, true));
            }
        });
        final MessagingFixture.Answer full = pin(4, ALICE, message, true);
        assertEquals(400, full.status());
        assertEquals(30003, full.code());
        assertEquals(3, f.group.shard(f.owner).commandCount(OwnerCommands.PIN_ADD));
    }
}
