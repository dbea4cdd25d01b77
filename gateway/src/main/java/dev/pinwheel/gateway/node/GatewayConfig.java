package dev.pinwheel.gateway.node;

/**
 * Gateway and REST settings. Defaults follow Discord; tests shorten the timers. Every key can be set as a
 * system property {@code pinwheel.gateway.<name>} (see the README's configuration table); the edge's deadlines
 * and per-address cap are in {@link #edge()} ({@code pinwheel.edge.*}), the login limits in {@link #auth()}
 * ({@code pinwheel.auth.*}).
 */
public final class GatewayConfig
{
    private String host = System.getProperty("pinwheel.gateway.host", "127.0.0.1");
    private int port = Integer.getInteger("pinwheel.gateway.port", 8080);
    private String publicHost = System.getProperty("pinwheel.gateway.public-host");
    private String publicUrl = checkedPublicUrl(System.getProperty("pinwheel.gateway.public-url"));
    private int heartbeatIntervalMillis = Integer.getInteger("pinwheel.gateway.heartbeat-interval-ms", 41_250);
    private int heartbeatGraceMillis = Integer.getInteger("pinwheel.gateway.heartbeat-grace-ms", 20_000);
    private int identifyTimeoutMillis = Integer.getInteger("pinwheel.gateway.identify-timeout-ms", 30_000);
    private int resumeWindowMillis = Integer.getInteger("pinwheel.gateway.resume-window-ms", 180_000);
    private int resumeBufferEvents = Integer.getInteger("pinwheel.gateway.resume-buffer-events", 2048);
    private int maxInboundPayload = Integer.getInteger("pinwheel.gateway.max-inbound-payload", 4096);
    private int inboundEventsPerMinute = Integer.getInteger("pinwheel.gateway.inbound-events-per-minute", 120);
    private int lazyGuildMembers = Integer.getInteger("pinwheel.gateway.lazy-guild-members", 1000);
    private boolean privilegedIntentsAllowed = Boolean.parseBoolean(
        System.getProperty("pinwheel.gateway.privileged-intents", "true"));
    private int pbkdf2Iterations = Integer.getInteger("pinwheel.auth.pbkdf2-iterations", 210_000);
    private int restRequestsPerSecond = Integer.getInteger("pinwheel.rest.requests-per-second", 50);
    private int messagesPer5Seconds = Integer.getInteger("pinwheel.rest.messages-per-5s", 50);
    private int slowConsumerMillis = Integer.getInteger("pinwheel.gateway.slow-consumer-ms", 10_000);
    private int sessionStartTotal = Integer.getInteger("pinwheel.gateway.session-start-total", 1000);
    private long sessionStartResetMillis = Long.getLong("pinwheel.gateway.session-start-reset-ms", 86_400_000L);
    private int maxConcurrency = Integer.getInteger("pinwheel.gateway.max-concurrency", 1);
    private int identifyWindowMillis = Integer.getInteger("pinwheel.gateway.identify-window-ms", 5000);
    private final EdgeConfig edge = new EdgeConfig();
    private final AuthConfig auth = new AuthConfig();
    private final FilesConfig files = new FilesConfig();

    /**
     * @return the file store's settings (attachments, avatars, icons), to adjust in place.
     */
    public FilesConfig files()
    {
        return files;
    }

    /**
     * @return the TCP/HTTP edge's deadlines, per-address cap and trusted proxies, to adjust in place.
     */
    public EdgeConfig edge()
    {
        return edge;
    }

    /**
     * @return the login and registration limits, to adjust in place.
     */
    public AuthConfig auth()
    {
        return auth;
    }

    /**
     * @return session starts (IDENTIFYs that got READY) per user per period ({@code session_start_limit.total}).
     */
    public int sessionStartTotal()
    {
        return sessionStartTotal;
    }

    /**
     * @param value session starts per user per period.
     * @return this.
     */
    public GatewayConfig sessionStartTotal(final int value)
    {
        sessionStartTotal = value;
        return this;
    }

    /**
     * @return the session start period in ms (Discord: 24 h).
     */
    public long sessionStartResetMillis()
    {
        return sessionStartResetMillis;
    }

    /**
     * @param value the session start period in ms.
     * @return this.
     */
    public GatewayConfig sessionStartResetMillis(final long value)
    {
        sessionStartResetMillis = value;
        return this;
    }

    /**
     * @return identify buckets ({@code session_start_limit.max_concurrency}; shard {@code s} is in bucket
     * {@code s % max_concurrency}).
     */
    public int maxConcurrency()
    {
        return maxConcurrency;
    }

    /**
     * @param value identify buckets.
     * @return this.
     */
    public GatewayConfig maxConcurrency(final int value)
    {
        maxConcurrency = value;
        return this;
    }

    /**
     * @return ms in which each identify bucket starts one session (Discord: 5 s); 0 turns the limit off.
     */
    public int identifyWindowMillis()
    {
        return identifyWindowMillis;
    }

    /**
     * @param value ms in which each identify bucket starts one session; 0 turns the limit off.
     * @return this.
     */
    public GatewayConfig identifyWindowMillis(final int value)
    {
        identifyWindowMillis = value;
        return this;
    }

    public String host()
    {
        return host;
    }

    public GatewayConfig host(final String value)
    {
        host = value;
        return this;
    }

    public int port()
    {
        return port;
    }

    public GatewayConfig port(final int value)
    {
        port = value;
        return this;
    }

    /**
     * @return host clients should use in URLs we hand out (null: the request's Host header).
     */
    public String publicHost()
    {
        return publicHost;
    }

    public GatewayConfig publicHost(final String value)
    {
        publicHost = value;
        return this;
    }

    /**
     * @return the node's address as its clients reach it, {@code http[s]://HOST[:PORT]} (behind a proxy that ends TLS:
     *         {@code https://chat.example.com}), or null: URLs are built from the request's Host (or
     *         {@link #publicHost()}) and this node's own ports. When set, the gateway URL of {@code GET /gateway[/bot]}
     *         and every READY's {@code resume_gateway_url} is it with {@code ws[s]://}, and attachment URLs start
     *         with it.
     */
    public String publicUrl()
    {
        return publicUrl;
    }

    /**
     * @param value {@code http://HOST[:PORT]} or {@code https://HOST[:PORT]} (a trailing {@code /} is dropped), or
     *              null.
     * @return this.
     * @throws IllegalArgumentException if the value is not such a URL.
     */
    public GatewayConfig publicUrl(final String value)
    {
        publicUrl = checkedPublicUrl(value);
        return this;
    }

    /**
     * @return {@link #publicUrl()} as a gateway URL ({@code https} → {@code wss}, {@code http} → {@code ws}), or
     *         null.
     */
    public String publicGatewayUrl()
    {
        return publicUrl == null ? null : "ws" + publicUrl.substring("http".length());
    }

    private static String checkedPublicUrl(final String value)
    {
        if (value == null || value.isBlank())
        {
            return null;
        }
        String v = value.strip();
        while (v.endsWith("/"))
        {
            v = v.substring(0, v.length() - 1);
        }
        final java.net.URI uri;
        try
        {
            uri = new java.net.URI(v);
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalArgumentException("pinwheel.gateway.public-url: not a URL: " + value, ex);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
            || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
            || uri.getRawFragment() != null || uri.getRawUserInfo() != null)
        {
            throw new IllegalArgumentException("pinwheel.gateway.public-url must be http://HOST[:PORT] or "
                + "https://HOST[:PORT] (no path, query or user), got: " + value);
        }
        return v;
    }

    public int heartbeatIntervalMillis()
    {
        return heartbeatIntervalMillis;
    }

    public GatewayConfig heartbeatIntervalMillis(final int value)
    {
        heartbeatIntervalMillis = value;
        return this;
    }

    public int heartbeatGraceMillis()
    {
        return heartbeatGraceMillis;
    }

    public GatewayConfig heartbeatGraceMillis(final int value)
    {
        heartbeatGraceMillis = value;
        return this;
    }

    public int identifyTimeoutMillis()
    {
        return identifyTimeoutMillis;
    }

    public GatewayConfig identifyTimeoutMillis(final int value)
    {
        identifyTimeoutMillis = value;
        return this;
    }

    public int resumeWindowMillis()
    {
        return resumeWindowMillis;
    }

    public GatewayConfig resumeWindowMillis(final int value)
    {
        resumeWindowMillis = value;
        return this;
    }

    public int resumeBufferEvents()
    {
        return resumeBufferEvents;
    }

    public GatewayConfig resumeBufferEvents(final int value)
    {
        resumeBufferEvents = value;
        return this;
    }

    public int maxInboundPayload()
    {
        return maxInboundPayload;
    }

    public GatewayConfig maxInboundPayload(final int value)
    {
        maxInboundPayload = value;
        return this;
    }

    public int inboundEventsPerMinute()
    {
        return inboundEventsPerMinute;
    }

    public GatewayConfig inboundEventsPerMinute(final int value)
    {
        inboundEventsPerMinute = value;
        return this;
    }

    /**
     * @return members above which a guild is lazy: its presences go only to sessions that subscribed to its member
     *         list (op 14) instead of every session with GUILD_PRESENCES.
     */
    public int lazyGuildMembers()
    {
        return lazyGuildMembers;
    }

    /**
     * @param value members above which a guild is lazy.
     * @return this.
     */
    public GatewayConfig lazyGuildMembers(final int value)
    {
        lazyGuildMembers = value;
        return this;
    }

    public boolean privilegedIntentsAllowed()
    {
        return privilegedIntentsAllowed;
    }

    public GatewayConfig privilegedIntentsAllowed(final boolean value)
    {
        privilegedIntentsAllowed = value;
        return this;
    }

    public int pbkdf2Iterations()
    {
        return pbkdf2Iterations;
    }

    public GatewayConfig pbkdf2Iterations(final int value)
    {
        pbkdf2Iterations = value;
        return this;
    }

    public int restRequestsPerSecond()
    {
        return restRequestsPerSecond;
    }

    public GatewayConfig restRequestsPerSecond(final int value)
    {
        restRequestsPerSecond = value;
        return this;
    }

    public int messagesPer5Seconds()
    {
        return messagesPer5Seconds;
    }

    public GatewayConfig messagesPer5Seconds(final int value)
    {
        messagesPer5Seconds = value;
        return this;
    }

    public int slowConsumerMillis()
    {
        return slowConsumerMillis;
    }

    public GatewayConfig slowConsumerMillis(final int value)
    {
        slowConsumerMillis = value;
        return this;
    }

    /**
     * Validates the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad key.
     */
    public GatewayConfig conclude()
    {
        require(port >= 0 && port <= 65535, "port");
        require(heartbeatIntervalMillis >= 100, "heartbeat-interval-ms");
        require(heartbeatGraceMillis >= 0, "heartbeat-grace-ms");
        require(identifyTimeoutMillis >= 100, "identify-timeout-ms");
        require(resumeBufferEvents >= 16 && Integer.bitCount(resumeBufferEvents) == 1,
            "resume-buffer-events (power of two >= 16)");
        require(maxInboundPayload >= 512, "max-inbound-payload");
        require(inboundEventsPerMinute >= 1, "inbound-events-per-minute");
        require(pbkdf2Iterations >= 1000, "pbkdf2-iterations");
        require(sessionStartTotal >= 1 && sessionStartTotal <= (1 << 22) - 1, "session-start-total (1..4194303)");
        require(sessionStartResetMillis >= 1000, "session-start-reset-ms");
        require(maxConcurrency >= 1 && maxConcurrency <= 1024, "max-concurrency (1..1024)");
        require(identifyWindowMillis >= 0, "identify-window-ms");
        edge.conclude();
        auth.conclude();
        files.conclude();
        return this;
    }

    private static void require(final boolean ok, final String key)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("invalid pinwheel.gateway/auth setting: " + key);
        }
    }
}
