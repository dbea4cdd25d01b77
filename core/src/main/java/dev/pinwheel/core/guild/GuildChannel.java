package dev.pinwheel.core.guild;

/**
 * A channel of a guild.
 *
 * @param id       channel snowflake.
 * @param guildId  guild snowflake.
 * @param type     Discord channel type (0 text, 2 voice, 4 category).
 * @param name     name.
 * @param position sort position.
 * @param topic    topic or null.
 * @param bitrate  voice bitrate (0 for text).
 * @param userLimit voice user limit (0 = none).
 * @param parentId category id or 0.
 */
public record GuildChannel(long id, long guildId, int type, String name, int position, String topic, int bitrate,
    int userLimit, long parentId)
{
    /** Text channel. */
    public static final int TEXT = 0;
    /** Voice channel. */
    public static final int VOICE = 2;
    /** Category. */
    public static final int CATEGORY = 4;
}
