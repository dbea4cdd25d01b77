package dev.pinwheel.core.guild;

import java.util.Collection;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The guilds one shard owns (and the read states of the users it owns). Shard-confined.
 */
public final class GuildTable
{
    private final Long2ObjectHashMap<Guild> guilds = new Long2ObjectHashMap<>();
    private final ReadStates readStates = new ReadStates();
    private final AttachmentBindings attachments = new AttachmentBindings();

    /**
     * @return which message each attachment of this shard's guilds belongs to.
     */
    public AttachmentBindings attachments()
    {
        return attachments;
    }

    /**
     * @return the read states of the users this shard owns.
     */
    public ReadStates readStates()
    {
        return readStates;
    }

    /**
     * @param guild a guild this shard now owns.
     */
    public void put(final Guild guild)
    {
        guilds.put(guild.id(), guild);
    }

    /**
     * @param id a deleted guild.
     * @return the guild it was, or null.
     */
    public Guild remove(final long id)
    {
        return guilds.remove(id);
    }

    /**
     * @param id guild id.
     * @return the guild or null.
     */
    public Guild get(final long id)
    {
        return guilds.get(id);
    }

    /**
     * @return owned guilds.
     */
    public Collection<Guild> all()
    {
        return guilds.values();
    }

    /**
     * @return number of owned guilds.
     */
    public int size()
    {
        return guilds.size();
    }
}
