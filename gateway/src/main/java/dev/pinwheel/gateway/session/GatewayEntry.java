package dev.pinwheel.gateway.session;

/**
 * Entry from the HTTP edge into the WebSocket gateway.
 */
public final class GatewayEntry
{
    /**
     * The last Host a connection of this thread (a shard's event loop) came with: connections to the same host share
     * one String instead of each keeping its own copy (≈ 56 B of every idle session, issue 14).
     */
    private static final ThreadLocal<String> LAST_HOST = new ThreadLocal<>();

    private GatewayEntry()
    {
    }

    /**
     * @param gateway      the shard's sessions.
     * @param zlib         whether the client asked for {@code compress=zlib-stream}.
     * @param version      the {@code v} query parameter.
     * @param rejectCode   a close code to send right after HELLO (0: none), for bad query parameters.
     * @param rejectReason its reason.
     * @param host         host the client connected to (for the resume URL).
     * @return the handler for a freshly upgraded connection.
     */
    public static GatewayConnection connection(final ShardSessions gateway, final boolean zlib, final int version,
        final int rejectCode, final String rejectReason, final String host)
    {
        String shared = host;
        if (host != null)
        {
            final String last = LAST_HOST.get();
            if (host.equals(last))
            {
                shared = last;
            }
            else
            {
                LAST_HOST.set(host);
            }
        }
        return new GatewayConnection(gateway, zlib, version, rejectCode, rejectReason, shared);
    }
}
