package dev.pinwheel.core.guild;

/**
 * A guild role. The @everyone role has the guild's id.
 *
 * @param id          role snowflake.
 * @param name        name.
 * @param permissions permission bits.
 * @param position    sort position (0 = @everyone).
 * @param color       RGB colour.
 * @param botId       the bot this role belongs to (Discord's {@code managed: true}, {@code tags.bot_id}): made when
 *                    the bot was added to the guild, never deleted, given or taken by hand, gone when the bot leaves;
 *                    0 for a role people manage.
 */
public record Role(long id, String name, long permissions, int position, int color, long botId)
{
    /**
     * A role people manage.
     */
    public Role(final long id, final String name, final long permissions, final int position, final int color)
    {
        this(id, name, permissions, position, color, 0);
    }

    /**
     * @return whether the role belongs to a bot (Discord's {@code managed}).
     */
    public boolean managed()
    {
        return botId != 0;
    }

    /**
     * @param value the new position.
     * @return this role at another position (everything else kept, its bot too).
     */
    public Role withPosition(final int value)
    {
        return new Role(id, name, permissions, value, color, botId);
    }
}
