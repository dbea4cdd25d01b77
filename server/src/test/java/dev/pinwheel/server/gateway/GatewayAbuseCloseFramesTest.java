package dev.pinwheel.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * A client that keeps sending after it has broken the rules — a flood of heartbeats, a frame announcing 16 MB, a
 * message fragmented far past the payload limit — gets the WebSocket close frame with Discord's code (4008 rate
 * limited, 4002 decode error) and is not reset while it is still sending: the server drops the rest unread, shuts
 * its output after the close frame and closes once the client does (or the linger time passes). A server that
 * closed at once would reset the connection under the client's writes (16 MB cannot sit in socket buffers), and a
 * client library that fails a write reports an abnormal closure instead of the close code.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayAbuseCloseFramesTest
{
    private static TestNode node;

    @BeforeAll
    static void start()
    {
        node = new TestNode(1);
    }

    @AfterAll
    static void stop()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static RawGatewaySocket hello() throws Exception
    {
        final RawGatewaySocket ws = RawGatewaySocket.open(node.port());
        assertTrue(ws.readText().contains("\"op\":10"), "HELLO first");
        return ws;
    }

    @Test
    void aFloodOfHeartbeatsIsClosedWith4008AndDrainedNotReset() throws Exception
    {
        try (RawGatewaySocket ws = hello())
        {
            final long total = 16L << 20; // ~560,000 heartbeats
            final long sent = ws.sendRepeated(RawGatewaySocket.text("{\"op\":1,\"d\":null}"), total);
            assertTrue(sent >= total, "the flood after the 121st heartbeat is drained, not reset: " + sent);
            final RawGatewaySocket.Ending end = ws.awaitClose();
            assertEquals(4008, end.code(), end.toString());
        }
    }

    @Test
    void aSixteenMegabyteFrameIsClosedWith4002AndDrainedNotReset() throws Exception
    {
        try (RawGatewaySocket ws = hello())
        {
            assertEquals(16L << 20, ws.sendHugeTextFrame(16L << 20), "the refused frame is drained, not reset");
            final RawGatewaySocket.Ending end = ws.awaitClose();
            assertEquals(4002, end.code(), end.toString());
        }
    }

    @Test
    void aMessageFragmentedPastTheLimitIsClosedWith4002AndDrainedNotReset() throws Exception
    {
        try (RawGatewaySocket ws = hello())
        {
            final byte[] part = new byte[1000];
            java.util.Arrays.fill(part, (byte)' ');
            ws.sendRepeated(RawGatewaySocket.frame(0x1, false, "{\"op\":1,\"d\":null,\"pad\":\"".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)), 1);
            final long total = 16L << 20; // 16 MB of continuations, never finished
            final byte[] continuation = RawGatewaySocket.continuation(part, false);
            final long sent = ws.sendRepeated(continuation, total);
            assertTrue(sent >= total, "the rest of the message is drained, not reset: " + sent);
            final RawGatewaySocket.Ending end = ws.awaitClose();
            assertEquals(4002, end.code(), end.toString());
        }
    }
}
