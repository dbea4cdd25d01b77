package dev.pinwheel.benchmarks.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pinwheel.benchmarks.probe.DeliveryStats;
import dev.pinwheel.benchmarks.probe.GatewayLoadClient;
import dev.pinwheel.benchmarks.probe.ProbeSupport;

/**
 * One load client of {@link ClusterProbe}, in its own JVM (a process holds at most 20,000 open files here, one per
 * session): opens its node's sessions — the bulk sessions of the big guild and, when given, one observer session in
 * the hop guild — and holds them (heartbeats at the server's interval) until told to quit or its standard input ends
 * (the probe died: nothing outlives it). It knows no send times: it records, per message id, how many sessions got
 * it and the {@code System.nanoTime()} of the first and last delivery; the probe, which posted, subtracts its send
 * times (one monotonic clock on one host, CLOCK_MONOTONIC for every JVM).
 * <p>
 * Standard input, one command a line; every answer is one line on standard output:
 * <pre>
 *   status  ─▶ status READY LOST FAILED HEARTBEATS ACKS DELIVERIES HOP_DELIVERIES OBSERVER_READY CPU_NANOS
 *   report  ─▶ big ID COUNT FIRST LAST ... (one per message delivered), hop ID COUNT FIRST ..., reasons {...}, end
 *   quit    ─▶ closes every session and exits
 * </pre>
 * Arguments: {@code HOST PORT TOKENS_FILE OBSERVER_TOKEN|- MESSAGES HOP_MESSAGES IN_FLIGHT THREADS OPEN_SECONDS}.
 */
public final class ClusterLoadClient
{
    private ClusterLoadClient()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on a setup failure (the process exits non-zero).
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 9)
        {
            System.err.println("usage: ClusterLoadClient HOST PORT TOKENS_FILE OBSERVER_TOKEN|- MESSAGES HOP_MESSAGES "
                + "IN_FLIGHT THREADS OPEN_SECONDS");
            System.exit(2);
        }
        final String host = args[0];
        final int port = Integer.parseInt(args[1]);
        final List<String> tokens = Files.readAllLines(Path.of(args[2]), StandardCharsets.US_ASCII);
        final String observerToken = args[3];
        final int messages = Integer.parseInt(args[4]);
        final int hopMessages = Integer.parseInt(args[5]);
        final int inFlight = Integer.parseInt(args[6]);
        final int threads = Integer.parseInt(args[7]);
        final long openDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[8]));
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);

        // every id counts as sent: deliveries are recorded with their receive time only (the probe knows the rest)
        final DeliveryStats bulk = new DeliveryStats(messages, TimeUnit.SECONDS.toNanos(1));
        final DeliveryStats hop = new DeliveryStats(Math.max(1, hopMessages), TimeUnit.MILLISECONDS.toNanos(50));
        for (int i = 0; i < messages; i++)
        {
            bulk.sent(i, 1);
        }
        for (int i = 0; i < hopMessages; i++)
        {
            hop.sent(i, 1);
        }
        final GatewayLoadClient observer = "-".equals(observerToken) ? null
            : new GatewayLoadClient(host, port, 1, hop);
        final GatewayLoadClient client = new GatewayLoadClient(host, port, threads, bulk);
        try
        {
            if (observer != null)
            {
                observer.open(List.of(observerToken), 1, openDeadline);
            }
            out.println("opening " + tokens.size());
            final int ready = client.open(tokens, inFlight, openDeadline);
            out.println("opened " + ready + " " + client.failedAttempts());
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; )
            {
                switch (line.trim())
                {
                    case "status" -> out.println("status " + client.ready() + " " + client.lost() + " "
                        + client.failedAttempts() + " " + client.heartbeatsSent() + " " + client.heartbeatAcks() + " "
                        + bulk.deliveries() + " " + hop.deliveries() + " " + (observer == null ? 0 : observer.ready())
                        + " " + ProbeSupport.clientCpuNanos());
                    case "report" -> report(out, bulk, hop, hopMessages, client, observer);
                    case "quit" ->
                    {
                        return;
                    }
                    default -> out.println("error unknown command " + line);
                }
            }
        }
        catch (final IOException ex)
        {
            System.err.println("cluster load client: " + ex);
        }
        finally
        {
            client.close();
            if (observer != null)
            {
                observer.close();
            }
            out.println("bye");
            System.exit(0);
        }
    }

    private static void report(final PrintStream out, final DeliveryStats bulk, final DeliveryStats hop,
        final int hopMessages, final GatewayLoadClient client, final GatewayLoadClient observer)
    {
        final StringBuilder b = new StringBuilder(64 * 1024);
        for (int i = 0; i < bulk.messages(); i++)
        {
            if (bulk.received(i) > 0)
            {
                b.append("big ").append(i).append(' ').append(bulk.received(i)).append(' ')
                    .append(bulk.firstDeliveryNanos(i)).append(' ').append(bulk.lastDeliveryNanos(i)).append('\n');
            }
        }
        for (int i = 0; i < hopMessages; i++)
        {
            if (hop.received(i) > 0)
            {
                b.append("hop ").append(i).append(' ').append(hop.received(i)).append(' ')
                    .append(hop.firstDeliveryNanos(i)).append('\n');
            }
        }
        final List<String> reasons = new ArrayList<>();
        for (final Map.Entry<String, Long> e : client.reasons().entrySet())
        {
            reasons.add(e.getKey().replace('\n', ' ').replace('|', '/') + "=" + e.getValue());
        }
        if (observer != null)
        {
            for (final Map.Entry<String, Long> e : observer.reasons().entrySet())
            {
                reasons.add("observer " + e.getKey().replace('\n', ' ').replace('|', '/') + "=" + e.getValue());
            }
        }
        b.append("reasons ").append(String.join("|", reasons)).append('\n');
        b.append("duplicates ").append(bulk.duplicates() + hop.duplicates()).append(' ')
            .append(bulk.outOfOrder() + hop.outOfOrder()).append(' ').append(bulk.unknown() + hop.unknown())
            .append('\n');
        b.append("end");
        out.println(b);
    }
}
