package dev.pinwheel.benchmarks.fanout;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pinwheel.core.directory.Account;
import dev.pinwheel.core.directory.Accounts;
import dev.pinwheel.core.fanout.Dispatch;
import dev.pinwheel.core.guild.Member;
import dev.pinwheel.core.ids.SnowflakeIds;
import dev.pinwheel.core.store.StoredMessage;
import dev.pinwheel.gateway.codec.Entities;
import dev.pinwheel.gateway.codec.Json;
import dev.pinwheel.gateway.codec.Intents;

/**
 * A MESSAGE_CREATE with the bytes the server's {@code owner.MessageService} sends (the gateway's own entity
 * encoder, {@code guild_id} and {@code member} added, a redacted copy for sessions without MESSAGE_CONTENT; the
 * service writes plain messages with {@code codec.MessageJson}, byte for byte the same), so benchmarks frame
 * realistic bytes (about 700 B).
 */
public final class MessageCreateSample
{
    /** Intents of a bot that reads messages: GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT. */
    public static final int READER_INTENTS = Intents.GUILDS | Intents.GUILD_MESSAGES | Intents.MESSAGE_CONTENT;

    private final ObjectNode body;
    private final Dispatch dispatch;

    private MessageCreateSample(final ObjectNode body, final Dispatch dispatch)
    {
        this.body = body;
        this.dispatch = dispatch;
    }

    /**
     * @param guildId guild of the event.
     * @param content message text.
     * @return the sample.
     */
    public static MessageCreateSample of(final long guildId, final String content)
    {
        final SnowflakeIds ids = new SnowflakeIds(0, 0);
        final long authorId = ids.next();
        final long channelId = ids.next();
        final Accounts accounts = new Accounts();
        accounts.put(new Account(authorId, "fanout-bench-poster", "x", true));
        final StoredMessage m = new StoredMessage(ids.next(), channelId, guildId, authorId, content, 0, 0, false,
            false);
        final ObjectNode body = Entities.message(m, accounts, null);
        body.put("guild_id", Json.id(guildId));
        body.set("member", Entities.member(new Member(authorId, System.currentTimeMillis(), new long[0], null),
            accounts, false));
        final byte[] full = Json.bytes(body);
        final ObjectNode redactedBody = body.deepCopy();
        redactedBody.put("content", "");
        final byte[] redacted = Json.bytes(redactedBody);
        return new MessageCreateSample(body, new Dispatch("MESSAGE_CREATE", full, redacted, Intents.GUILD_MESSAGES,
            guildId, authorId, 0));
    }

    /**
     * @return the event's {@code d} as an object tree (what a naive server serializes per recipient).
     */
    public ObjectNode body()
    {
        return body;
    }

    /**
     * @return the event encoded once, as the owner shard publishes it.
     */
    public Dispatch dispatch()
    {
        return dispatch;
    }
}
