package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.directory.Invite;
import dev.pinwheel.core.guild.Guild;
import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.core.guild.Role;
import dev.pinwheel.core.guild.Webhook;
import dev.pinwheel.core.state.StateRecords;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * Discord's limits on what a guild holds, on the owner: the guild filled up to one below each limit through its state
 * records, then one more made through the service succeeds and the next is refused with Discord's code and nothing
 * written — channels (500, 30013), roles besides {@code @everyone} (250, 30005), webhooks of a channel (15, 30007)
 * and of the guild (1,000, 30058), invites (1,000, 30016; expired ones are deleted to make room, with an
 * INVITE_DELETE each).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuildLimitsTest
{
    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    /** The owner's state records, counted on the owner after what it is doing now (an answer may come first). */
    private int records() throws InterruptedException
    {
        final int[] n = new int[1];
        fx.onShard(fx.owner, s -> n[0] = fx.stores[fx.owner].stateRecords.size());
        return n[0];
    }

    @Test
    void channels() throws Exception
    {
        final int[] count = new int[1];
        fx.onShard(fx.owner, s -> count[0] = s.guilds().get(GUILD).channelCount());
        for (int i = count[0]; i < Guild.MAX_CHANNELS - 1; i++)
        {
            fx.commit(StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(new GuildChannel(5_000 + i, GUILD,
                GuildChannel.TEXT, "c" + i, i, null, 0, 0, 0)));
        }
        assertEquals(201, create(1).status(), "the 500th");
        fx.event("CHANNEL_CREATE");
        final int before = records();
        final Answer refused = create(2);
        assertEquals(400, refused.status());
        assertEquals(30013, refused.code());
        assertEquals("Maximum number of guild channels reached (500)", refused.json().path("message").asText());
        assertEquals(before, records(), "nothing written");
        fx.noEvent();
    }

    private Answer create(final long correlation) throws InterruptedException
    {
        return fx.ask(correlation, ChannelProxy::new, p -> p.create(correlation, ALICE, GUILD, "one-more",
            GuildChannel.TEXT, null, 0, 0, 0));
    }

    @Test
    void roles() throws Exception
    {
        final int[] count = new int[1];
        fx.onShard(fx.owner, s -> count[0] = s.guilds().get(GUILD).roles().size() - 1);
        for (int i = count[0]; i < Guild.MAX_ROLES - 1; i++)
        {
            fx.commit(StateRecords.ROLE_PUT, StateRecords.rolePut(GUILD, new Role(9_000 + i, "r" + i, 0, i + 1, 0)));
        }
        final Answer last = fx.ask(1, RoleProxy::new, p -> p.create(1, ALICE, GUILD, "the 250th", 0, 0));
        assertEquals(200, last.status(), last.body());
        final int before = records();
        final Answer refused = fx.ask(2, RoleProxy::new, p -> p.create(2, ALICE, GUILD, "one more", 0, 0));
        assertEquals(400, refused.status());
        assertEquals(30005, refused.code());
        assertEquals(before, records(), "nothing written");
    }

    @Test
    void webhooksOfAChannel() throws Exception
    {
        for (int i = 0; i < Guild.MAX_CHANNEL_WEBHOOKS - 1; i++)
        {
            fx.commit(StateRecords.WEBHOOK_PUT, StateRecords.webhookPut(new Webhook(7_000 + i, GUILD, fx.channel,
                "w" + i, null, "hash", ALICE)));
        }
        assertEquals(200, webhook(1, 7_100).status(), "the 15th");
        final int before = records();
        final Answer refused = webhook(2, 7_101);
        assertEquals(400, refused.status());
        assertEquals(30007, refused.code());
        assertEquals(before, records(), "nothing written");
    }

    @Test
    void webhooksOfAGuild() throws Exception
    {
        long id = 20_000;
        for (int c = 0; c < Guild.MAX_WEBHOOKS / Guild.MAX_CHANNEL_WEBHOOKS + 1; c++)
        {
            final long channel = 6_000 + c;
            fx.commit(StateRecords.CHANNEL_CREATED, StateRecords.channelCreated(new GuildChannel(channel, GUILD,
                GuildChannel.TEXT, "c" + c, c + 1, null, 0, 0, 0)));
            for (int i = 0; i < Guild.MAX_CHANNEL_WEBHOOKS && id < 20_000 + Guild.MAX_WEBHOOKS; i++)
            {
                fx.commit(StateRecords.WEBHOOK_PUT, StateRecords.webhookPut(new Webhook(id++, GUILD, channel, "w",
                    null, "hash", ALICE)));
            }
        }
        final int before = records();
        final Answer refused = webhook(1, 30_000);
        assertEquals(400, refused.status());
        assertEquals(30058, refused.code(), "the channel has none, the guild 1,000");
        assertEquals(before, records(), "nothing written");
    }

    private Answer webhook(final long correlation, final long id) throws InterruptedException
    {
        return fx.ask(correlation, s -> s, s -> WebhookProxy.create(fx.group, fx.origin, correlation, ALICE, null,
            GUILD, fx.channel, id, "hook", null, "hash", "token"));
    }

    @Test
    void invitesWithExpiredOnesDeletedToMakeRoom() throws Exception
    {
        final long now = System.currentTimeMillis();
        for (int i = 0; i < Guild.MAX_INVITES; i++)
        {
            // the first three expired a while ago (max age 1 s), the rest never expire
            fx.commit(StateRecords.INVITE_CREATED, StateRecords.inviteCreated(new Invite("code" + i, GUILD,
                fx.channel, ALICE, now - 60_000, i < 3 ? 1 : 0, 0, false)));
        }
        for (int i = 0; i < 3; i++)
        {
            final Answer made = invite(1 + i);
            assertEquals(200, made.status(), made.body());
        }
        assertEquals(Guild.MAX_INVITES, fx.node.directory().inviteCount(GUILD));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(null, fx.node.directory().invite("code" + i), "the expired ones are gone");
        }
        final int before = records();
        final Answer refused = invite(4);
        assertEquals(400, refused.status());
        assertEquals(30016, refused.code());
        assertEquals(before, records(), "nothing written");
    }

    private Answer invite(final long correlation) throws InterruptedException
    {
        return fx.ask(correlation, InviteProxy::new, p -> p.create(correlation, ALICE, GUILD, fx.channel, 0, 0, false,
            null));
    }
}
