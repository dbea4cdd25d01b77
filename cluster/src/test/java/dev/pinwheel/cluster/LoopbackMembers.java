package dev.pinwheel.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

/** Members of a test cluster in one JVM: each on 127.0.0.1 at a UDP port free when asked. */
final class LoopbackMembers
{
    private LoopbackMembers()
    {
    }

    /**
     * @param count members.
     * @return their list.
     * @throws IOException if no free port can be had.
     */
    static ClusterMembers free(final int count) throws IOException
    {
        final StringBuilder spec = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                spec.append(i == 0 ? "" : ",").append("127.0.0.1:").append(s.getLocalPort());
            }
        }
        return ClusterMembers.parse(spec.toString());
    }
}
