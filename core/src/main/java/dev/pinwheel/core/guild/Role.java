package dev.pinwheel.core.guild;

/**
 * A guild role. The @everyone role has the guild's id.
 *
 * @param id          role snowflake.
 * @param name        name.
 * @param permissions permission bits.
 * @param position    sort position (0 = @everyone).
 * @param color       RGB colour.
 */
public record Role(long id, String name, long permissions, int position, int color)
{
}
