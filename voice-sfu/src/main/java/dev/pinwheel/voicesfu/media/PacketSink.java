package dev.pinwheel.voicesfu.media;

/**
 * Where the forward path puts a re-encrypted packet: a socket in production, a counter in benchmarks.
 */
@FunctionalInterface
public interface PacketSink
{
    /**
     * @param buf the packet (valid only during the call).
     * @param len its length.
     * @param to  the receiver.
     * @return false if the packet could not be sent (counted as SEND_FAILED).
     */
    boolean send(byte[] buf, int len, VoiceMember to);
}
