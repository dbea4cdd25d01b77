package dev.pinwheel.gateway.codec;

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
}
