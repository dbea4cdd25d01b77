package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;

import dev.pinwheel.core.fanout.Dispatch;

/** An event as it crosses nodes: what the receiver decodes is what the owner encoded, redacted variant included. */
class DispatchFlyweightTest
{
    private static final String CREATE = "{\"id\":\"1\",\"channel_id\":\"2\",\"author\":{\"id\":\"3\"},\"content\":"
        + "\"hello there\",\"embeds\":[{\"title\":\"x\"}],\"attachments\":[],\"guild_id\":\"4\",\"member\":{\"roles\":[]}}";
    private static final String REDACTED = "{\"id\":\"1\",\"channel_id\":\"2\",\"author\":{\"id\":\"3\"},\"content\":"
        + "\"\",\"embeds\":[],\"attachments\":[],\"guild_id\":\"4\",\"member\":{\"roles\":[]}}";

    private static Dispatch roundTrip(final Dispatch d)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = DispatchFlyweight.length(d);
        buffer.checkLimit(7 + length);
        assertEquals(length, DispatchFlyweight.encode(d, buffer, 7), "length() is what encode() writes");
        return DispatchFlyweight.decode(buffer, 7);
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMessageAndItsRedactedVariantCrossAsThePrefixSuffixAndMiddleOfOne()
    {
        final LongHashSet audience = new LongHashSet();
        audience.add(77L);
        audience.add(78L);
        final Dispatch d = new Dispatch("MESSAGE_CREATE", utf8(CREATE), utf8(REDACTED), 1 << 9, 4L, 3L, 0L, audience);
        final Dispatch back = roundTrip(d);
        assertEquals("MESSAGE_CREATE", back.type());
        assertArrayEquals(d.data(), back.data());
        assertArrayEquals(d.redactedData(), back.redactedData());
        assertEquals(d.intent(), back.intent());
        assertEquals(4L, back.guildId());
        assertEquals(3L, back.authorId());
        assertEquals(audience, back.audience());
        // the variant costs its differing middle only, not a second copy
        assertTrue(DispatchFlyweight.length(d) < 4 * 8 + 4 + 4 + 14 + 4 + CREATE.length() + 4 + 3 * 4 + 40,
            "length " + DispatchFlyweight.length(d));
    }

    /** A MESSAGE_CREATE's key (its message), whether it is sent again, and whom it mentions cross with it. */
    @Test
    void theMessageKeyTheSentAgainMarkAndTheMentionedUsersCross()
    {
        final Dispatch d = new Dispatch("MESSAGE_CREATE", utf8(CREATE), utf8(REDACTED), 1 << 9, 4L, 3L, 0L, null, null,
            1_234_567_890_123L, false);
        final Dispatch first = roundTrip(d);
        assertEquals(1_234_567_890_123L, first.messageKey());
        assertTrue(!first.again());
        final Dispatch again = roundTrip(d.sentAgain());
        assertEquals(1_234_567_890_123L, again.messageKey());
        assertTrue(again.again());
        assertEquals(0L, roundTrip(new Dispatch("TYPING_START", utf8("{}"), null, 0, 1L, 0L, 0L)).messageKey());
        // the users it mentions (they see its content without MESSAGE_CONTENT) cross too
        final Dispatch mentioning = roundTrip(new Dispatch("MESSAGE_CREATE", utf8(CREATE), utf8(REDACTED), 1 << 9, 4L,
            3L, 0L, null, new long[] {8L, 9L}, 10L, false));
        assertArrayEquals(new long[] {8L, 9L}, mentioning.mentioned());
        assertArrayEquals(utf8(CREATE), mentioning.dataFor(9L, false), "a mentioned user sees the content");
        assertArrayEquals(utf8(REDACTED), mentioning.dataFor(7L, false), "another does not");
        assertNull(first.mentioned());
        assertTrue(!roundTrip(new Dispatch("X", utf8("{}"), null, 0, 1L, 0L, 0L).sentAgain()).again(),
            "no key, nothing to skip by: never marked");
    }

    @Test
    void noVariantAnIdenticalOneAndEdgeCases()
    {
        final Dispatch none = roundTrip(new Dispatch("TYPING_START", utf8("{\"a\":1}"), null, 0, 1L, 0L, 9L));
        assertNull(none.redactedData());
        assertNull(none.audience());
        assertEquals(9L, none.targetUserId());
        final Dispatch same = roundTrip(new Dispatch("X", utf8(CREATE), utf8(CREATE), 0, 1L, 0L, 0L));
        assertArrayEquals(utf8(CREATE), same.redactedData());
        final Dispatch empty = roundTrip(new Dispatch("X", new byte[0], utf8("{}"), 0, 1L, 0L, 0L));
        assertArrayEquals(utf8("{}"), empty.redactedData());
        final Dispatch emptied = roundTrip(new Dispatch("X", utf8("{}"), new byte[0], 0, 1L, 0L, 0L));
        assertEquals(0, emptied.redactedData().length);
        // a variant that is the data with bytes repeated at both ends: prefix and suffix must not overlap
        final Dispatch repeats = roundTrip(new Dispatch("X", utf8("aaaa"), utf8("aa"), 0, 1L, 0L, 0L));
        assertArrayEquals(utf8("aa"), repeats.redactedData());
        final Dispatch longer = roundTrip(new Dispatch("X", utf8("aa"), utf8("aaaaa"), 0, 1L, 0L, 0L));
        assertArrayEquals(utf8("aaaaa"), longer.redactedData());
    }

    @Test
    void randomPairsRoundTrip()
    {
        final SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 2_000; i++)
        {
            final byte[] data = new byte[random.nextInt(0, 300)];
            for (int j = 0; j < data.length; j++)
            {
                data[j] = (byte)random.nextInt(0, 3); // few symbols: long accidental prefixes and suffixes
            }
            final byte[] redacted = new byte[random.nextInt(0, 300)];
            for (int j = 0; j < redacted.length; j++)
            {
                redacted[j] = j < data.length && random.nextInt(4) > 0 ? data[j] : (byte)random.nextInt(0, 3);
            }
            final Dispatch back = roundTrip(new Dispatch("X", data, redacted, 0, 1L, 0L, 0L));
            assertArrayEquals(data, back.data());
            assertArrayEquals(redacted, back.redactedData(), "pair " + i);
        }
    }

    @Test
    void aMalformedVariantIsRefused()
    {
        final Dispatch d = new Dispatch("X", utf8(CREATE), utf8(REDACTED), 0, 1L, 0L, 0L);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        DispatchFlyweight.encode(d, buffer, 0);
        final int form = 4 * 8 + 4 + 4 + 1 + 4 + CREATE.length(); // guild, author, target, key; intent
        assertEquals(-2, buffer.getInt(form));
        buffer.putInt(form + 4, CREATE.length()); // a prefix that leaves no room for the suffix
        assertThrows(IllegalArgumentException.class, () -> DispatchFlyweight.decode(buffer, 0));
        buffer.putInt(form, -7);
        assertThrows(IllegalArgumentException.class, () -> DispatchFlyweight.decode(buffer, 0));
    }
}
