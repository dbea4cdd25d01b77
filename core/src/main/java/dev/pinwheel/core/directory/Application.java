package dev.pinwheel.core.directory;

/**
 * An application a person created: it owns a bot user whose id is the application's id (as on Discord for
 * applications made since 2019) and whose token the owner may reset.
 *
 * @param id          the application, and its bot user.
 * @param ownerId     the person who created it.
 * @param name        its name.
 * @param description its description ("" when none).
 */
public record Application(long id, long ownerId, String name, String description)
{
}
