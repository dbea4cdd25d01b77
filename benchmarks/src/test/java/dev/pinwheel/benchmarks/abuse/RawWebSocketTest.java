package dev.pinwheel.benchmarks.abuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The attackers' frames are valid RFC 6455 client frames (masked, with the three length encodings), so that what the
 * node refuses is the attack, not a malformed frame.
 */
class RawWebSocketTest
{
    @Test
    void encodesMaskedFramesWithEachLengthForm()
    {
        check(5, 2, 0x85);
        check(200, 4, 0x80 | 126);
        check(70_000, 10, 0x80 | 127);
        final byte[] f = RawWebSocket.frame(false, RawWebSocket.CONTINUATION, new byte[3], 0, 3);
        assertEquals(0x00, f[0] & 0xff, "no FIN, continuation");
    }

    @Test
    void readsCloseCodes()
    {
        assertEquals(4008, new RawWebSocket.Frame(RawWebSocket.CLOSE, true, new byte[] {0x0f, (byte)0xa8}).closeCode());
        assertEquals(1005, new RawWebSocket.Frame(RawWebSocket.CLOSE, true, new byte[0]).closeCode());
        assertEquals(-1, new RawWebSocket.Frame(RawWebSocket.TEXT, true, new byte[] {0x0f, (byte)0xa2}).closeCode());
    }

    private static void check(final int length, final int headerBeforeKey, final int secondByte)
    {
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 31);
        }
        final byte[] f = RawWebSocket.frame(true, RawWebSocket.TEXT, payload, 0, length);
        assertEquals(0x81, f[0] & 0xff, "FIN + text");
        assertEquals(secondByte, f[1] & 0xff, "mask bit + length form");
        long declared = length < 126 ? f[1] & 0x7f : 0;
        for (int i = 2; i < headerBeforeKey; i++)
        {
            declared = declared << 8 | f[i] & 0xff;
        }
        assertEquals(length, declared);
        assertEquals(headerBeforeKey + 4 + length, f.length);
        final byte[] key = Arrays.copyOfRange(f, headerBeforeKey, headerBeforeKey + 4);
        final byte[] unmasked = new byte[length];
        for (int i = 0; i < length; i++)
        {
            unmasked[i] = (byte)(f[headerBeforeKey + 4 + i] ^ key[i & 3]);
        }
        assertArrayEquals(payload, unmasked);
    }
}
