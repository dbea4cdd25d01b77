package dev.pinwheel.server.jda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.pinwheel.server.TestNode;

/**
 * Unmodified JDA as an interactions bot: it registers a guild slash command ({@code updateCommands()}), a person
 * invokes it ({@code POST /interactions}, as Discord's client does), JDA's {@code onSlashCommandInteraction} reads the
 * option and member and replies; a second JDA session (a watcher bot in the guild) receives the reply as a message
 * from the bot whose interaction metadata names the invoker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdaInteractionsTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aJdaSlashCommandHandlerReplies() throws Exception
    {
        try (TestNode node = new TestNode(2))
        {
            final TestNode.User person = node.register("jdai-person", false);
            final TestNode.User bot = node.register("jdai-bot");
            final TestNode.User watcher = node.register("jdai-watcher");
            final JsonNode g = node.createGuild(person, "jda-interactions");
            final String channel = g.path("channels").get(0).path("id").asText();
            node.join(person, channel, bot);
            node.join(person, channel, watcher);

            final CompletableFuture<String> handled = new CompletableFuture<>();
            final CompletableFuture<Message> seen = new CompletableFuture<>();
            JDA botJda = null;
            JDA watcherJda = null;
            try
            {
                botJda = JdaBots.start(bot.token(), node.restBase(), node.gatewayUrl(), new ListenerAdapter()
                {
                    @Override
                    public void onSlashCommandInteraction(final SlashCommandInteractionEvent event)
                    {
                        try
                        {
                            final int n = event.getOption("n").getAsInt();
                            handled.complete(event.getMember().getUser().getName() + " " + n);
                            event.reply("pong " + n).queue(ok -> { }, handled::completeExceptionally);
                        }
                        catch (final RuntimeException e)
                        {
                            handled.completeExceptionally(e);
                        }
                    }
                });
                watcherJda = JdaBots.start(watcher.token(), node.restBase(), node.gatewayUrl(), new ListenerAdapter()
                {
                    @Override
                    public void onMessageReceived(final MessageReceivedEvent event)
                    {
                        if (event.getMessage().getContentRaw().startsWith("pong"))
                        {
                            seen.complete(event.getMessage());
                        }
                    }
                });
                final Guild guild = botJda.getGuildById(g.path("id").asText());
                final Command ping = guild.updateCommands().addCommands(Commands.slash("ping", "Ping")
                    .addOption(OptionType.INTEGER, "n", "a number", true)).complete().get(0);

                final HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(node.restBase() + "interactions")).timeout(Duration.ofSeconds(20))
                    .header("Authorization", person.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":2,\"application_id\":\"" + bot.id()
                        + "\",\"guild_id\":\"" + guild.getId() + "\",\"channel_id\":\"" + channel
                        + "\",\"session_id\":\"web\",\"nonce\":\"jda-1\",\"data\":{\"id\":\"" + ping.getId()
                        + "\",\"name\":\"ping\",\"type\":1,\"options\":[{\"name\":\"n\",\"type\":4,\"value\":7}]}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(204, res.statusCode(), res.body());

                assertEquals("jdai-person 7", handled.get(20, TimeUnit.SECONDS));
                final Message reply = seen.get(20, TimeUnit.SECONDS);
                assertEquals("pong 7", reply.getContentRaw());
                assertEquals(bot.id(), reply.getAuthor().getId());
                assertEquals(person.id(), reply.getInteractionMetadata().getUser().getId());
                final JsonNode history = JSON.readTree(node.call("GET", "channels/" + channel + "/messages",
                    person.token(), null).raw().body());
                assertEquals(20, history.get(0).path("type").asInt(), "CHAT_INPUT_COMMAND");
            }
            finally
            {
                JdaBots.stop(botJda);
                JdaBots.stop(watcherJda);
            }
        }
    }
}
