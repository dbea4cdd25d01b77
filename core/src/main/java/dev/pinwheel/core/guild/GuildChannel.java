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
 * @param overwrites its permission overwrites (never null; shared, never modified: copy to change).
 */
public record GuildChannel(long id, long guildId, int type, String name, int position, String topic, int bitrate,
    int userLimit, long parentId, Overwrite[] overwrites)
{
    private static final Overwrite[] NONE = {};

    /**
     * A channel without permission overwrites.
     *
     * @param id        channel snowflake.
     * @param guildId   guild.
     * @param type      {@link #TEXT}, {@link #VOICE} or {@link #CATEGORY}.
     * @param name      name.
     * @param position  sort position.
     * @param topic     topic or null.
     * @param bitrate   voice bitrate (0 for text).
     * @param userLimit voice user limit (0: none).
     * @param parentId  category (0: none).
     */
    public GuildChannel(final long id, final long guildId, final int type, final String name, final int position,
        final String topic, final int bitrate, final int userLimit, final long parentId)
    {
        this(id, guildId, type, name, position, topic, bitrate, userLimit, parentId, NONE);
    }

    /**
     * @param next the overwrites from now on.
     * @return this channel with them.
     */
    public GuildChannel withOverwrites(final Overwrite[] next)
    {
        return new GuildChannel(id, guildId, type, name, position, topic, bitrate, userLimit, parentId, next);
    }

    /**
     * @param targetId a role or member.
     * @return its overwrite here, or null.
     */
    public Overwrite overwrite(final long targetId)
    {
        for (final Overwrite o : overwrites)
        {
            if (o.id() == targetId)
            {
                return o;
            }
        }
        return null;
    }

    /** Text channel. */
    public static final int TEXT = 0;
    /** Voice channel. */
    public static final int VOICE = 2;
    /** Category. */
    public static final int CATEGORY = 4;
}
