package dev.pinwheel.gateway.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/**
 * The flat-body reader against Jackson: whatever it accepts, Jackson accepts into an equal tree (same node types, same
 * field order); whatever Jackson refuses, it refuses. Over message bodies as clients send them, random flat objects
 * built from awkward pieces (escapes, surrogates, non-ASCII, numbers of every length, literals, nesting, duplicates,
 * trailing text) and random byte mutations of them.
 */
class FlatJsonReaderTest
{
    private static final String[] NAMES = {"content", "nonce", "tts", "flags", "name", "a", "é", "k\\u0065y", "\\\"q",
        "x".repeat(40), "", "emoji\ud83d\ude00", "content"};
    private static final String[] STRINGS = {"", "hello", "a message of about a hundred bytes, as a chat line would be",
        "tab\\tnew\\nline", "quote\\\"back\\\\slash\\/", "\\u00e9\\u0041\\u20ac\\u0000", "\\ud83d\\ude00", "é€😀",
        "12345", "true"};
    private static final String[] BAD_STRINGS = {"\\ud83d", "\\x", "\\u12", "\\u00G1", "ctl\u0001", "\\", "\\uDC00"};
    private static final String[] VALUES = {"0", "-0", "7", "-7", "123456789", "-123456789", "true", "false", "null"};
    private static final String[] BAD_VALUES = {"1234567890", "2147483648", "01", "-", "1.5", "1e3", "-1E-2", "tru",
        "nul", "truex", "{}", "{\"a\":1}", "[]", "[1,2]", "\"unterminated", "+1", "0x1", "NaN"};
    private static final String[] SPACE = {"", "", " ", "\n", "\r\n\t "};
    private static final String[] BAD_SPACE = {"\u000b", "\u00a0", "\u0000", "/**/"};

    @Test
    void messageBodiesAreReadAsJacksonReadsThem() throws Exception
    {
        for (final String body : new String[] {
            "{\"content\":\"a message of about a hundred bytes, as a chat line would be, for the allocation probe\","
                + "\"nonce\":\"12345\"}",
            "{\"content\":\"hi\",\"tts\":false,\"flags\":4096,\"nonce\":123456789}",
            "{\"content\":\"h\\u00e9 \\\"you\\\"\\n\",\"nonce\":null}", "{}", " {\n\"content\" : \"x\" } \n",
            "{\"content\":\"sl\u00e4nt 😀 — ok\"}"})
        {
            assertNotNull(check(body.getBytes(StandardCharsets.UTF_8)), body);
        }
        for (final String refused : new String[] {"", " ", "[]", "\"s\"", "{\"a\":1,}", "{\"a\":1}x", "{\"a\":1}{}",
            "{\"a\":1,\"a\":2}", "{\"a\":{}}", "{\"a\":1.0}", "\ufeff{}", "{'a':1}", "{a:1}", "{\"a\":1 /* c */}"})
        {
            assertNull(new FlatJsonReader().read(refused.getBytes(StandardCharsets.UTF_8), 0,
                refused.getBytes(StandardCharsets.UTF_8).length), refused);
            check(refused.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void randomBodiesAndMutations() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(2026);
        int accepted = 0;
        int total = 0;
        for (int i = 0; i < 40_000; i++)
        {
            final byte[] doc = document(random).getBytes(StandardCharsets.UTF_8);
            accepted += check(doc) != null ? 1 : 0;
            total++;
            final byte[] mutated = mutate(random, doc);
            accepted += check(mutated) != null ? 1 : 0;
            total++;
        }
        assertTrue(accepted > total / 5, "the fast path was taken " + accepted + " times of " + total);
    }

    @Test
    void readsAtAnOffsetAndReusesNames() throws Exception
    {
        final byte[] framed = "xx{\"content\":\"a\"}yy".getBytes(StandardCharsets.UTF_8);
        final FlatJsonReader reader = new FlatJsonReader();
        final JsonNode first = reader.read(framed, 2, framed.length - 4);
        assertEquals(Json.MAPPER.readTree("{\"content\":\"a\"}"), first);
        final JsonNode second = reader.read(framed, 2, framed.length - 4);
        assertTrue(first.fieldNames().next() == second.fieldNames().next(), "a cached name");
        assertNull(reader.read(framed, 0, framed.length));
    }

    /**
     * @return what the reader made of the bytes (null: it left them to Jackson), having checked it against Jackson.
     */
    private static JsonNode check(final byte[] doc) throws Exception
    {
        final JsonNode flat = new FlatJsonReader().read(doc, 0, doc.length);
        JsonNode jackson;
        try
        {
            jackson = Json.MAPPER.readTree(doc);
        }
        catch (final Exception e)
        {
            jackson = null;
        }
        final String text = new String(doc, StandardCharsets.UTF_8);
        if (flat != null)
        {
            assertNotNull(jackson, "accepted what Jackson refuses: " + text);
            assertEquals(jackson, flat, text);
            assertEquals(jackson.toString(), flat.toString(), text);
            final Iterator<Map.Entry<String, JsonNode>> a = jackson.properties().iterator();
            for (final Map.Entry<String, JsonNode> e : flat.properties())
            {
                final Map.Entry<String, JsonNode> j = a.next();
                assertEquals(j.getKey(), e.getKey(), text);
                assertEquals(j.getValue().getClass(), e.getValue().getClass(), text);
            }
        }
        final JsonNode parsed;
        try
        {
            parsed = Json.parse(doc, 0, doc.length);
        }
        catch (final Exception e)
        {
            assertTrue(jackson == null || jackson.isMissingNode(), "Json.parse refused what Jackson reads: " + text);
            return flat;
        }
        assertEquals(jackson, parsed, text);
        return flat;
    }

    private static String document(final SplittableRandom random)
    {
        final StringBuilder b = new StringBuilder(space(random)).append('{');
        final int fields = random.nextInt(6);
        for (int f = 0; f < fields; f++)
        {
            if (f > 0)
            {
                b.append(space(random)).append(',');
            }
            b.append(space(random)).append('"').append(pick(random, NAMES)).append('"').append(space(random))
                .append(':').append(space(random));
            if (random.nextBoolean())
            {
                b.append('"').append(string(random)).append(string(random)).append('"');
            }
            else if (random.nextInt(3) == 0)
            {
                b.append(random.nextInt() >> random.nextInt(32));
            }
            else
            {
                b.append(random.nextInt(10) == 0 ? pick(random, BAD_VALUES) : pick(random, VALUES));
            }
        }
        b.append(space(random)).append('}');
        if (random.nextInt(8) == 0)
        {
            b.append(random.nextBoolean() ? " \n" : pick(random, BAD_VALUES));
        }
        return b.toString();
    }

    private static byte[] mutate(final SplittableRandom random, final byte[] doc)
    {
        if (doc.length == 0)
        {
            return doc;
        }
        final byte[] m = doc.clone();
        for (int k = 1 + random.nextInt(2); k > 0; k--)
        {
            final int at = random.nextInt(m.length);
            m[at] = random.nextInt(3) == 0 ? (byte)random.nextInt(256) : (byte)"\"\\{}:,0-e.\u007fu ".charAt(
                random.nextInt(13));
        }
        return m;
    }

    private static String space(final SplittableRandom random)
    {
        return random.nextInt(30) == 0 ? pick(random, BAD_SPACE) : pick(random, SPACE);
    }

    private static String string(final SplittableRandom random)
    {
        return random.nextInt(15) == 0 ? pick(random, BAD_STRINGS) : pick(random, STRINGS);
    }

    private static String pick(final SplittableRandom random, final String[] from)
    {
        return from[random.nextInt(from.length)];
    }
}
