package dev.pinwheel.gateway.node;

import java.util.Set;

/**
 * Deadlines and limits of the TCP/HTTP edge ({@code pinwheel.edge.*}): how long a connection may sit before its
 * first request, take to send a request head or body, idle between keep-alive requests or keep sending after the
 * server closed it; how many connections one client address may hold; which proxies' {@code X-Forwarded-For} is
 * believed. WebSocket sessions keep their own identify and heartbeat deadlines ({@code pinwheel.gateway.*}).
 */
public final class EdgeConfig
{
    /** Deadline for the first byte of the first request after the connection opens. */
    public static final String FIRST_REQUEST_TIMEOUT_PROP_NAME = "pinwheel.edge.first-request-timeout-ms";
    /** Default: 10 s. */
    public static final int FIRST_REQUEST_TIMEOUT_DEFAULT = 10_000;
    /** Deadline for a whole request head (request line and headers), from its first byte. */
    public static final String HEADER_TIMEOUT_PROP_NAME = "pinwheel.edge.header-timeout-ms";
    /** Default: 10 s. */
    public static final int HEADER_TIMEOUT_DEFAULT = 10_000;
    /** Deadline for a whole request body, from the end of its head. */
    public static final String BODY_TIMEOUT_PROP_NAME = "pinwheel.edge.body-timeout-ms";
    /** Default: 30 s. */
    public static final int BODY_TIMEOUT_DEFAULT = 30_000;
    /** Deadline for the next request on a kept-alive connection, from the end of the last response. */
    public static final String KEEP_ALIVE_TIMEOUT_PROP_NAME = "pinwheel.edge.keep-alive-timeout-ms";
    /** Default: 60 s (longer than the idle time of common HTTP client pools, so the client closes first). */
    public static final int KEEP_ALIVE_TIMEOUT_DEFAULT = 60_000;
    /** How long a connection the server is closing may keep sending (drained, discarded) before it is dropped. */
    public static final String LINGER_PROP_NAME = "pinwheel.edge.linger-ms";
    /** Default: 2 s. */
    public static final int LINGER_DEFAULT = 2_000;
    /** TCP connections one client address (IPv4 address, IPv6 /64) may hold on the node. */
    public static final String MAX_CONNECTIONS_PER_IP_PROP_NAME = "pinwheel.edge.max-connections-per-ip";
    /** Default: 256 — one address cannot take more than ~1.3% of the 19,500 sessions a node holds. */
    public static final int MAX_CONNECTIONS_PER_IP_DEFAULT = 256;
    /** Comma-separated proxy addresses whose {@code X-Forwarded-For} names the client for per-IP login limits. */
    public static final String TRUSTED_PROXIES_PROP_NAME = "pinwheel.edge.trusted-proxies";

    private int firstRequestTimeoutMillis = Integer.getInteger(FIRST_REQUEST_TIMEOUT_PROP_NAME,
        FIRST_REQUEST_TIMEOUT_DEFAULT);
    private int headerTimeoutMillis = Integer.getInteger(HEADER_TIMEOUT_PROP_NAME, HEADER_TIMEOUT_DEFAULT);
    private int bodyTimeoutMillis = Integer.getInteger(BODY_TIMEOUT_PROP_NAME, BODY_TIMEOUT_DEFAULT);
    private int keepAliveTimeoutMillis = Integer.getInteger(KEEP_ALIVE_TIMEOUT_PROP_NAME, KEEP_ALIVE_TIMEOUT_DEFAULT);
    private int lingerMillis = Integer.getInteger(LINGER_PROP_NAME, LINGER_DEFAULT);
    private int maxConnectionsPerIp = Integer.getInteger(MAX_CONNECTIONS_PER_IP_PROP_NAME,
        MAX_CONNECTIONS_PER_IP_DEFAULT);
    private Set<String> trustedProxies = parseList(System.getProperty(TRUSTED_PROXIES_PROP_NAME, ""));

    /**
     * @return ms a new connection may wait before the first byte of its first request.
     */
    public int firstRequestTimeoutMillis()
    {
        return firstRequestTimeoutMillis;
    }

    /**
     * @param value ms a new connection may wait before the first byte of its first request.
     * @return this.
     */
    public EdgeConfig firstRequestTimeoutMillis(final int value)
    {
        firstRequestTimeoutMillis = value;
        return this;
    }

    /**
     * @return ms a request head may take from its first byte to its last.
     */
    public int headerTimeoutMillis()
    {
        return headerTimeoutMillis;
    }

    /**
     * @param value ms a request head may take from its first byte to its last.
     * @return this.
     */
    public EdgeConfig headerTimeoutMillis(final int value)
    {
        headerTimeoutMillis = value;
        return this;
    }

    /**
     * @return ms a request body may take after its head.
     */
    public int bodyTimeoutMillis()
    {
        return bodyTimeoutMillis;
    }

    /**
     * @param value ms a request body may take after its head.
     * @return this.
     */
    public EdgeConfig bodyTimeoutMillis(final int value)
    {
        bodyTimeoutMillis = value;
        return this;
    }

    /**
     * @return ms a kept-alive connection may idle between a response and the next request.
     */
    public int keepAliveTimeoutMillis()
    {
        return keepAliveTimeoutMillis;
    }

    /**
     * @param value ms a kept-alive connection may idle between a response and the next request.
     * @return this.
     */
    public EdgeConfig keepAliveTimeoutMillis(final int value)
    {
        keepAliveTimeoutMillis = value;
        return this;
    }

    /**
     * @return ms a connection being closed may keep sending before it is dropped.
     */
    public int lingerMillis()
    {
        return lingerMillis;
    }

    /**
     * @param value ms a connection being closed may keep sending before it is dropped.
     * @return this.
     */
    public EdgeConfig lingerMillis(final int value)
    {
        lingerMillis = value;
        return this;
    }

    /**
     * @return connections one client address may hold.
     */
    public int maxConnectionsPerIp()
    {
        return maxConnectionsPerIp;
    }

    /**
     * @param value connections one client address may hold.
     * @return this.
     */
    public EdgeConfig maxConnectionsPerIp(final int value)
    {
        maxConnectionsPerIp = value;
        return this;
    }

    /**
     * @return the proxy addresses (textual, as {@code InetAddress.getHostAddress()} prints them) whose
     * {@code X-Forwarded-For} is believed.
     */
    public Set<String> trustedProxies()
    {
        return trustedProxies;
    }

    /**
     * @param value comma-separated proxy addresses whose {@code X-Forwarded-For} is believed ("" for none).
     * @return this.
     */
    public EdgeConfig trustedProxies(final String value)
    {
        trustedProxies = parseList(value);
        return this;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad key.
     */
    public EdgeConfig conclude()
    {
        require(firstRequestTimeoutMillis >= 100, FIRST_REQUEST_TIMEOUT_PROP_NAME);
        require(headerTimeoutMillis >= 100, HEADER_TIMEOUT_PROP_NAME);
        require(bodyTimeoutMillis >= 100, BODY_TIMEOUT_PROP_NAME);
        require(keepAliveTimeoutMillis >= 100, KEEP_ALIVE_TIMEOUT_PROP_NAME);
        require(lingerMillis >= 0, LINGER_PROP_NAME);
        require(maxConnectionsPerIp >= 1, MAX_CONNECTIONS_PER_IP_PROP_NAME);
        return this;
    }

    private static void require(final boolean ok, final String key)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("invalid setting: " + key);
        }
    }

    private static Set<String> parseList(final String value)
    {
        final java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (final String s : value.split(","))
        {
            if (!s.isBlank())
            {
                out.add(ClientAddress.canonical(s.strip()));
            }
        }
        return Set.copyOf(out);
    }
}
