package dev.pinwheel.voicesfu;

import java.nio.file.Path;
import java.security.KeyStore;

import dev.pinwheel.core.voice.VoiceAdmission;
import dev.pinwheel.voicesfu.media.MediaCounters;
import dev.pinwheel.voicesfu.media.MediaPlane;
import dev.pinwheel.voicesfu.signal.SelfSignedCertificate;
import dev.pinwheel.voicesfu.signal.VoiceGateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Discord-voice-compatible SFU: voice gateway v8 over TLS + UDP media plane.
 * <pre>
 *   main gateway (owner shards) ──VoiceAdmission──▶ VoiceControl ◀──wss── clients (IDENTIFY, SELECT_PROTOCOL, SPEAKING)
 *                                                      │ rooms, SsrcTable, keys
 *   clients ──UDP (discovery, AEAD RTP)──▶ MediaLoop × N (SO_REUSEPORT) ──open once, seal per receiver──▶ clients
 * </pre>
 */
public final class VoiceServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(VoiceServer.class);
    private final VoiceContext ctx;
    private final MediaPlane media;
    private final VoiceGateway gateway;
    private final Path keystore;

    private VoiceServer(final VoiceContext ctx, final MediaPlane media, final VoiceGateway gateway,
        final Path keystore)
    {
        this.ctx = ctx;
        this.media = media;
        this.gateway = gateway;
        this.keystore = keystore;
    }

    /**
     * Starts the voice server: keystore (generated on first run), UDP loops, TLS voice gateway.
     *
     * @param ctx settings.
     * @return the running server.
     */
    public static VoiceServer start(final VoiceContext ctx)
    {
        ctx.conclude();
        Path ks = ctx.keystore();
        String pw = ctx.keystorePassword();
        if (ks == null)
        {
            ks = ctx.dataDir().resolve("voice-tls.p12").toAbsolutePath();
            pw = SelfSignedCertificate.ensure(ks, ctx.publicHost(), ctx.endpointHost());
        }
        else if (pw == null)
        {
            pw = SelfSignedCertificate.ensure(ks, ctx.publicHost(), ctx.endpointHost());
        }
        final KeyStore keyStore = SelfSignedCertificate.load(ks, pw);
        final MediaPlane media = new MediaPlane(ctx.host(), ctx.udpPort(), ctx.mediaLoops(), ctx.placement(),
            ctx.mediaIdle(), ctx.counters());
        try
        {
            final VoiceGateway gw = new VoiceGateway(ctx, keyStore, pw, media);
            LOG.info("Pinwheel voice: wss://{}:{} (TLS), UDP {}:{} with {} media loop(s), modes {}", ctx.endpointHost(),
                gw.port(), ctx.host(), media.port(), media.loopCount(), ctx.modeList());
            return new VoiceServer(ctx, media, gw, ks);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            media.close();
            throw new IllegalStateException("interrupted while starting voice", e);
        }
        catch (final RuntimeException e)
        {
            media.close();
            throw e;
        }
    }

    /**
     * @return what the main gateway calls to admit users.
     */
    public VoiceAdmission admission()
    {
        return gateway.control();
    }

    /**
     * @return TLS port of the voice gateway.
     */
    public int gatewayPort()
    {
        return gateway.port();
    }

    /**
     * @return UDP port of the media plane.
     */
    public int udpPort()
    {
        return media.port();
    }

    /**
     * @return media-plane counters.
     */
    public MediaCounters counters()
    {
        return media.counters();
    }

    /**
     * @return the PEM certificate clients should trust (exists when the keystore was generated).
     */
    public Path certificatePem()
    {
        return SelfSignedCertificate.pemOf(keystore);
    }

    /**
     * @return the keystore in use.
     */
    public Path keystore()
    {
        return keystore;
    }

    /**
     * @return the settings.
     */
    public VoiceContext context()
    {
        return ctx;
    }

    @Override
    public void close()
    {
        try
        {
            gateway.close();
        }
        finally
        {
            media.close();
        }
    }
}
