package dev.pinwheel.gateway.owner;

import dev.pinwheel.core.command.CommandWriter;
import dev.pinwheel.core.shard.ShardGroup;

/**
 * Sends webhook operations to the guild's owner as typed commands, read back in the same order by
 * {@link WebhookService}. Static: the commands go out through {@link ShardGroup#send} from a shard (the route) or from
 * the file store's thread (an execute with files), with the request's origin shard and correlation in the header.
 * A {@code token} of null means "authorized by the user's MANAGE_WEBHOOKS"; otherwise the webhook's token.
 */
public final class WebhookProxy
{
    /** {@link OwnerCommands#WEBHOOK_MESSAGE} operations. */
    public static final int GET = 0;
    public static final int EDIT = 1;
    public static final int DELETE = 2;

    private WebhookProxy()
    {
    }

    private static CommandWriter start(final int origin, final int type, final long correlation, final long userId,
        final String reason, final long guildId)
    {
        return OwnerCommands.request(origin, type, correlation, userId, reason).putLong(guildId);
    }

    /**
     * @return false if the owner's inbox is full (the caller answers 503).
     */
    public static boolean create(final ShardGroup group, final int origin, final long correlation, final long userId,
        final String reason, final long guildId, final long channelId, final long webhookId, final String name,
        final String avatar, final String tokenHash, final String token)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_CREATE, correlation, userId,
            reason, guildId).putLong(channelId).putLong(webhookId).putString(name).putString(avatar)
            .putString(tokenHash).putString(token));
    }

    /**
     * @param channelId the channel, or 0 for the whole guild.
     * @return false if the owner's inbox is full.
     */
    public static boolean list(final ShardGroup group, final int origin, final long correlation, final long userId,
        final long guildId, final long channelId)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_LIST, correlation, userId,
            null, guildId).putLong(channelId));
    }

    /**
     * @return false if the owner's inbox is full.
     */
    public static boolean get(final ShardGroup group, final int origin, final long correlation, final long userId,
        final long guildId, final long webhookId, final String token)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_GET, correlation, userId,
            null, guildId).putLong(webhookId).putString(token));
    }

    /**
     * @param name      a new name, or null to keep it.
     * @param avatar    a new avatar hash ("" clears it), or null to keep it.
     * @param channelId a new channel (by a manager only), or 0 to keep it.
     * @return false if the owner's inbox is full.
     */
    public static boolean edit(final ShardGroup group, final int origin, final long correlation, final long userId,
        final String reason, final long guildId, final long webhookId, final String token, final String name,
        final String avatar, final long channelId)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_EDIT, correlation, userId,
            reason, guildId).putLong(webhookId).putString(token).putString(name).putString(avatar)
            .putLong(channelId));
    }

    /**
     * @return false if the owner's inbox is full.
     */
    public static boolean delete(final ShardGroup group, final int origin, final long correlation, final long userId,
        final String reason, final long guildId, final long webhookId, final String token)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_DELETE, correlation, userId,
            reason, guildId).putLong(webhookId).putString(token));
    }

    /**
     * @param username        the author name to show instead of the webhook's, or null.
     * @param embedsJson      validated embeds, or null.
     * @param attachmentsJson attachment objects of files already durable, or null.
     * @param wait            whether the request waits for the message (200 with it) or not (204).
     * @return false if the owner's inbox is full.
     */
    public static boolean execute(final ShardGroup group, final int origin, final long correlation,
        final long guildId, final long webhookId, final String token, final String content, final String username,
        final String embedsJson, final String attachmentsJson, final boolean tts, final boolean wait)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_EXECUTE, correlation, -1,
            null, guildId).putLong(webhookId).putString(token).putString(content).putString(username)
            .putString(embedsJson).putString(attachmentsJson).putBoolean(tts).putBoolean(wait));
    }

    /**
     * @param op          {@link #GET}, {@link #EDIT} or {@link #DELETE}.
     * @param content     an edit's new text, or null to keep it.
     * @param embedsJson  an edit's new embeds, or null to keep them.
     * @param attachments an edit's attachment list ({@code {"keep":…,"add":…}}), or null to keep them.
     * @return false if the owner's inbox is full.
     */
    public static boolean message(final ShardGroup group, final int origin, final long correlation,
        final long guildId, final long webhookId, final String token, final int op, final long messageId,
        final String content, final String embedsJson, final String attachments)
    {
        return group.send(group.ownerOf(guildId), start(origin, OwnerCommands.WEBHOOK_MESSAGE, correlation, -1,
            null, guildId).putLong(webhookId).putString(token).putInt(op).putLong(messageId).putString(content)
            .putString(embedsJson).putString(attachments));
    }
}
