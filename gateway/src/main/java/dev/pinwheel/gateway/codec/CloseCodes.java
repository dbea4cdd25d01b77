package dev.pinwheel.gateway.codec;

/**
 * Discord gateway close codes and whether a client may RESUME after each.
 */
public final class CloseCodes
{
    public static final int UNKNOWN_ERROR = 4000;
    public static final int UNKNOWN_OPCODE = 4001;
    public static final int DECODE_ERROR = 4002;
    public static final int NOT_AUTHENTICATED = 4003;
    public static final int AUTHENTICATION_FAILED = 4004;
    public static final int ALREADY_AUTHENTICATED = 4005;
    public static final int INVALID_SEQ = 4007;
    public static final int RATE_LIMITED = 4008;
    public static final int SESSION_TIMED_OUT = 4009;
    public static final int INVALID_SHARD = 4010;
    public static final int SHARDING_REQUIRED = 4011;
    public static final int INVALID_API_VERSION = 4012;
    public static final int INVALID_INTENTS = 4013;
    public static final int DISALLOWED_INTENTS = 4014;

    private CloseCodes()
    {
    }

    /**
     * @param code a close code we sent.
     * @return whether the session stays resumable after it.
     */
    public static boolean resumable(final int code)
    {
        return code == UNKNOWN_ERROR || code == UNKNOWN_OPCODE || code == DECODE_ERROR
            || code == NOT_AUTHENTICATED || code == ALREADY_AUTHENTICATED || code == RATE_LIMITED;
    }
}
