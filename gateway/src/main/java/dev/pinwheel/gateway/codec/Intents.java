package dev.pinwheel.gateway.codec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Gateway intents Pinwheel filters by (Discord bit values).
 */
public final class Intents
{
    public static final int GUILDS = 1;
    public static final int GUILD_MEMBERS = 1 << 1;
    public static final int GUILD_MODERATION = 1 << 2;
    public static final int GUILD_INVITES = 1 << 6;
    public static final int GUILD_VOICE_STATES = 1 << 7;
    public static final int GUILD_PRESENCES = 1 << 8;
    public static final int GUILD_MESSAGES = 1 << 9;
    public static final int GUILD_MESSAGE_REACTIONS = 1 << 10;
    public static final int GUILD_MESSAGE_TYPING = 1 << 11;
    public static final int DIRECT_MESSAGES = 1 << 12;
    public static final int MESSAGE_CONTENT = 1 << 15;
    /** Privileged intents (must be allowed by configuration). */
    public static final int PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;
    /** Every intent bit Discord defines up to now (bits 0..25). */
    public static final int ALL_KNOWN = (1 << 26) - 1;

    private Intents()
    {
    }

    /**
     * An identify's {@code intents}: a JSON integer, or a string of its decimal digits (Discord takes both, as it
     * takes every bit set of its API; Kord sends a string).
     *
     * @param node the field, or null when absent.
     * @return the bits, or -1 when absent, not an integer, negative or naming a bit Discord does not define.
     */
    public static long parse(final JsonNode node)
    {
        long bits = -1;
        if (node != null && node.isIntegralNumber() && node.canConvertToLong())
        {
            bits = node.asLong();
        }
        else if (node != null && node.isTextual())
        {
            bits = digits(node.textValue());
        }
        return bits < 0 || (bits & ~(long)ALL_KNOWN) != 0 ? -1 : bits;
    }

    private static long digits(final String text)
    {
        if (text.isEmpty() || text.length() > 18)
        {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char ch = text.charAt(i);
            if (ch < '0' || ch > '9')
            {
                return -1;
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }
}
