package dev.pinwheel.voicesfu.signal;

/** Discord voice gateway close codes. */
public final class VoiceCloseCodes
{
    public static final int UNKNOWN_OPCODE = 4001;
    public static final int DECODE_ERROR = 4002;
    public static final int NOT_AUTHENTICATED = 4003;
    public static final int AUTHENTICATION_FAILED = 4004;
    public static final int ALREADY_AUTHENTICATED = 4005;
    public static final int SESSION_NO_LONGER_VALID = 4006;
    /**
     * Not among Discord's documented voice close codes: the main gateway's "rate limited", for a client that sends
     * more payloads than {@code pinwheel.voice.inbound-payloads-per-minute}.
     */
    public static final int RATE_LIMITED = 4008;
    public static final int SESSION_TIMEOUT = 4009;
    public static final int SERVER_NOT_FOUND = 4011;
    public static final int UNKNOWN_PROTOCOL = 4012;
    public static final int DISCONNECTED = 4014;
    public static final int SERVER_CRASHED = 4015;
    public static final int UNKNOWN_ENCRYPTION_MODE = 4016;

    private VoiceCloseCodes()
    {
    }
}
