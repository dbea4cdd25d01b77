package dev.pinwheel.gateway.http.routes;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Usernames;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.shard.ShardCounters;
import dev.pinwheel.gateway.auth.AuthService;
import dev.pinwheel.gateway.auth.LoginThrottle;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.http.ExchangeTable;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.http.RestExchange;
import dev.pinwheel.gateway.http.RouteTable;
import dev.pinwheel.gateway.node.EdgeCounters;
import dev.pinwheel.gateway.owner.AccountProxy;
import dev.pinwheel.gateway.owner.NameClaimProxy;
import dev.pinwheel.gateway.owner.NameReleases;

/**
 * {@code POST /auth/register} and {@code POST /auth/login} (routes without a token). Password hashing (PBKDF2,
 * ~0.1-0.5 s of a core) never runs on a shard: it goes to the node's bounded hashing executor
 * ({@link RouteContext#control()}). Before anything is queued the shard checks the {@link LoginThrottle} — attempts
 * per client address, per username, the username's backoff after failures, the address's share of the queue — and
 * answers 429 with Discord's {@code {message, retry_after, global}} and rate-limit headers; a full queue answers 503
 * at once. So a flood from one client costs map lookups, not hashes, and cannot make another user's login wait behind
 * it.
 * <pre>
 *   shard: validate ─▶ address window ─▶ username window ─▶ backoff ─▶ address's hashing slot ─▶ queue (or 503)
 *   hashing thread: PBKDF2 ─▶ outcome to the throttle ─▶ ACCOUNT_REGISTER / ACCOUNT_LOGIN command to the account's
 *   owner shard ({@link AccountProxy}), which journals and answers; refusals answer from here ({@link ControlReply})
 * </pre>
 * A registration reserves its username before hashing; whatever stops it before the account is journaled (the
 * owner's inbox full, the journal refusing the write) gives the name back. In a cluster the name is claimed at the
 * one shard that owns its key ({@link NameClaimProxy}) instead of in this node's directory, and a login whose
 * account this node has not learnt yet waits a moment for it ({@link AccountWait}).
 */
public final class AuthRoutes
{
    /** A registration's username: compiled once, not per request. */
    private static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\-]+");
    /** Verified against when the username does not exist, so both cases cost one hash. */
    private static final String DUMMY_HASH =
        "pbkdf2-sha512$210000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private final RouteContext ctx;
    private final Shard shard;
    private final ExchangeTable exchanges;
    private final LoginThrottle throttle;
    private final EdgeCounters counters;
    private final AccountProxy accounts;
    private final AccountWait accountsWait;

    /**
     * @param ctx       what the routes of this shard use.
     * @param shard     this shard.
     * @param exchanges this shard's requests waiting for an answer.
     */
    public AuthRoutes(final RouteContext ctx, final Shard shard, final ExchangeTable exchanges)
    {
        this.ctx = ctx;
        this.shard = shard;
        this.exchanges = exchanges;
        this.throttle = ctx.loginThrottle();
        this.counters = ctx.edgeCounters();
        this.accounts = new AccountProxy(shard.group());
        this.accountsWait = new AccountWait(shard, ctx.node().accounts());
    }

    /**
     * @param table where the routes go (without a token).
     */
    public void register(final RouteTable table)
    {
        table.add("POST", "/auth/register", (ex, r) -> register(ex, r.body()), false)
            .add("POST", "/auth/login", (ex, r) -> login(ex, r.body()), false);
    }

    private void register(final RestExchange ex, final JsonNode body)
    {
        final String username = text(body, "username");
        final String password = text(body, "password");
        if (username == null || username.length() < 2 || username.length() > 32
            || !USERNAME.matcher(username).matches())
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
        final int origin = shard.address();
        final long id = ctx.nextControlId();
        final long registration = hash(ex, correlation ->
        {
            final ControlReply reply = new ControlReply(shard.group(), origin, correlation, id, ex);
            if (shard.group().clusterLink() != null)
            {
                // a cluster: the owner of the name's key decides, journals the claim, then registers
                final String token = ctx.auth().newToken(id);
                if (!NameClaimProxy.claimForAccount(shard.group(), origin, correlation, id, username,
                    ctx.auth().hashPassword(password), bot, token, AuthService.tokenHash(token)))
                {
                    reply.error(DiscordError.BUSY);
                }
                return;
            }
            if (!ctx.node().accounts().reserve(username, id))
            {
                reply.invalidField("username", "USERNAME_ALREADY_TAKEN", "Username is unavailable.");
                return;
            }
            boolean sent = false;
            try
            {
                final String token = ctx.auth().newToken(id);
                sent = accounts.register(origin, correlation, id, username, ctx.auth().hashPassword(password), bot,
                    token, AuthService.tokenHash(token));
            }
            finally
            {
                if (!sent)
                {
                    ctx.node().accounts().release(username, id); // not sent: the name is free again
                }
            }
            if (!sent)
            {
                reply.error(DiscordError.BUSY);
            }
        });
        if (registration >= 0 && shard.group().clusterLink() != null)
        {
            // the claim goes to the name's owner, which sends the registration on to the new id's owner: a restart of
            // either answers the request at once, and a request lost that way (or timed out) gives the name back —
            // its account command may have died with that node, and the name would be held by an id with no account
            exchanges.waitsOn(registration, NameClaimProxy.nodesOf(shard.group(), Usernames.key(username), id),
                () -> NameReleases.oweLost(shard, ctx.node(), username, id));
        }
    }

    private void login(final RestExchange ex, final JsonNode body)
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
        accountsWait.whenKnown(username, () -> verify(ex, username, password));
    }

    /** The password work of a login, once this node knows the name's account (or that it has none). */
    private void verify(final RestExchange ex, final String username, final String password)
    {
        final EdgeCounters shardCounters = counters;
        final int origin = shard.address();
        hash(ex, correlation ->
        {
            final Account a = ctx.node().accounts().byUsername(username);
            final boolean ok = ctx.auth().verifyPassword(password, a == null ? DUMMY_HASH : a.passwordHash());
            final ControlReply reply = new ControlReply(shard.group(), origin, correlation, a == null ? -1 : a.id(),
                ex);
            if (a == null || !ok)
            {
                throttle.failed(username, System.currentTimeMillis());
                shardCounters.incrementConcurrent(EdgeCounters.AUTH_FAILED);
                reply.invalidField("login", "INVALID_LOGIN", "Login or password is invalid.");
                return;
            }
            throttle.succeeded(username);
            final String token = ctx.auth().newToken(a.id());
            if (!accounts.login(origin, correlation, a.id(), token, AuthService.tokenHash(token)))
            {
                reply.error(DiscordError.BUSY);
            }
        });
    }

    /**
     * Queues password work if the client's address has a free hashing slot and the queue has room; the slot is
     * given back when the work ends, however it ends. The request waits for its answer under a correlation id
     * ({@link ExchangeTable}) that the work answers to, from the control plane or from the account's owner.
     *
     * @return the request's correlation, or -1 if it was refused here (answered already).
     */
    private long hash(final RestExchange ex, final LongConsumer work)
    {
        final String client = ex.client();
        if (!throttle.hashing().tryAcquire(client))
        {
            refuse(ex, EdgeCounters.AUTH_IP_IN_FLIGHT, 1000, "login-hashing");
            return -1;
        }
        final long correlation = exchanges.register(ex);
        final int origin = shard.address();
        try
        {
            ctx.control().execute(() ->
            {
                try
                {
                    work.accept(correlation);
                }
                catch (final RuntimeException e)
                {
                    new ControlReply(shard.group(), origin, correlation, -1, ex).error(DiscordError.INTERNAL);
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
            exchanges.fail(shard, correlation, DiscordError.HASHING_BUSY);
            return -1;
        }
        return correlation;
    }

    /** 429 from a window: Discord's body and the window's {@code X-RateLimit-*} headers. */
    private void refuse(final RestExchange ex, final int reason, final RateLimiter.Decision d, final long now)
    {
        counters.increment(reason);
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        ex.rateLimit(d, now);
        ex.reply(shard, 429, body(Math.max(1, d.resetAtMillis() - now)));
    }

    /** 429 for a wait that is not a window (backoff, hashing slot). */
    private void refuse(final RestExchange ex, final int reason, final long retryAfterMillis, final String bucket)
    {
        counters.increment(reason);
        shard.counters().increment(ShardCounters.RATE_LIMITED);
        ex.rateLimited(1, 0, System.currentTimeMillis() + retryAfterMillis, retryAfterMillis,
            Integer.toUnsignedLong(bucket.hashCode()), Math.max(1, (retryAfterMillis + 999) / 1000));
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
