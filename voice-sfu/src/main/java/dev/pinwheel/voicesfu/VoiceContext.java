package dev.pinwheel.voicesfu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.pinwheel.core.counters.NodeCounters;
import dev.pinwheel.tuning.IdleMode;
import dev.pinwheel.tuning.ThreadPlacement;
import dev.pinwheel.voicesfu.crypto.AeadMode;

/**
 * Settings of one voice server: starts from {@link VoiceConfiguration} (system properties), fluent setters,
 * one {@link #conclude()} that validates and fills derived values.
 */
public final class VoiceContext
{
    private String host = VoiceConfiguration.host();
    private String publicHost = VoiceConfiguration.publicHost();
    private String endpointHost = VoiceConfiguration.endpointHost();
    private int gatewayPort = VoiceConfiguration.gatewayPort();
    private int udpPort = VoiceConfiguration.udpPort();
    private int mediaLoops = VoiceConfiguration.mediaLoops();
    private String modes = VoiceConfiguration.modes();
    private Path keystore = VoiceConfiguration.keystore() == null ? null : Path.of(VoiceConfiguration.keystore());
    private String keystorePassword = VoiceConfiguration.keystorePassword();
    private int heartbeatIntervalMillis = VoiceConfiguration.heartbeatIntervalMillis();
    private int resumeWindowMillis = VoiceConfiguration.resumeWindowMillis();
    private int inboundPayloadsPerMinute = VoiceConfiguration.inboundPayloadsPerMinute();
    private Path dataDir = Path.of("data");
    private ThreadPlacement placement = ThreadPlacement.unpinned();
    private NodeCounters counters;
    private IdleMode mediaIdle = VoiceConfiguration.mediaIdle() == null ? null
        : IdleMode.valueOf(VoiceConfiguration.mediaIdle().toUpperCase(java.util.Locale.ROOT));
    private List<AeadMode> modeList;
    private boolean concluded;

    public VoiceContext host(final String value)
    {
        host = value;
        return this;
    }

    public String host()
    {
        return host;
    }

    public VoiceContext publicHost(final String value)
    {
        publicHost = value;
        return this;
    }

    /**
     * @return the IPv4 address clients are told (endpoint host, READY ip).
     */
    public String publicHost()
    {
        return publicHost;
    }

    public VoiceContext endpointHost(final String value)
    {
        endpointHost = value;
        return this;
    }

    /**
     * @return the host name in VOICE_SERVER_UPDATE's {@code endpoint} (must start with a letter: JDA parses
     *     {@code host:port} as a URI, where an IP literal is an illegal scheme).
     */
    public String endpointHost()
    {
        return endpointHost;
    }

    public VoiceContext gatewayPort(final int value)
    {
        gatewayPort = value;
        return this;
    }

    public int gatewayPort()
    {
        return gatewayPort;
    }

    public VoiceContext udpPort(final int value)
    {
        udpPort = value;
        return this;
    }

    public int udpPort()
    {
        return udpPort;
    }

    public VoiceContext mediaLoops(final int value)
    {
        mediaLoops = value;
        return this;
    }

    public int mediaLoops()
    {
        return mediaLoops;
    }

    /**
     * @param value comma-separated wire names, in the order offered in READY.
     * @return this.
     */
    public VoiceContext modes(final String value)
    {
        modes = value;
        return this;
    }

    /**
     * @return the offered modes (after {@link #conclude()}).
     */
    public List<AeadMode> modeList()
    {
        return modeList;
    }

    public VoiceContext keystore(final Path value, final String password)
    {
        keystore = value;
        keystorePassword = password;
        return this;
    }

    public Path keystore()
    {
        return keystore;
    }

    public String keystorePassword()
    {
        return keystorePassword;
    }

    public VoiceContext heartbeatIntervalMillis(final int value)
    {
        heartbeatIntervalMillis = value;
        return this;
    }

    public int heartbeatIntervalMillis()
    {
        return heartbeatIntervalMillis;
    }

    public VoiceContext resumeWindowMillis(final int value)
    {
        resumeWindowMillis = value;
        return this;
    }

    public int resumeWindowMillis()
    {
        return resumeWindowMillis;
    }

    public VoiceContext inboundPayloadsPerMinute(final int value)
    {
        inboundPayloadsPerMinute = value;
        return this;
    }

    /**
     * @return payloads one voice WebSocket may send per minute before it is closed with 4008.
     */
    public int inboundPayloadsPerMinute()
    {
        return inboundPayloadsPerMinute;
    }

    public VoiceContext dataDir(final Path value)
    {
        dataDir = value;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public VoiceContext placement(final ThreadPlacement value)
    {
        placement = value;
        return this;
    }

    public ThreadPlacement placement()
    {
        return placement;
    }

    /**
     * @param value the node's counters, where the media loops register theirs (null: counters of the voice server's
     *              own, outside the node's counters file).
     * @return this.
     */
    public VoiceContext counters(final NodeCounters value)
    {
        counters = value;
        return this;
    }

    /**
     * @return the node's counters, or null.
     */
    public NodeCounters counters()
    {
        return counters;
    }

    /**
     * @param value how media loops idle (null: the placement's mode for {@code MEDIA}).
     * @return this.
     */
    public VoiceContext mediaIdle(final IdleMode value)
    {
        mediaIdle = value;
        return this;
    }

    /**
     * @return how media loops idle.
     */
    public IdleMode mediaIdle()
    {
        return mediaIdle != null ? mediaIdle : placement.idleMode(dev.pinwheel.tuning.ThreadRole.MEDIA);
    }

    /**
     * Validates and derives: public host defaults to the bind host (127.0.0.1 for a wildcard bind), media loops
     * to the CPU count, the mode list from its names.
     *
     * @return this.
     */
    public VoiceContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (publicHost == null || publicHost.isBlank())
        {
            publicHost = "0.0.0.0".equals(host) ? "127.0.0.1" : host;
        }
        if (!publicHost.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
        {
            throw new IllegalArgumentException(VoiceConfiguration.PUBLIC_HOST_PROP_NAME
                + " must be an IPv4 literal (discord.js requires IPv4): " + publicHost);
        }
        if (endpointHost == null || endpointHost.isBlank())
        {
            endpointHost = publicHost.startsWith("127.") ? "localhost" : publicHost;
        }
        if (mediaLoops <= 0)
        {
            mediaLoops = Runtime.getRuntime().availableProcessors();
        }
        final List<AeadMode> list = new ArrayList<>();
        for (final String name : modes.split(","))
        {
            final AeadMode m = AeadMode.fromWireName(name.trim());
            if (m == null)
            {
                throw new IllegalArgumentException("unknown voice mode " + name + " in " + VoiceConfiguration.MODES_PROP_NAME);
            }
            list.add(m);
        }
        if (list.isEmpty())
        {
            throw new IllegalArgumentException(VoiceConfiguration.MODES_PROP_NAME + " is empty");
        }
        modeList = List.copyOf(list);
        if (gatewayPort < 0 || udpPort < 0 || heartbeatIntervalMillis < 1000 || resumeWindowMillis < 0)
        {
            throw new IllegalArgumentException("invalid voice ports or intervals");
        }
        concluded = true;
        return this;
    }
}
