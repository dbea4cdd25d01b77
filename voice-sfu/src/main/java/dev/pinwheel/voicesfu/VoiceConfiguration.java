package dev.pinwheel.voicesfu;

/**
 * Configuration keys of the voice server ({@code pinwheel.voice.*}), their defaults and static getters that
 * read system properties. {@link VoiceContext} starts from these and can be changed fluently.
 * <pre>
 * key                                   default
 * pinwheel.voice.enabled                true
 * pinwheel.voice.host                   127.0.0.1   bind address of the voice gateway and UDP
 * pinwheel.voice.public-host            (host)      IPv4 given to clients (endpoint, READY ip); must be IPv4
 * pinwheel.voice.endpoint-host         localhost for a loopback public host, else public-host: the host of
 *                                                   VOICE_SERVER_UPDATE's endpoint; must be a DNS name (JDA cannot
 *                                                   parse "1.2.3.4:port") that the TLS certificate covers
 * pinwheel.voice.gateway-port           8443        TLS WebSocket port (0: ephemeral)
 * pinwheel.voice.udp-port               50000       UDP media port shared by all loops (0: ephemeral)
 * pinwheel.voice.media-loops            0           UDP sockets/threads (0: one per available CPU)
 * pinwheel.voice.media-idle             (profile)   BLOCK | BACKOFF | BUSY_SPIN for the media loops
 * pinwheel.voice.modes                  aead_aes256_gcm_rtpsize,aead_xchacha20_poly1305_rtpsize (offer order)
 * pinwheel.voice.tls.keystore           (data dir)/voice-tls.p12, generated with keytool on first run
 * pinwheel.voice.tls.password           (generated, stored beside the keystore)
 * pinwheel.voice.heartbeat-interval-ms  13750
 * pinwheel.voice.resume-window-ms       15000       how long a member survives a lost voice WebSocket
 * pinwheel.voice.inbound-payloads-per-minute 360   payloads a voice WebSocket may send per minute; past it: 4008
 * </pre>
 */
public final class VoiceConfiguration
{
    public static final String ENABLED_PROP_NAME = "pinwheel.voice.enabled";
    public static final boolean ENABLED_DEFAULT = true;
    public static final String HOST_PROP_NAME = "pinwheel.voice.host";
    public static final String HOST_DEFAULT = "127.0.0.1";
    public static final String PUBLIC_HOST_PROP_NAME = "pinwheel.voice.public-host";
    public static final String ENDPOINT_HOST_PROP_NAME = "pinwheel.voice.endpoint-host";
    public static final String GATEWAY_PORT_PROP_NAME = "pinwheel.voice.gateway-port";
    public static final int GATEWAY_PORT_DEFAULT = 8443;
    public static final String UDP_PORT_PROP_NAME = "pinwheel.voice.udp-port";
    public static final int UDP_PORT_DEFAULT = 50000;
    public static final String MEDIA_LOOPS_PROP_NAME = "pinwheel.voice.media-loops";
    public static final int MEDIA_LOOPS_DEFAULT = 0;
    public static final String MEDIA_IDLE_PROP_NAME = "pinwheel.voice.media-idle";
    public static final String MODES_PROP_NAME = "pinwheel.voice.modes";
    public static final String MODES_DEFAULT = "aead_aes256_gcm_rtpsize,aead_xchacha20_poly1305_rtpsize";
    public static final String KEYSTORE_PROP_NAME = "pinwheel.voice.tls.keystore";
    public static final String KEYSTORE_PASSWORD_PROP_NAME = "pinwheel.voice.tls.password";
    public static final String HEARTBEAT_INTERVAL_PROP_NAME = "pinwheel.voice.heartbeat-interval-ms";
    public static final int HEARTBEAT_INTERVAL_DEFAULT = 13_750;
    public static final String RESUME_WINDOW_PROP_NAME = "pinwheel.voice.resume-window-ms";
    public static final int RESUME_WINDOW_DEFAULT = 15_000;
    public static final String INBOUND_PER_MINUTE_PROP_NAME = "pinwheel.voice.inbound-payloads-per-minute";
    /**
     * A client heartbeats every 13.75 s and sends SPEAKING when its speech starts and stops (with voice activity
     * detection, a few a second at most); each SPEAKING is relayed to everyone in the room, so a flood is multiplied
     * by the room's size. Three times the main gateway's 120 per minute.
     */
    public static final int INBOUND_PER_MINUTE_DEFAULT = 360;

    private VoiceConfiguration()
    {
    }

    public static boolean enabled()
    {
        return Boolean.parseBoolean(System.getProperty(ENABLED_PROP_NAME, Boolean.toString(ENABLED_DEFAULT)));
    }

    public static String host()
    {
        return System.getProperty(HOST_PROP_NAME, HOST_DEFAULT);
    }

    public static String publicHost()
    {
        return System.getProperty(PUBLIC_HOST_PROP_NAME);
    }

    public static String endpointHost()
    {
        return System.getProperty(ENDPOINT_HOST_PROP_NAME);
    }

    public static int gatewayPort()
    {
        return Integer.getInteger(GATEWAY_PORT_PROP_NAME, GATEWAY_PORT_DEFAULT);
    }

    public static int udpPort()
    {
        return Integer.getInteger(UDP_PORT_PROP_NAME, UDP_PORT_DEFAULT);
    }

    public static int mediaLoops()
    {
        return Integer.getInteger(MEDIA_LOOPS_PROP_NAME, MEDIA_LOOPS_DEFAULT);
    }

    public static String mediaIdle()
    {
        return System.getProperty(MEDIA_IDLE_PROP_NAME);
    }

    public static String modes()
    {
        return System.getProperty(MODES_PROP_NAME, MODES_DEFAULT);
    }

    public static String keystore()
    {
        return System.getProperty(KEYSTORE_PROP_NAME);
    }

    public static String keystorePassword()
    {
        return System.getProperty(KEYSTORE_PASSWORD_PROP_NAME);
    }

    public static int heartbeatIntervalMillis()
    {
        return Integer.getInteger(HEARTBEAT_INTERVAL_PROP_NAME, HEARTBEAT_INTERVAL_DEFAULT);
    }

    public static int resumeWindowMillis()
    {
        return Integer.getInteger(RESUME_WINDOW_PROP_NAME, RESUME_WINDOW_DEFAULT);
    }

    public static int inboundPayloadsPerMinute()
    {
        return Integer.getInteger(INBOUND_PER_MINUTE_PROP_NAME, INBOUND_PER_MINUTE_DEFAULT);
    }
}
