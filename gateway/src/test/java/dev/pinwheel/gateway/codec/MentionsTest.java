package dev.pinwheel.gateway.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Discord's mention syntax in text, and {@code allowed_mentions} with Discord's validation errors.
 */
class MentionsTest
{
    @Test
    void findsUserAndRoleMentionsInOrderWithoutDuplicates()
    {
        final String text = "hi <@12> and <@!34>, <@&56> <@12> <@abc> <@> <@!> <@&> <12> @here";
        assertArrayEquals(new long[] {12, 34}, Mentions.ids(text, false));
        assertArrayEquals(new long[] {56}, Mentions.ids(text, true));
        assertTrue(Mentions.everyone(text));
        assertFalse(Mentions.everyone("every one"));
        assertArrayEquals(new long[0], Mentions.ids(null, false));
        assertArrayEquals(new long[0], Mentions.ids("<@123456789012345678901234>", false), "too long for an id");
    }

    @Test
    void allowedMentionsDefaultsAndLists()
    {
        assertSame(Mentions.DEFAULT_ALLOWED, Mentions.allowed(Json.parse("{}")));
        final Mentions.Allowed none = Mentions.allowed(Json.parse("{\"allowed_mentions\":{\"parse\":[]}}"));
        assertTrue(none.valid());
        assertFalse(none.allowsUser(1));
        assertEquals(0, none.mask() & Mentions.REPLIED_USER, "replied_user defaults to false once given");
        final Mentions.Allowed listed = Mentions.allowed(Json.parse(
            "{\"allowed_mentions\":{\"parse\":[\"everyone\"],\"users\":[\"5\"],\"replied_user\":true}}"));
        assertTrue(listed.allowsUser(5));
        assertFalse(listed.allowsUser(6));
        assertFalse(listed.allowsRole(5));
        assertEquals(Mentions.PARSE_EVERYONE | Mentions.REPLIED_USER, listed.mask());
    }

    @Test
    void discordsValidationErrors()
    {
        final Mentions.Allowed both = Mentions.allowed(Json.parse(
            "{\"allowed_mentions\":{\"parse\":[\"users\"],\"users\":[\"5\"]}}"));
        assertEquals(List.of("allowed_mentions"), both.errorPath());
        assertEquals("MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", both.errorCode());
        final Mentions.Allowed roles = Mentions.allowed(Json.parse(
            "{\"allowed_mentions\":{\"parse\":[\"roles\"],\"roles\":[\"5\"]}}"));
        assertEquals("MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", roles.errorCode());
        assertEquals(List.of("allowed_mentions", "parse", "1"), Mentions.allowed(Json.parse(
            "{\"allowed_mentions\":{\"parse\":[\"users\",\"all\"]}}")).errorPath());
        final StringBuilder many = new StringBuilder("{\"allowed_mentions\":{\"users\":[");
        for (int i = 1; i <= 101; i++)
        {
            many.append(i == 1 ? "" : ",").append('"').append(i).append('"');
        }
        assertEquals("BASE_TYPE_MAX_LENGTH", Mentions.allowed(Json.parse(many + "]}}")).errorCode());
        assertEquals("NUMBER_TYPE_COERCE", Mentions.allowed(Json.parse(
            "{\"allowed_mentions\":{\"roles\":[\"x\"]}}")).errorCode());
        assertEquals("MODEL_TYPE_CONVERT", Mentions.allowed(Json.parse("{\"allowed_mentions\":[]}")).errorCode());
    }
}
