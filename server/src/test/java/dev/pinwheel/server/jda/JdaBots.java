package dev.pinwheel.server.jda;

import java.util.EnumSet;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

/**
 * Builds unmodified JDA clients pointed at a Pinwheel node: the REST base URL and the gateway URL are the
 * only settings changed (JDA's public configuration points for that).
 */
final class JdaBots
{
    private JdaBots()
    {
    }

    static JDA start(final String token, final String restBase, final String gatewayUrl, final Object... listeners)
        throws InterruptedException
    {
        final JDA jda = JDABuilder.createDefault(token, EnumSet.of(GatewayIntent.GUILD_MESSAGES,
                GatewayIntent.MESSAGE_CONTENT, GatewayIntent.GUILD_MEMBERS, GatewayIntent.GUILD_MESSAGE_TYPING,
                GatewayIntent.GUILD_MESSAGE_REACTIONS, GatewayIntent.DIRECT_MESSAGES))
            .setRestConfig(new RestConfig().setBaseUrl(restBase))
            .setSessionController(new SessionControllerAdapter()
            {
                @Override
                public String getGateway()
                {
                    return gatewayUrl;
                }
            })
            .addEventListeners(listeners)
            .build();
        jda.awaitReady();
        return jda;
    }

    static void stop(final JDA jda)
    {
        if (jda != null)
        {
            jda.shutdownNow();
            try
            {
                jda.awaitShutdown(java.time.Duration.ofSeconds(10));
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
