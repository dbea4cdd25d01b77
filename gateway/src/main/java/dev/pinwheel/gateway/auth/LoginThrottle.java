package dev.pinwheel.gateway.auth;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.pinwheel.gateway.node.AddressSlots;
import dev.pinwheel.gateway.http.RateLimiter;
import dev.pinwheel.gateway.node.AuthConfig;

/**
 * What stands between a client and the password hashing threads, checked on the shard before any hashing is
 * queued (every check is a map update, never a hash):
 * <ol>
 *   <li>attempts per client address per minute (login and registration counted apart);</li>
 *   <li>attempts per username per minute, from any address;</li>
 *   <li>a growing backoff per username after failed logins: after {@code backoff-after-failures} failures the
 *   username is refused for {@code backoff-base-ms}, doubling with each further failure up to
 *   {@code backoff-max-ms}; a successful login resets it; failures older than the maximum are forgotten;</li>
 *   <li>each address's share of the hashing queue ({@link #hashing()}): one address cannot hold every slot, so
 *   another user's login waits for at most the queue, never for one client's flood.</li>
 * </ol>
 * Usernames are compared case-insensitively, as accounts are. A username that backs off is refused even with
 * the right password (otherwise the backoff would not slow a guesser); a flood aimed at one account can therefore
 * delay that account's logins by at most the maximum backoff. Thread-safe (shard threads check, hashing threads
 * report outcomes).
 */
public final class LoginThrottle
{
    private static final long MINUTE_MILLIS = 60_000;
    private static final int MAX_TRACKED = 100_000;

    /** Failed logins of one username. */
    private record Failures(int count, long lastMillis, long untilMillis)
    {
    }

    private final AuthConfig config;
    private final RateLimiter windows = new RateLimiter();
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepMillis = new AtomicLong();
    private final AddressSlots hashing;

    /**
     * @param config the limits.
     */
    public LoginThrottle(final AuthConfig config)
    {
        this.config = config;
        this.hashing = new AddressSlots(config.hashPerIp());
    }

    /**
     * @param client    the client address key.
     * @param register  a registration (else a login).
     * @param nowMillis now (epoch ms).
     * @return the decision for this attempt (taken from the address's window when allowed).
     */
    public RateLimiter.Decision address(final String client, final boolean register, final long nowMillis)
    {
        return register
            ? windows.acquire(0, "register-ip:" + client, config.registerPerIpPerMinute(), MINUTE_MILLIS, nowMillis)
            : windows.acquire(0, "login-ip:" + client, config.loginPerIpPerMinute(), MINUTE_MILLIS, nowMillis);
    }

    /**
     * @param username  the username a login names.
     * @param nowMillis now (epoch ms).
     * @return the decision for this attempt (taken from the username's window when allowed).
     */
    public RateLimiter.Decision username(final String username, final long nowMillis)
    {
        return windows.acquire(0, "login-user:" + key(username), config.loginPerUsernamePerMinute(), MINUTE_MILLIS,
            nowMillis);
    }

    /**
     * @param username  the username a login names.
     * @param nowMillis now (epoch ms).
     * @return ms until it may try again, 0 if it is not backing off.
     */
    public long backoffMillis(final String username, final long nowMillis)
    {
        final Failures f = failures.get(key(username));
        return f == null ? 0 : Math.max(0, f.untilMillis() - nowMillis);
    }

    /**
     * A login with this username failed.
     *
     * @param username  the username.
     * @param nowMillis now (epoch ms).
     */
    public void failed(final String username, final long nowMillis)
    {
        sweep(nowMillis);
        if (failures.size() >= MAX_TRACKED && !failures.containsKey(key(username)))
        {
            return; // full of live entries: the per-address and per-username windows still hold
        }
        failures.compute(key(username), (k, f) ->
        {
            final int count = f == null || nowMillis - f.lastMillis() > config.backoffMaxMillis() ? 1 : f.count() + 1;
            final int over = count - config.backoffAfterFailures();
            final long backoff = over < 0 ? 0
                : Math.min(config.backoffMaxMillis(), (long)config.backoffBaseMillis() << Math.min(over, 30));
            return new Failures(count, nowMillis, backoff == 0 ? 0 : nowMillis + backoff);
        });
    }

    /**
     * A login with this username succeeded: its failures are forgotten.
     *
     * @param username the username.
     */
    public void succeeded(final String username)
    {
        failures.remove(key(username));
    }

    /**
     * @return each client address's slots in the hashing queue (queued or running).
     */
    public AddressSlots hashing()
    {
        return hashing;
    }

    /**
     * @return usernames with failures on record (tests, metrics).
     */
    public int trackedUsernames()
    {
        return failures.size();
    }

    private void sweep(final long nowMillis)
    {
        final long swept = lastSweepMillis.get();
        if (failures.size() > MAX_TRACKED / 2 && nowMillis - swept >= 1000
            && lastSweepMillis.compareAndSet(swept, nowMillis))
        {
            final long max = config.backoffMaxMillis();
            failures.values().removeIf(f -> nowMillis - f.lastMillis() > max && f.untilMillis() <= nowMillis);
        }
    }

    private static String key(final String username)
    {
        return username.toLowerCase(Locale.ROOT);
    }
}
