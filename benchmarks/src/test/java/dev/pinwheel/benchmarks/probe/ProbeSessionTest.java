package dev.pinwheel.benchmarks.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The load client finds the probe id in a frame without parsing it.
 */
class ProbeSessionTest
{
    @Test
    void readsTheProbeIdFromTheContent()
    {
        final byte[] frame = ("{\"t\":\"MESSAGE_CREATE\",\"s\":3,\"op\":0,\"d\":{\"id\":\"9\","
            + "\"content\":\"" + ProbeSession.MARKER + "1234# 5678\"}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(1234, ProbeSession.probeId(frame, 0, frame.length));
        final byte[] other = ("{\"t\":\"MESSAGE_CREATE\",\"s\":3,\"op\":0,\"d\":{\"content\":"
            + "\"fanout-probe-warmup 3\"}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, ProbeSession.probeId(other, 0, other.length));
    }
}
