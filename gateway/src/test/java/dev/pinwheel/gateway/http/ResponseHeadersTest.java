package dev.pinwheel.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import org.junit.jupiter.api.Test;

/**
 * The answer headers' value writers against the JDK's ({@code String.format("%.3f")}, {@link Long#toHexString},
 * {@link Long#toString}) over edge and random values, the {@code HttpHeaders} behaviour Netty's encoder relies on, and
 * the zero-allocation claim once warm.
 */
class ResponseHeadersTest
{
    private static final long[] EDGES = {0, 1, 5, 9, 10, 99, 100, 999, 1000, 1001, 1999, 4999, 5000, 59_999, 86_400_000,
        1_733_222_222_222L, 1_800_000_000_000L, 9_999_999_999_999L, (1L << 52) - 1, 1L << 52, (1L << 52) + 1,
        1L << 53, Long.MAX_VALUE, Integer.MAX_VALUE, 0xffff_ffffL};

    @Test
    void secondsAreWhatFormatWrites()
    {
        final ResponseHeaders h = new ResponseHeaders();
        for (final long edge : EDGES)
        {
            assertSeconds(h, edge);
            assertSeconds(h, -edge);
        }
        assertSeconds(h, Long.MIN_VALUE);
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++)
        {
            // every magnitude: a random number of random bits
            final long v = random.nextLong() >> random.nextInt(64);
            assertSeconds(h, v);
        }
    }

    @Test
    void hexAndDecimalAreWhatTheJdkWrites()
    {
        final ResponseHeaders h = new ResponseHeaders();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++)
        {
            final long v = i < EDGES.length ? EDGES[i] : i < 2 * EDGES.length ? -EDGES[i - EDGES.length]
                : random.nextLong() >> random.nextInt(64);
            h.reset().addHex("h", v).addLong("d", v);
            assertEquals(Long.toHexString(v), h.get("h"), "hex of " + v);
            assertEquals(Long.toString(v), h.get("d"), "decimal of " + v);
        }
        h.reset().addHex("h", Long.MIN_VALUE).addLong("d", Long.MIN_VALUE);
        assertEquals(Long.toHexString(Long.MIN_VALUE), h.get("h"));
        assertEquals(Long.toString(Long.MIN_VALUE), h.get("d"));
    }

    @Test
    void behavesAsHeadersForTheEncoder()
    {
        final ResponseHeaders h = new ResponseHeaders();
        h.addText(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON).addLong(HttpHeaderNames.CONTENT_LENGTH, 12)
            .addText("X-One", "1").addText("x-one", "2").addText(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        assertEquals(5, h.size());
        assertEquals("12", h.get("content-length"));
        assertEquals(12, h.getInt(HttpHeaderNames.CONTENT_LENGTH));
        assertEquals(java.util.List.of("1", "2"), h.getAll("X-ONE"));
        assertTrue(h.contains("x-one", "2", false));
        assertTrue(h.containsValue(HttpHeaderNames.CONNECTION, "KEEP-ALIVE", true));
        assertFalse(h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true));
        h.remove("X-One");
        assertEquals("[content-type, content-length, connection]", h.names().toString());
        h.setInt(HttpHeaderNames.CONTENT_TYPE, 3);
        assertEquals("[content-length, connection, content-type]", h.names().toString());
        assertNull(h.get("X-One"));
        h.addText("Via", "a, b");
        assertTrue(h.containsValue("via", "b", false), "a list's elements");
        assertEquals("content-length=12", h.entries().get(0).toString());
    }

    @Test
    void aNoContentAnswerLosesItsContentLengthInTheEncoderAsBefore()
    {
        final ResponseHeaders h = new ResponseHeaders().addLong(HttpHeaderNames.CONTENT_LENGTH, 0)
            .addText(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        final EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder());
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
            Unpooled.EMPTY_BUFFER, h, EmptyHttpHeaders.INSTANCE));
        final StringBuilder wire = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release())
        {
            wire.append(b.toString(StandardCharsets.US_ASCII));
        }
        assertEquals("HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n", wire.toString());
    }

    @Test
    void allocatesNothingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ResponseHeaders h = new ResponseHeaders();
        long sink = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sink += fill(h, i);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++)
        {
            sink += fill(h, i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sink > 0);
        // less than a byte per answer: anything allocated per answer would be 16 bytes or more each time (the JVM's
        // own odds and ends, a few KiB at most, are not)
        assertTrue(allocated < 20_000, "allocated " + allocated + " bytes for 20,000 answers' headers");
    }

    private static long fill(final ResponseHeaders h, final int i)
    {
        h.reset().addText(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .addLong(HttpHeaderNames.CONTENT_LENGTH, i)
            .addHex(ResponseHeaders.RATE_LIMIT_BUCKET, 0x7fff_1234_5678L + i)
            .addLong(ResponseHeaders.RATE_LIMIT_REMAINING, i % 5)
            .addSeconds(ResponseHeaders.RATE_LIMIT_RESET_AFTER, i % 5000)
            .addSeconds(ResponseHeaders.RATE_LIMIT_RESET, 1_800_000_000_000L + i)
            .addLong(ResponseHeaders.RATE_LIMIT_LIMIT, 5)
            .addText(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        long n = 0;
        for (var it = h.iteratorCharSequence(); it.hasNext(); )
        {
            final var e = it.next();
            n += e.getKey().length() + e.getValue().length() + e.getValue().charAt(0);
        }
        return n;
    }

    private static void assertSeconds(final ResponseHeaders h, final long millis)
    {
        h.reset().addSeconds("s", millis);
        assertEquals(String.format(Locale.ROOT, "%.3f", millis / 1000.0), h.get("s"), "seconds of " + millis);
    }
}
