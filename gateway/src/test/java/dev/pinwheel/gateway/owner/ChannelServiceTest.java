package dev.pinwheel.gateway.owner;

import static dev.pinwheel.gateway.owner.OwnerCommands.KEEP;
import static dev.pinwheel.gateway.owner.OwnerFixture.ALICE;
import static dev.pinwheel.gateway.owner.OwnerFixture.BOB;
import static dev.pinwheel.gateway.owner.OwnerFixture.CAROL;
import static dev.pinwheel.gateway.owner.OwnerFixture.GUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.core.guild.GuildChannel;
import dev.pinwheel.gateway.owner.OwnerFixture.Answer;

/**
 * {@link ChannelProxy} to {@link ChannelService} across two shard threads ({@link OwnerFixture}): create, list, read,
 * edit (only the fields given; voice fields on voice channels only), delete (a voice channel is emptied first) and
 * typing, each with its event and Discord's errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelServiceTest
{
    private OwnerFixture fx;

    @BeforeEach
    void start() throws Exception
    {
        fx = new OwnerFixture();
        fx.member(CAROL);
    }

    @AfterEach
    void stop()
    {
        fx.close();
    }

    private long create(final long correlation, final String name, final int type, final long parent)
        throws InterruptedException
    {
        final Answer a = fx.ask(correlation, ChannelProxy::new, p -> p.create(correlation, ALICE, GUILD, name, type,
            null, 0, 0, parent));
        assertEquals(201, a.status(), a.body());
        final JsonNode event = fx.event("CHANNEL_CREATE");
        assertEquals(a.json().path("id").asText(), event.path("id").asText());
        return Long.parseLong(a.json().path("id").asText());
    }

    @Test
    void createdChannelsAreListedReadAndAnnounced() throws Exception
    {
        final long category = create(1, "Talk", GuildChannel.CATEGORY, 0);
        final Answer voice = fx.ask(2, ChannelProxy::new, p -> p.create(2, ALICE, GUILD, "Lounge", GuildChannel.VOICE,
            null, 0, 7, category));
        assertEquals(201, voice.status(), voice.body());
        assertEquals(64000, voice.json().path("bitrate").asInt(), "a voice channel's default bitrate");
        assertEquals(7, voice.json().path("user_limit").asInt());
        assertEquals(Long.toString(category), voice.json().path("parent_id").asText());
        fx.event("CHANNEL_CREATE");

        final Answer list = fx.ask(3, ChannelProxy::new, p -> p.list(3, CAROL, GUILD));
        assertEquals(3, list.json().size(), list.body());
        final Answer one = fx.ask(4, ChannelProxy::new, p -> p.get(4, CAROL, GUILD, category));
        assertEquals("Talk", one.json().path("name").asText());
        assertEquals(10003, fx.ask(5, ChannelProxy::new, p -> p.get(5, CAROL, GUILD, 12345)).code());
        assertEquals(50001, fx.ask(6, ChannelProxy::new, p -> p.list(6, BOB, GUILD)).code());
    }

    @Test
    void creatingNeedsManageChannelsAndACategoryAsParent() throws Exception
    {
        final Answer denied = fx.ask(1, ChannelProxy::new, p -> p.create(1, CAROL, GUILD, "x", GuildChannel.TEXT,
            null, 0, 0, 0));
        assertEquals(403, denied.status());
        assertEquals(50013, denied.code());
        final Answer parent = fx.ask(2, ChannelProxy::new, p -> p.create(2, ALICE, GUILD, "x", GuildChannel.TEXT,
            null, 0, 0, fx.channel));
        assertEquals(400, parent.status());
        assertTrue(parent.json().path("errors").path("parent_id").has("_errors"), parent.body());
        fx.noEvent();
    }

    @Test
    void anEditChangesOnlyWhatItGives() throws Exception
    {
        final long voice = create(1, "Lounge", GuildChannel.VOICE, 0);
        final Answer edited = fx.ask(2, ChannelProxy::new, p -> p.edit(2, ALICE, GUILD, voice, "Hall", null, KEEP,
            96000, 5, KEEP));
        assertEquals(200, edited.status(), edited.body());
        final JsonNode c = edited.json();
        assertEquals("Hall", c.path("name").asText());
        assertEquals(96000, c.path("bitrate").asInt());
        assertEquals(5, c.path("user_limit").asInt());
        assertEquals(fx.event("CHANNEL_UPDATE"), c);
        final Answer kept = fx.ask(3, ChannelProxy::new, p -> p.edit(3, ALICE, GUILD, voice, null, null, 4, KEEP, KEEP,
            KEEP));
        assertEquals("Hall", kept.json().path("name").asText());
        assertEquals(4, kept.json().path("position").asInt());
        assertEquals(96000, kept.json().path("bitrate").asInt());
        fx.event("CHANNEL_UPDATE");

        final Answer topic = fx.ask(4, ChannelProxy::new, p -> p.edit(4, ALICE, GUILD, fx.channel, null, "a topic",
            KEEP, 96000, 5, KEEP));
        assertEquals("a topic", topic.json().path("topic").asText(), topic.body());
        fx.event("CHANNEL_UPDATE");
        final GuildChannel[] text = new GuildChannel[1];
        fx.onShard(fx.owner, s -> text[0] = s.guilds().get(GUILD).channel(fx.channel));
        assertEquals(0, text[0].bitrate(), "voice fields change voice channels only");
        assertEquals(0, text[0].userLimit());
        final Answer cleared = fx.ask(5, ChannelProxy::new, p -> p.edit(5, ALICE, GUILD, fx.channel, null, "", KEEP,
            KEEP, KEEP, KEEP));
        assertTrue(cleared.json().path("topic").isNull(), "an empty topic clears it: " + cleared.body());
        fx.event("CHANNEL_UPDATE");

        final Answer notCategory = fx.ask(6, ChannelProxy::new, p -> p.edit(6, ALICE, GUILD, fx.channel, null, null,
            KEEP, KEEP, KEEP, voice));
        assertEquals(50035, notCategory.code());
        final Answer denied = fx.ask(7, ChannelProxy::new, p -> p.edit(7, CAROL, GUILD, fx.channel, "mine", null,
            KEEP, KEEP, KEEP, KEEP));
        assertEquals(50013, denied.code());
        fx.noEvent();
    }

    @Test
    void aDeletedVoiceChannelIsEmptiedFirst() throws Exception
    {
        final long voice = create(1, "Lounge", GuildChannel.VOICE, 0);
        final Answer deleted = fx.ask(2, ChannelProxy::new, p -> p.delete(2, ALICE, GUILD, voice));
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals(Long.toString(voice), deleted.json().path("id").asText());
        assertEquals("empty " + voice, fx.voice.changes.poll(10, TimeUnit.SECONDS));
        fx.event("CHANNEL_DELETE");
        assertEquals(10003, fx.ask(3, ChannelProxy::new, p -> p.get(3, ALICE, GUILD, voice)).code());
        assertEquals(50013, fx.ask(4, ChannelProxy::new, p -> p.delete(4, CAROL, GUILD, fx.channel)).code());
    }

    @Test
    void typingIsAnswered204AndAnnouncedWithTheMember() throws Exception
    {
        final Answer typing = fx.ask(1, ChannelProxy::new, p -> p.typing(1, CAROL, GUILD, fx.channel));
        assertEquals(204, typing.status());
        final JsonNode event = fx.event("TYPING_START");
        assertEquals(Long.toString(CAROL), event.path("user_id").asText());
        assertEquals("Carol", event.path("member").path("user").path("username").asText());
        assertEquals(50001, fx.ask(2, ChannelProxy::new, p -> p.typing(2, BOB, GUILD, fx.channel)).code());
        assertEquals(0, fx.stores[fx.owner].stateRecords.size() - 4, "typing journals nothing");
    }
}
