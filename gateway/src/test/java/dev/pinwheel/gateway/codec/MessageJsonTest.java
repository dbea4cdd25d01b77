package dev.pinwheel.gateway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.store.StoredMessage;

/**
 * The direct encoder writes exactly the bytes Jackson writes for the same message (field order included), in all three
 * forms, for awkward text (quotes, backslashes, control characters, every UTF-8 length, unpaired surrogates), edits,
 * nonces, members with roles and nicknames, and random time stamps.
 */
class MessageJsonTest
{
    private static String jackson(final ObjectNode o)
    {
        return new String(Json.bytes(o), StandardCharsets.UTF_8);
    }

    private static void assertSameAsJackson(final StoredMessage m, final Account author, final String nonce,
        final Member member)
    {
        final Accounts accounts = new Accounts();
        if (author != null)
        {
            accounts.put(author);
        }
        final MessageJson direct = new MessageJson();
        assertTrue(direct.encode(m, author, nonce, 77, member));
        final ObjectNode body = Entities.message(m, accounts, nonce);
        assertEquals(jackson(body), new String(direct.rest(), StandardCharsets.UTF_8), "REST body");
        body.put("guild_id", Json.id(77));
        if (member != null)
        {
            body.set("member", Entities.member(member, accounts, false));
        }
        assertEquals(jackson(body), new String(direct.full(), StandardCharsets.UTF_8), "dispatch");
        body.put("content", "");
        body.putArray("embeds");
        assertEquals(jackson(body), new String(direct.redacted(), StandardCharsets.UTF_8), "redacted dispatch");
    }

    @Test
    void writesWhatJacksonWrites()
    {
        final SnowflakeIds ids = new SnowflakeIds(1, 2);
        final Account alice = new Account(42, "alice \"the\" \\ one", "x", false);
        final Member nick = new Member(42, 1_700_000_000_123L, new long[] {5, 6}, "ni\u0001ck ✓");
        assertSameAsJackson(new StoredMessage(ids.next(), 10, 77, 42, "hello", 0, 0, false, false), alice, null,
            null);
        assertSameAsJackson(new StoredMessage(ids.next(), 10, 77, 42, "tab\tnew\nline \"q\" \\ é ✓ 𝄞 \uD800 \u001f",
            1_700_000_000_000L, 4, true, true), alice, "nonce-1", nick);
        assertSameAsJackson(new StoredMessage(ids.next(), 10, 77, 43, "", 0, 0, false, false), null, "9", new Member(
            43, 0, new long[0], null));
        final Random random = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            final long millis = random.nextLong(0, 253_402_300_799_999L); // up to 9999-12-31
            final StringBuilder text = new StringBuilder();
            for (int c = 0; c < random.nextInt(20); c++)
            {
                text.append((char)random.nextInt(0, 0x3000));
            }
            assertSameAsJackson(new StoredMessage(ids.next(), 10, 77, 42, text.toString(), millis, 0, false, false),
                alice, null, new Member(42, millis, new long[] {random.nextLong(1, Long.MAX_VALUE)}, null));
        }
    }

    @Test
    void aMessageWithExtrasIsLeftToJackson()
    {
        assertFalse(new MessageJson().encode(new StoredMessage(1, 10, 77, 42, "x", 0, 0, false, false,
            "{\"embeds\":[]}"), null, null, 77, null));
    }
}
