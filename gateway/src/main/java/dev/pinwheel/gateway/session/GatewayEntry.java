package dev.pinwheel.gateway.session;

import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/**
 * Entry from the HTTP edge into the WebSocket gateway.
 */
public final class GatewayEntry
{
    private GatewayEntry()
    {
    }

    /**
     * @param gateway      the shard's sessions.
     * @param frames       the frame decoder's settings (the connection decodes its frames itself).
     * @param zlib         whether the client asked for {@code compress=zlib-stream}.
     * @param version      the {@code v} query parameter.
     * @param rejectCode   a close code to send right after HELLO (0: none), for bad query parameters.
     * @param rejectReason its reason.
     * @param host         host the client connected to (for the resume URL).
     * @return the handler for a freshly upgraded connection.
     */
    public static GatewayConnection connection(final ShardSessions gateway, final WebSocketDecoderConfig frames,
        final boolean zlib, final int version, final int rejectCode, final String rejectReason, final String host)
    {
        return new GatewayConnection(gateway, frames, zlib, version, rejectCode, rejectReason, host);
    }
}
