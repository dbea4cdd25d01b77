package dev.pinwheel.gateway.session;

/**
 * Entry from the HTTP edge into the WebSocket gateway.
 */
public final class GatewayEntry
{
    private GatewayEntry()
    {
    }

    /**
     * @return the handler for a freshly upgraded connection.
     */
    public static GatewayConnection connection(final ShardGateway gateway, final boolean zlib, final int version,
        final int rejectCode, final String rejectReason, final String host)
    {
        return new GatewayConnection(gateway, zlib, version, rejectCode, rejectReason, host);
    }
}
