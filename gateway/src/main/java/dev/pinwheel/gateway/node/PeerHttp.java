package dev.pinwheel.gateway.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.core.shard.ClusterLink;

/**
 * HTTP from this node to another node of its cluster, for what does not belong on the cluster link: file bodies.
 * A message's files live on the node that owns its channel (its guild, or the DM channel), so that they share the
 * message's fate — deleted with it, swept by its owner, kept while its guild is kept — and a node that receives an
 * upload or a download for another node's files hands the HTTP request to that node and relays its answer. Files of
 * up to {@code max-file-bytes} (10 MiB by default) would hold every chat event behind them on the link's ordered,
 * latency-bound streams (and exceed its largest message, an eighth of a term); a separate TCP connection keeps them
 * out of its way.
 * <p>
 * Each node tells its peers its HTTP address in its catch-up requests ({@link ClusterLink#httpAddress}). A forwarded
 * request carries {@link #FORWARDED} (the forwarding node's id): the node that gets it answers it itself, never
 * forwards it again (two nodes that disagree for a moment about an owner cannot bounce it), and builds the file URLs
 * of its answer from {@link #FORWARDED_HOST}, the Host the client used. At most {@code maxInFlight} requests are
 * forwarded at once (beyond: 503); they run on two daemon threads, never a shard thread. Thread-safe.
 */
public final class PeerHttp implements AutoCloseable
{
    /** Marks a request one node forwarded to another (value: the forwarding node's id). */
    public static final String FORWARDED = "X-Pinwheel-Forwarded";
    /** The Host header the client sent to the forwarding node (file URLs are built from it). */
    public static final String FORWARDED_HOST = "X-Pinwheel-Forwarded-Host";
    /** How long a forwarded request may take before it is answered 504. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    static
    {
        // idle connections to a peer are closed by this side first (its edge closes them after 60 s,
        // pinwheel.edge.keep-alive-timeout-ms): a request is never sent on a connection the peer is closing
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null)
        {
            System.setProperty("jdk.httpclient.keepalive.timeout", "20");
        }
    }

    private final ClusterLink link;
    private final int nodeId;
    private final ExecutorService threads;
    private final HttpClient client;
    private final Semaphore inFlight;

    /**
     * @param link        the cluster link (the peers' HTTP addresses).
     * @param nodeId      this node.
     * @param maxInFlight most requests forwarded at once.
     */
    public PeerHttp(final ClusterLink link, final int nodeId, final int maxInFlight)
    {
        this.link = link;
        this.nodeId = nodeId;
        this.inFlight = new Semaphore(maxInFlight);
        this.threads = Executors.newFixedThreadPool(2,
            r -> Thread.ofPlatform().name("pinwheel-peer-http").daemon(true).unstarted(r));
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).executor(threads)
            .build();
    }

    /**
     * @return this node's id (the value of {@link #FORWARDED} on what it forwards).
     */
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return how many nodes the cluster has (ids 0 to this, exclusive).
     */
    public int nodes()
    {
        return link.nodes();
    }

    /**
     * @param node a node of the cluster.
     * @return its HTTP address ({@code host:port}) as it told this node, or null.
     */
    public String address(final int node)
    {
        return link.httpAddress(node);
    }

    /**
     * Sends a request to another node: {@code http://ADDRESS} + the path and query given. The answer completes on
     * one of this object's threads; a refused or failed connection completes exceptionally.
     *
     * @param node         the node.
     * @param pathAndQuery e.g. {@code /api/v10/channels/1/messages}.
     * @param request      method, headers and body ({@link #FORWARDED} and the timeout are added here).
     * @return the answer (the whole body in memory: files are bounded by {@code max-file-bytes}), or null when
     *         {@code maxInFlight} requests are under way already, or the node's address is unknown.
     */
    public CompletableFuture<HttpResponse<byte[]>> send(final int node, final String pathAndQuery,
        final HttpRequest.Builder request)
    {
        final String address = address(node);
        if (address == null || !inFlight.tryAcquire())
        {
            return null;
        }
        try
        {
            return client.sendAsync(request.uri(URI.create("http://" + address + pathAndQuery)).timeout(TIMEOUT)
                .header(FORWARDED, Integer.toString(nodeId)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((r, e) -> inFlight.release());
        }
        catch (final RuntimeException ex)
        {
            inFlight.release();
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public void close()
    {
        threads.shutdownNow();
        try
        {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
