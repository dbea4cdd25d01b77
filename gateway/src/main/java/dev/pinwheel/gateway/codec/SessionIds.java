package dev.pinwheel.gateway.codec;

import java.util.HexFormat;

/**
 * A shard's session ids: 32 lower-case hex digits (16 random bytes, the first replaced by the shard's index), kept as
 * two {@code long}s wherever a session lives for long — the string, built when a client or a log needs it, takes 72 B
 * more per session (issue 14).
 */
public final class SessionIds
{
    /** Digits in a shard's session id. */
    public static final int LENGTH = 32;

    private SessionIds()
    {
    }

    /**
     * @param id a session id, from a client or a command.
     * @return whether it has a shard's form (32 lower-case hex digits), so {@link #high} and {@link #low} read it.
     */
    public static boolean isShardId(final String id)
    {
        if (id.length() != LENGTH)
        {
            return false;
        }
        for (int i = 0; i < LENGTH; i++)
        {
            final char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param id a session id of a shard's form.
     * @return its first 16 digits.
     */
    public static long high(final String id)
    {
        return HexFormat.fromHexDigitsToLong(id, 0, LENGTH / 2);
    }

    /**
     * @param id a session id of a shard's form.
     * @return its last 16 digits.
     */
    public static long low(final String id)
    {
        return HexFormat.fromHexDigitsToLong(id, LENGTH / 2, LENGTH);
    }

    /**
     * @param high its first 16 digits.
     * @param low  its last 16 digits.
     * @return the session id.
     */
    public static String format(final long high, final long low)
    {
        final HexFormat hex = HexFormat.of();
        return hex.toHexDigits(high) + hex.toHexDigits(low);
    }
}
