package dev.pinwheel.gateway.node;

import dev.pinwheel.core.counters.CounterBlock;
import dev.pinwheel.core.counters.CounterTypes;
import dev.pinwheel.core.counters.NodeCounters;

/**
 * Why the edge of one shard closed or refused something: connections closed per deadline or fault, connections
 * refused by the per-address cap, IDENTIFYs refused by the session start limits, logins and registrations refused
 * by the login limits. Each counter has a stable id, a metric family and a {@code reason} label, and lives in the
 * node's counters (type {@link CounterTypes#EDGE}, key (shard, id), label {@code <family>{shard="i",reason="..."}},
 * so {@code /metrics} and {@code pinwheel top --data} read the same values). Written by the shard thread with
 * {@link #increment} (a release store), or from another thread with {@link #incrementConcurrent} (atomic).
 * Add new ids at the end.
 */
public final class EdgeCounters
{
    /** Family of connections closed by the edge, by reason. */
    public static final String CLOSED_FAMILY = "pinwheel_edge_connections_closed_total";
    /** Family of connections refused at accept, by reason. */
    public static final String REFUSED_FAMILY = "pinwheel_edge_connections_refused_total";
    /** Family of IDENTIFYs refused, by reason. */
    public static final String IDENTIFY_FAMILY = "pinwheel_gateway_identify_refused_total";
    /** Family of logins and registrations refused, by reason. */
    public static final String AUTH_FAMILY = "pinwheel_auth_refused_total";
    /** Family of the gateway's per-socket dispatch writes (one per socket per duty cycle), by how they left. */
    public static final String WRITES_FAMILY = "pinwheel_gateway_dispatch_writes_total";

    /** No first request within {@code first-request-timeout-ms}. */
    public static final int CLOSED_FIRST_REQUEST_TIMEOUT = 0;
    /** A request head not complete within {@code header-timeout-ms}. */
    public static final int CLOSED_HEADER_TIMEOUT = 1;
    /** A request body not complete within {@code body-timeout-ms}. */
    public static final int CLOSED_BODY_TIMEOUT = 2;
    /** No next request within {@code keep-alive-timeout-ms}. */
    public static final int CLOSED_KEEP_ALIVE_TIMEOUT = 3;
    /** A malformed request (answered 400/414/431/413/426, then closed). */
    public static final int CLOSED_BAD_REQUEST = 4;
    /** A closing connection still sending after {@code linger-ms}: dropped. */
    public static final int CLOSED_LINGER_TIMEOUT = 5;
    /** Refused at accept: the client address holds {@code max-connections-per-ip} already. */
    public static final int REFUSED_IP_CAP = 6;
    /** IDENTIFY answered op 9: its {@code max_concurrency} bucket already started a session in this window. */
    public static final int IDENTIFY_MAX_CONCURRENCY = 7;
    /** IDENTIFY closed 4008: the user's session starts for the period are used up. */
    public static final int IDENTIFY_SESSION_START_LIMIT = 8;
    /** Login or registration refused (429): too many from the client address. */
    public static final int AUTH_IP_RATE = 9;
    /** Login refused (429): too many for the username. */
    public static final int AUTH_USERNAME_RATE = 10;
    /** Login refused (429): the username is backing off after failed attempts. */
    public static final int AUTH_BACKOFF = 11;
    /** Login or registration refused (429): the client address already has its share of hashing in flight. */
    public static final int AUTH_IP_IN_FLIGHT = 12;
    /** Login or registration refused (503): the password hashing queue is full. */
    public static final int AUTH_BUSY = 13;
    /** Logins with a wrong username or password (answered 400). */
    public static final int AUTH_FAILED = 14;
    /** A socket's dispatches written straight to the socket from the shard's scratch buffer, all taken. */
    public static final int WRITES_DIRECT = 15;
    /** Written straight, but the kernel took only part: the rest queued in Netty (the socket is backing up). */
    public static final int WRITES_PARTIAL = 16;
    /** Queued in Netty as one buffer (output already pending, compression, or no native transport). */
    public static final int WRITES_QUEUED = 17;

    private static final String[] FAMILIES = {
        CLOSED_FAMILY, CLOSED_FAMILY, CLOSED_FAMILY, CLOSED_FAMILY, CLOSED_FAMILY, CLOSED_FAMILY,
        REFUSED_FAMILY, IDENTIFY_FAMILY, IDENTIFY_FAMILY,
        AUTH_FAMILY, AUTH_FAMILY, AUTH_FAMILY, AUTH_FAMILY, AUTH_FAMILY, AUTH_FAMILY,
        WRITES_FAMILY, WRITES_FAMILY, WRITES_FAMILY,
    };
    private static final String[] REASONS = {
        "first_request_timeout", "header_timeout", "body_timeout", "keep_alive_timeout", "bad_request",
        "linger_timeout", "ip_cap", "max_concurrency", "session_start_limit",
        "ip_rate", "username_rate", "backoff", "ip_in_flight", "busy", "wrong_credentials",
        "direct", "partial", "queued",
    };

    private final CounterBlock values;

    /**
     * Counters of an edge outside any node (tests).
     */
    public EdgeCounters()
    {
        this(NodeCounters.inMemory(REASONS.length), 0);
    }

    /**
     * @param counters the node's counters.
     * @param shard    the shard whose edge counts here.
     */
    public EdgeCounters(final NodeCounters counters, final int shard)
    {
        final String[] labels = new String[REASONS.length];
        for (int i = 0; i < labels.length; i++)
        {
            labels[i] = FAMILIES[i] + "{shard=\"" + shard + "\",reason=\"" + REASONS[i] + "\"}";
        }
        this.values = new CounterBlock(counters, CounterTypes.EDGE, shard, labels);
    }

    /**
     * Increment from the owning shard thread.
     *
     * @param id counter id.
     */
    public void increment(final int id)
    {
        values.increment(id);
    }

    /**
     * Increment from any thread.
     *
     * @param id counter id.
     */
    public void incrementConcurrent(final int id)
    {
        values.incrementConcurrent(id);
    }

    /**
     * @param id counter id.
     * @return current value.
     */
    public long get(final int id)
    {
        return values.get(id);
    }

    /**
     * @return number of counters.
     */
    public static int size()
    {
        return REASONS.length;
    }

    /**
     * @param id counter id.
     * @return its metric family.
     */
    public static String family(final int id)
    {
        return FAMILIES[id];
    }

    /**
     * @param id counter id.
     * @return its {@code reason} label.
     */
    public static String reason(final int id)
    {
        return REASONS[id];
    }
}
