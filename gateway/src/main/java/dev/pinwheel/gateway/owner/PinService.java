package dev.pinwheel.gateway.owner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.command.CommandReader;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.Permissions;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.shard.Shard;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.DiscordError;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Intents;

/**
 * The pinned messages of the guild channels a shard owns: pin, unpin (MANAGE_MESSAGES; at most
 * {@value #MAX_PINS} per channel) and list. A pin is a new version of the message with the pinned flag, journaled;
 * once durable the caller gets 204 and the guild MESSAGE_UPDATE (encoded by {@link MessageService#encode}) and
 * CHANNEL_PINS_UPDATE. Reads its commands in the order {@link PinProxy} wrote them. Owner shard only.
 */
public final class PinService
{
    /** Most pinned messages per channel (Discord's limit). */
    public static final int MAX_PINS = 250;

    private final Accounts accounts;
    private final MessageService messages;

    /**
     * @param accounts the node's accounts (authors in message bodies).
     * @param messages encodes the new version of a pinned message.
     */
    public PinService(final Accounts accounts, final MessageService messages)
    {
        this.accounts = accounts;
        this.messages = messages;
    }

    /**
     * {@link OwnerCommands#PIN_ADD} ({@code pin} true) and {@link OwnerCommands#PIN_REMOVE}: guild, channel, message.
     * Pinning a pinned message (or unpinning one that is not) changes nothing and is 204.
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param pin     true to pin, false to unpin.
     * @param reply   the answer.
     */
    public void pin(final Shard owner, final CommandReader command, final boolean pin, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final long messageId = command.getLong();

        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL | Permissions.MANAGE_MESSAGES,
            reply) == null)
        {
            return;
        }
        final Guild g = owner.guilds().get(guildId);
        final StoredMessage m = owner.store().message(channelId, messageId);
        if (m == null)
        {
            reply.error(DiscordError.UNKNOWN_MESSAGE);
            return;
        }
        if (pin && !m.pinned() && owner.store().pinned(channelId).size() >= MAX_PINS)
        {
            reply.error(DiscordError.MAX_PINS);
            return;
        }
        if (m.pinned() == pin)
        {
            reply.ok(204, (byte[])null);
            return;
        }
        final StoredMessage changed = m.withPinned(pin);
        owner.store().appendMessage(changed);
        final Dispatch update = messages.encode(g, changed, null, "MESSAGE_UPDATE", null).event();
        final ObjectNode pins = Json.object();
        pins.put("guild_id", Json.id(guildId));
        pins.put("channel_id", Json.id(channelId));
        pins.put("last_pin_timestamp", Json.timestamp(System.currentTimeMillis()));
        final Dispatch pinsUpdate = new Dispatch("CHANNEL_PINS_UPDATE", Json.bytes(pins), null, Intents.GUILDS,
            guildId, 0, 0);
        owner.afterCommit(() ->
        {
            reply.ok(204, (byte[])null);
            ChannelEvents.publish(owner, g, channelId, update);
            ChannelEvents.publish(owner, g, channelId, pinsUpdate);
        });
    }

    /**
     * {@link OwnerCommands#PIN_LIST}: guild, channel, items shape. The channel's pinned messages, most recently
     * pinned first (VIEW_CHANNEL, READ_MESSAGE_HISTORY).
     *
     * @param owner   this shard.
     * @param command the command, after its header.
     * @param reply   the answer.
     */
    public void list(final Shard owner, final CommandReader command, final Reply reply)
    {
        final long guildId = command.getLong();
        final long channelId = command.getLong();
        final boolean itemsShape = command.getBoolean();

        if (GuildAccess.channelWith(owner, guildId, channelId, Permissions.VIEW_CHANNEL
            | Permissions.READ_MESSAGE_HISTORY, reply) == null)
        {
            return;
        }
        final ArrayNode arr = Json.array();
        for (final StoredMessage m : owner.store().pinned(channelId))
        {
            final ObjectNode message = Entities.message(m, accounts, null);
            if (itemsShape)
            {
                // the store keeps no pin time: the message's last change stands in for it
                final long at = m.editedTimestampMillis() != 0 ? m.editedTimestampMillis()
                    : SnowflakeIds.timestampMillis(m.id());
                arr.addObject().put("pinned_at", Json.timestamp(at)).set("message", message);
            }
            else
            {
                arr.add(message);
            }
        }
        if (itemsShape)
        {
            final ObjectNode o = Json.object();
            o.set("items", arr);
            o.put("has_more", false);
            reply.ok(200, o);
        }
        else
        {
            reply.ok(200, arr);
        }
    }
}
