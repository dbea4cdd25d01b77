package dev.pinwheel.gateway.http.routes;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.core.state.StateLog;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.auth.LoginThrottle;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.RestCommand;
import dev.pinwheel.gateway.http.RestExchange;

/**
 * {@code POST /auth/register} and {@code POST /auth/login}. Password hashing (PBKDF2, ~0.1-0.5 s of a core) never
 * runs on a shard: it goes to the node's bounded hashing executor ({@link RouteContext#control()}). Before
 * anything is queued the shard checks the {@link LoginThrottle} — attempts per client address, per username, the
 * username's backoff after failures, the address's share of the queue — and answers 429 with Discord's
 * {@code {message, retry_after, global}} and rate-limit headers; a full queue answers 503 at once. So a flood from
 * one client costs map lookups, not hashes, and cannot make another user's login wait behind it.
 * <pre>
 *   shard: validate ─▶ address window ─▶ username window ─▶ backoff ─▶ address's hashing slot ─▶ queue (or 503)
 *   hashing thread: PBKDF2 ─▶ outcome to the throttle ─▶ token journaled on the user's owner shard ─▶ reply
 * </pre>
 */
public final class AuthRoutes
{
    /** Verified against when the username does not exist, so both cases cost one hash. */
    private static final String DUMMY_HASH =
        "pbkdf2-sha512$210000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private static final String BUSY_MESSAGE = "Too many logins in progress: retry in a moment.";
    private final RouteContext ctx;
    private final Shard shard;
    private final LoginThrottle throttle;
    private final EdgeCounters counters;

    public AuthRoutes(final RouteContext ctx, final Shard shard)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.throttle = ctx.loginThrottle();
        this.counters = ctx.edgeCounters();
    }

    void register(final RestExchange ex, final JsonNode body)
    {
        final String username = text(body, "username");
        final String password = text(body, "password");
        if (username == null || username.length() < 2 || username.length() > 32
            || !username.matches("[A-Za-z0-9_.\\-]+"))
        {
            ex.invalidField(shard, "username", "USERNAME_INVALID",
                "2-32 characters: letters, digits, '_', '.', '-'.");
            return;
        }
        if (password == null || password.length() < 8 || password.length() > 128)
        {
            ex.invalidField(shard, "password", "PASSWORD_TOO_SHORT", "Must be between 8 and 128 in length.");
            return;
        }
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision perAddress = throttle.address(ex.client(), true, now);
        if (!perAddress.allowed())
        {
            refuse(ex, EdgeCounters.AUTH_IP_RATE, perAddress, now);
            return;
        }
        final boolean bot = body.path("bot").asBoolean(false);
        hash(ex, () ->
        {
            final long id = ctx.nextControlId();
            if (!ctx.node().accounts().reserve(username, id))
            {
                ex.invalidField(null, "username", "USERNAME_ALREADY_TAKEN", "Username is unavailable.");
                return;
            }
            final Account account = new Account(id, username, ctx.auth().hashPassword(password), bot);
            final String token = ctx.auth().newToken(id);
            final boolean sent = shard.group().send(shard.group().ownerOf(id), new RestCommand()
            {
                @Override
                public RestExchange exchange()
                {
                    return ex;
                }

                @Override
                public void run(final Shard owner)
                {
                    StateLog.commit(owner, ctx.node(), StateRecords.USER_REGISTERED,
                        StateRecords.userRegistered(account));
                    StateLog.commit(owner, ctx.node(), StateRecords.TOKEN_ISSUED,
                        StateRecords.tokenIssued(id, AuthService.tokenHash(token)));
                    final ObjectNode o = Json.object();
                    o.put("token", token);
                    o.set("user", Entities.selfUser(account));
                    owner.afterCommit(() -> ex.reply(owner, 201, o));
                }

                @Override
                public void failed(final Shard owner, final Throwable cause)
                {
                    if (ctx.node().accounts().get(id) == null)
                    {
                        ctx.node().accounts().release(username, id); // not registered: the name is free again
                    }
                    ex.fail(owner, cause);
                }
            });
            if (!sent)
            {
                ctx.node().accounts().release(username, id);
                ex.error(null, 503, 0, "Server busy, retry.");
            }
        });
    }

    void login(final RestExchange ex, final JsonNode body)
    {
        final String username = text(body, "username") != null ? text(body, "username") : text(body, "login");
        final String password = text(body, "password");
        if (username == null || password == null)
        {
            ex.invalidField(shard, username == null ? "login" : "password", "BASE_TYPE_REQUIRED",
                "This field is required");
            return;
        }
        final long now = System.currentTimeMillis();
        final RateLimiter.Decision perAddress = throttle.address(ex.client(), false, now);
        if (!perAddress.allowed())
        {
            refuse(ex, EdgeCounters.AUTH_IP_RATE, perAddress, now);
            return;
        }
        final long backoff = throttle.backoffMillis(username, now);
        if (backoff > 0)
        {
            refuse(ex, EdgeCounters.AUTH_BACKOFF, backoff, "login-backoff");
            return;
        }
        final RateLimiter.Decision perUsername = throttle.username(username, now);
        if (!perUsername.allowed())
        {
            refuse(ex, EdgeCounters.AUTH_USERNAME_RATE, perUsername, now);
            return;
        }
        final EdgeCounters shardCounters = counters;
        hash(ex, () ->
        {
            final Account a = ctx.node().accounts().byUsername(username);
            final boolean ok = ctx.auth().verifyPassword(password, a == null ? DUMMY_HASH : a.passwordHash());
            if (a == null || !ok)
            {
                throttle.failed(username, System.currentTimeMillis());
                shardCounters.incrementConcurrent(EdgeCounters.AUTH_FAILED);
                ex.invalidField(null, "login", "INVALID_LOGIN", "Login or password is invalid.");
                return;
            }
            throttle.succeeded(username);
            final String token = ctx.auth().newToken(a.id());
            final boolean sent = shard.group().send(shard.group().ownerOf(a.id()), ex.task(owner ->
            {
                StateLog.commit(owner, ctx.node(), StateRecords.TOKEN_ISSUED,
                    StateRecords.tokenIssued(a.id(), AuthService.tokenHash(token)));
                final ObjectNode o = Json.object();
                o.put("token", token);
                o.put("user_id", Json.id(a.id()));
                o.set("user", Entities.selfUser(a));
                owner.afterCommit(() -> ex.reply(owner, 200, o));
            }));
            if (!sent)
            {
                ex.error(null, 503, 0, "Server busy, retry.");
            }
        });
    }

    /**
     * Queues password work if the client's address has a free hashing slot and the queue has room; the slot is
     * given back when the work ends, however it ends.
     */
    private void hash(final RestExchange ex, final Runnable work)
    {
        final String client = ex.client();
        if (!throttle.hashing().tryAcquire(client))
        {
            refuse(ex, EdgeCounters.AUTH_IP_IN_FLIGHT, 1000, "login-hashing");
            return;
        }
        try
        {
            ctx.control().execute(() ->
            {
                try
                {
                    work.run();
                }
                catch (final RuntimeException e)
                {
                    ex.error(null, 500, 0, "Internal error");
                    throw e;
                }
                finally
                {
                    throttle.hashing().release(client);
                }
            });
        }
        catch (final RejectedExecutionException e)
        {
            throttle.hashing().release(client);
            counters.increment(EdgeCounters.AUTH_BUSY);
            ex.headers(Map.of("Retry-After", "1"));
            final ObjectNode o = Json.object();
            o.put("code", 0);
            o.put("message", BUSY_MESSAGE);
            o.put("retry_after", 1.0);
            ex.reply(shard, 503, o);
        }
    }

    /** 429 from a window: Discord's body and the window's {@code X-RateLimit-*} headers. */
    private void refuse(final RestExchange ex, final int reason, final RateLimiter.Decision d, final long now)
    {
        counters.increment(reason);
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        ex.headers(d.headers(now));
        ex.reply(shard, 429, body(Math.max(1, d.resetAtMillis() - now)));
    }

    /** 429 for a wait that is not a window (backoff, hashing slot). */
    private void refuse(final RestExchange ex, final int reason, final long retryAfterMillis, final String bucket)
    {
        counters.increment(reason);
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        final Map<String, String> h = new HashMap<>();
        final String after = String.format(Locale.ROOT, "%.3f", retryAfterMillis / 1000.0);
        h.put("Retry-After", Long.toString(Math.max(1, (retryAfterMillis + 999) / 1000)));
        h.put("X-RateLimit-Limit", "1");
        h.put("X-RateLimit-Remaining", "0");
        h.put("X-RateLimit-Reset", String.format(Locale.ROOT, "%.3f",
            (System.currentTimeMillis() + retryAfterMillis) / 1000.0));
        h.put("X-RateLimit-Reset-After", after);
        h.put("X-RateLimit-Bucket", Integer.toHexString(bucket.hashCode()));
        h.put("X-RateLimit-Scope", "user");
        ex.headers(h);
        ex.reply(shard, 429, body(retryAfterMillis));
    }

    private static ObjectNode body(final long retryAfterMillis)
    {
        final ObjectNode o = Json.object();
        o.put("message", "You are being rate limited.");
        o.put("retry_after", Math.max(0.001, retryAfterMillis / 1000.0));
        o.put("global", false);
        o.put("code", 0);
        return o;
    }

    private static String text(final JsonNode body, final String field)
    {
        final JsonNode n = body == null ? null : body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
