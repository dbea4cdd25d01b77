package dev.pinwheel.gateway.node;

/**
 * Limits on {@code POST /auth/login} and {@code /auth/register} ({@code pinwheel.auth.*}): attempts per client
 * address and per username, the backoff of a username after failed logins, and the password hashing queue
 * (PBKDF2 threads, queue length, each address's share of it). The hash cost itself is
 * {@code pinwheel.auth.pbkdf2-iterations} in {@code GatewayConfig}.
 */
public final class AuthConfig
{
    /** Logins per client address per minute. */
    public static final String LOGIN_PER_IP_PROP_NAME = "pinwheel.auth.login-per-ip-per-minute";
    /** Default: 20. */
    public static final int LOGIN_PER_IP_DEFAULT = 20;
    /** Registrations per client address per minute. */
    public static final String REGISTER_PER_IP_PROP_NAME = "pinwheel.auth.register-per-ip-per-minute";
    /** Default: 5. */
    public static final int REGISTER_PER_IP_DEFAULT = 5;
    /** Logins per username per minute, from anywhere. */
    public static final String LOGIN_PER_USERNAME_PROP_NAME = "pinwheel.auth.login-per-username-per-minute";
    /** Default: 10. */
    public static final int LOGIN_PER_USERNAME_DEFAULT = 10;
    /** Failed logins of a username before it backs off. */
    public static final String BACKOFF_AFTER_PROP_NAME = "pinwheel.auth.backoff-after-failures";
    /** Default: 3. */
    public static final int BACKOFF_AFTER_DEFAULT = 3;
    /** First backoff after {@link #BACKOFF_AFTER_PROP_NAME} failures; doubles with each further failure. */
    public static final String BACKOFF_BASE_PROP_NAME = "pinwheel.auth.backoff-base-ms";
    /** Default: 1 s. */
    public static final int BACKOFF_BASE_DEFAULT = 1_000;
    /** Longest backoff; failures older than this are forgotten. */
    public static final String BACKOFF_MAX_PROP_NAME = "pinwheel.auth.backoff-max-ms";
    /** Default: 5 minutes. */
    public static final int BACKOFF_MAX_DEFAULT = 300_000;
    /** Threads hashing passwords (never a shard thread). */
    public static final String HASH_THREADS_PROP_NAME = "pinwheel.auth.hash-threads";
    /** Default: 1 (a hash takes a core for ~0.1-0.5 s; shards need the others). */
    public static final int HASH_THREADS_DEFAULT = 1;
    /** Logins and registrations waiting for a hashing thread; more are answered 503. */
    public static final String HASH_QUEUE_PROP_NAME = "pinwheel.auth.hash-queue";
    /** Default: 16. */
    public static final int HASH_QUEUE_DEFAULT = 16;
    /** Logins and registrations one client address may have queued or hashing; more are answered 429. */
    public static final String HASH_PER_IP_PROP_NAME = "pinwheel.auth.hash-per-ip";
    /** Default: 2. */
    public static final int HASH_PER_IP_DEFAULT = 2;

    private int loginPerIpPerMinute = Integer.getInteger(LOGIN_PER_IP_PROP_NAME, LOGIN_PER_IP_DEFAULT);
    private int registerPerIpPerMinute = Integer.getInteger(REGISTER_PER_IP_PROP_NAME, REGISTER_PER_IP_DEFAULT);
    private int loginPerUsernamePerMinute = Integer.getInteger(LOGIN_PER_USERNAME_PROP_NAME,
        LOGIN_PER_USERNAME_DEFAULT);
    private int backoffAfterFailures = Integer.getInteger(BACKOFF_AFTER_PROP_NAME, BACKOFF_AFTER_DEFAULT);
    private int backoffBaseMillis = Integer.getInteger(BACKOFF_BASE_PROP_NAME, BACKOFF_BASE_DEFAULT);
    private int backoffMaxMillis = Integer.getInteger(BACKOFF_MAX_PROP_NAME, BACKOFF_MAX_DEFAULT);
    private int hashThreads = Integer.getInteger(HASH_THREADS_PROP_NAME, HASH_THREADS_DEFAULT);
    private int hashQueue = Integer.getInteger(HASH_QUEUE_PROP_NAME, HASH_QUEUE_DEFAULT);
    private int hashPerIp = Integer.getInteger(HASH_PER_IP_PROP_NAME, HASH_PER_IP_DEFAULT);

    /** @return logins per client address per minute. */
    public int loginPerIpPerMinute()
    {
        return loginPerIpPerMinute;
    }

    /**
     * @param value logins per client address per minute.
     * @return this.
     */
    public AuthConfig loginPerIpPerMinute(final int value)
    {
        loginPerIpPerMinute = value;
        return this;
    }

    /** @return registrations per client address per minute. */
    public int registerPerIpPerMinute()
    {
        return registerPerIpPerMinute;
    }

    /**
     * @param value registrations per client address per minute.
     * @return this.
     */
    public AuthConfig registerPerIpPerMinute(final int value)
    {
        registerPerIpPerMinute = value;
        return this;
    }

    /** @return logins per username per minute. */
    public int loginPerUsernamePerMinute()
    {
        return loginPerUsernamePerMinute;
    }

    /**
     * @param value logins per username per minute.
     * @return this.
     */
    public AuthConfig loginPerUsernamePerMinute(final int value)
    {
        loginPerUsernamePerMinute = value;
        return this;
    }

    /** @return failed logins of a username before it backs off. */
    public int backoffAfterFailures()
    {
        return backoffAfterFailures;
    }

    /**
     * @param value failed logins of a username before it backs off.
     * @return this.
     */
    public AuthConfig backoffAfterFailures(final int value)
    {
        backoffAfterFailures = value;
        return this;
    }

    /** @return the first backoff, ms. */
    public int backoffBaseMillis()
    {
        return backoffBaseMillis;
    }

    /**
     * @param value the first backoff, ms.
     * @return this.
     */
    public AuthConfig backoffBaseMillis(final int value)
    {
        backoffBaseMillis = value;
        return this;
    }

    /** @return the longest backoff, ms. */
    public int backoffMaxMillis()
    {
        return backoffMaxMillis;
    }

    /**
     * @param value the longest backoff, ms.
     * @return this.
     */
    public AuthConfig backoffMaxMillis(final int value)
    {
        backoffMaxMillis = value;
        return this;
    }

    /** @return password hashing threads. */
    public int hashThreads()
    {
        return hashThreads;
    }

    /**
     * @param value password hashing threads.
     * @return this.
     */
    public AuthConfig hashThreads(final int value)
    {
        hashThreads = value;
        return this;
    }

    /** @return logins and registrations that may wait for a hashing thread. */
    public int hashQueue()
    {
        return hashQueue;
    }

    /**
     * @param value logins and registrations that may wait for a hashing thread.
     * @return this.
     */
    public AuthConfig hashQueue(final int value)
    {
        hashQueue = value;
        return this;
    }

    /** @return logins and registrations one address may have queued or hashing. */
    public int hashPerIp()
    {
        return hashPerIp;
    }

    /**
     * @param value logins and registrations one address may have queued or hashing.
     * @return this.
     */
    public AuthConfig hashPerIp(final int value)
    {
        hashPerIp = value;
        return this;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad key.
     */
    public AuthConfig conclude()
    {
        require(loginPerIpPerMinute >= 1, LOGIN_PER_IP_PROP_NAME);
        require(registerPerIpPerMinute >= 1, REGISTER_PER_IP_PROP_NAME);
        require(loginPerUsernamePerMinute >= 1, LOGIN_PER_USERNAME_PROP_NAME);
        require(backoffAfterFailures >= 1, BACKOFF_AFTER_PROP_NAME);
        require(backoffBaseMillis >= 1, BACKOFF_BASE_PROP_NAME);
        require(backoffMaxMillis >= backoffBaseMillis, BACKOFF_MAX_PROP_NAME);
        require(hashThreads >= 1, HASH_THREADS_PROP_NAME);
        require(hashQueue >= 1, HASH_QUEUE_PROP_NAME);
        require(hashPerIp >= 1, HASH_PER_IP_PROP_NAME);
        return this;
    }

    private static void require(final boolean ok, final String key)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("invalid setting: " + key);
        }
    }
}
