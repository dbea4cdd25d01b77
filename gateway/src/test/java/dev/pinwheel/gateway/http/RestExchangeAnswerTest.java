package dev.pinwheel.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import dev.pinwheel.core.shard.HandoffDroppedException;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.StoreUnavailableException;
import dev.pinwheel.gateway.owner.OwnerFixture;

/**
 * A REST answer on the wire is byte for byte what it was when its extra headers were a {@code HashMap} of strings
 * set on Netty's default headers: the reference below is that code (the limiter's {@code Decision.headers}, the login
 * backoff's map, {@code Map.of} for Retry-After and Allow, and the merge a failure did), encoded by the same
 * {@link HttpResponseEncoder}. Each answer is written on a real shard thread, with the shard's reused headers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestExchangeAnswerTest
{
    private static final byte[] BODY = "{\"id\":\"1\",\"content\":\"hé\"}".getBytes(StandardCharsets.UTF_8);
    private static OwnerFixture fx;
    private static final ResponseHeaders SHARED = new ResponseHeaders();

    @BeforeAll
    static void shards() throws InterruptedException
    {
        fx = new OwnerFixture();
    }

    @AfterAll
    static void close()
    {
        fx.close();
    }

    @Test
    void windowsAndRefusalsAsTheMapWroteThem() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 300; i++)
        {
            final long now = 1_700_000_000_000L + random.nextLong(100_000_000_000L);
            final long window = 1 + random.nextLong(10_000);
            final int limit = 1 + random.nextInt(100);
            final boolean allowed = random.nextBoolean();
            final RateLimiter.Decision d = new RateLimiter.Decision(allowed, limit,
                allowed ? random.nextInt(limit) : 0, now + random.nextLong(-5, window), random.nextLong() >> random.nextInt(64));
            final int status = allowed ? 200 : 429;
            final boolean keepAlive = random.nextInt(4) != 0;
            final boolean head = random.nextInt(4) == 0;
            final Map<String, String> h = decisionHeaders(d, now);
            assertEquals(reference(status, BODY, head, keepAlive, h),
                answer(keepAlive, head, (s, ex) ->
                {
                    ex.rateLimit(d, now);
                    ex.reply(s, status, BODY);
                }), d.toString());
        }
    }

    @Test
    void aFailureAfterTheWindowAddsRetryAfterToIt() throws Exception
    {
        final long now = 1_800_000_000_123L;
        final RateLimiter.Decision d = new RateLimiter.Decision(true, 5, 4, now + 4_321, 0xabcdef12345L);
        final Map<String, String> h = new HashMap<>();
        h.putAll(decisionHeaders(d, now));
        h.put("Retry-After", "1");
        final byte[] busy = errorBody("503: Service Unavailable. Server busy, retry.");
        assertEquals(reference(503, busy, false, true, h), answer(true, false, (s, ex) ->
        {
            ex.rateLimit(d, now);
            ex.fail(s, new HandoffDroppedException(0, 1));
        }));
        final Map<String, String> closed = new HashMap<>();
        closed.putAll(decisionHeaders(d, now));
        closed.put("Retry-After", "5");
        assertEquals(reference(503, errorBody("503: Service Unavailable. Storage refuses writes (closed); reads still "
            + "work."), false, true, closed), answer(true, false, (s, ex) ->
            {
                ex.rateLimit(d, now);
                ex.fail(s, new StoreUnavailableException(StoreUnavailableException.Reason.CLOSED, "closed"));
            }));
        final Map<String, String> alone = new HashMap<>();
        alone.put("Retry-After", "1");
        assertEquals(reference(503, busy, false, false, alone), answer(false, false,
            (s, ex) -> ex.fail(s, new HandoffDroppedException(0, 1))));
    }

    @Test
    void retryAfterAndAllowAlone() throws Exception
    {
        final long now = 1_800_000_000_000L;
        final RateLimiter.Decision d = new RateLimiter.Decision(true, 5, 4, now + 4_000, 77);
        // an owner's Retry-After replaces the window's headers, as Map.of did
        assertEquals(reference(503, BODY, false, true, Map.of("Retry-After", "30")), answer(true, false, (s, ex) ->
        {
            ex.rateLimit(d, now);
            ex.retryAfterOnly(30);
            ex.reply(s, 503, BODY);
        }));
        assertEquals(reference(405, BODY, true, true, Map.of("Allow", "GET, HEAD, PATCH")), answer(true, true,
            (s, ex) ->
            {
                ex.allow("GET, HEAD, PATCH");
                ex.reply(s, 405, BODY);
            }));
        final Map<String, String> merged = new HashMap<>();
        merged.putAll(Map.of("Allow", "GET, HEAD"));
        merged.put("Retry-After", "1");
        assertEquals(reference(503, errorBody("503: Service Unavailable. Server busy, retry."), false, true, merged),
            answer(true, false, (s, ex) ->
            {
                ex.allow("GET, HEAD");
                ex.fail(s, new HandoffDroppedException(0, 1));
            }));
    }

    @Test
    void theLoginBackoffsRefusal() throws Exception
    {
        final long retryAfterMillis = 2_501;
        final long reset = 1_800_000_002_501L;
        final String bucket = "login:127.0.0.1";
        final Map<String, String> h = new HashMap<>();
        final String after = String.format(Locale.ROOT, "%.3f", retryAfterMillis / 1000.0);
        h.put("Retry-After", Long.toString(Math.max(1, (retryAfterMillis + 999) / 1000)));
        h.put("X-RateLimit-Limit", "1");
        h.put("X-RateLimit-Remaining", "0");
        h.put("X-RateLimit-Reset", String.format(Locale.ROOT, "%.3f", reset / 1000.0));
        h.put("X-RateLimit-Reset-After", after);
        h.put("X-RateLimit-Bucket", Integer.toHexString(bucket.hashCode()));
        h.put("X-RateLimit-Scope", "user");
        assertEquals(reference(429, BODY, false, true, h), answer(true, false, (s, ex) ->
        {
            ex.rateLimited(1, 0, reset, retryAfterMillis, Integer.toUnsignedLong(bucket.hashCode()),
                Math.max(1, (retryAfterMillis + 999) / 1000));
            ex.reply(s, 429, BODY);
        }));
    }

    @Test
    void bodiesFromACommandsBytesAndNoBody() throws Exception
    {
        final byte[] framed = new byte[BODY.length + 10];
        System.arraycopy(BODY, 0, framed, 7, BODY.length);
        final UnsafeBuffer view = new UnsafeBuffer(framed, 7, BODY.length);
        assertEquals(reference(200, BODY, false, true, null), answer(true, false,
            (s, ex) -> ex.reply(s, 200, view)));
        assertEquals(reference(200, BODY, true, true, null), answer(true, true, (s, ex) -> ex.reply(s, 200, view)));
        assertEquals(reference(204, null, false, true, null), answer(true, false,
            (s, ex) -> ex.reply(s, 204, (UnsafeBuffer)null)));
        assertEquals(reference(204, null, false, false, null), answer(false, false,
            (s, ex) -> ex.reply(s, 204, (byte[])null)));
    }

    /** What {@code RateLimiter.Decision.headers(now)} answered. */
    private static Map<String, String> decisionHeaders(final RateLimiter.Decision d, final long nowMillis)
    {
        final Map<String, String> h = new HashMap<>();
        h.put("X-RateLimit-Limit", Integer.toString(d.limit()));
        h.put("X-RateLimit-Remaining", Integer.toString(d.remaining()));
        h.put("X-RateLimit-Reset", String.format(Locale.ROOT, "%.3f", d.resetAtMillis() / 1000.0));
        h.put("X-RateLimit-Reset-After", String.format(Locale.ROOT, "%.3f",
            Math.max(0, d.resetAtMillis() - nowMillis) / 1000.0));
        h.put("X-RateLimit-Bucket", Long.toHexString(d.bucketId()));
        if (!d.allowed())
        {
            h.put("Retry-After", Long.toString(Math.max(1, (d.resetAtMillis() - nowMillis + 999) / 1000)));
            h.put("X-RateLimit-Scope", "user");
        }
        return h;
    }

    private static byte[] errorBody(final String message)
    {
        return ("{\"code\":0,\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** How {@code RestExchange.write} built the answer before. */
    private static String reference(final int status, final byte[] body, final boolean head, final boolean keepAlive,
        final Map<String, String> extra)
    {
        final FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            body == null || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (body != null)
        {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        if (extra != null)
        {
            extra.forEach((k, v) -> res.headers().set(k, v));
        }
        if (keepAlive)
        {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        final EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder());
        ch.writeOutbound(res);
        return wire(ch);
    }

    private static String answer(final boolean keepAlive, final boolean head,
        final BiConsumer<Shard, RestExchange> answer) throws InterruptedException
    {
        final EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder(), new ChannelInboundHandlerAdapter());
        fx.onShard(fx.origin, s -> answer.accept(s, new RestExchange(ch.pipeline().lastContext(), fx.group,
            s.id(), keepAlive, 1, head ? "GET" : "POST", "localhost", "127.0.0.1", head, SHARED)));
        return wire(ch);
    }

    private static String wire(final EmbeddedChannel ch)
    {
        final StringBuilder wire = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release())
        {
            wire.append(b.toString(StandardCharsets.UTF_8));
        }
        ch.finishAndReleaseAll();
        return wire.toString();
    }
}
