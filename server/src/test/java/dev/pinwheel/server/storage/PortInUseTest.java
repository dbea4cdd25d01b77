package dev.pinwheel.server.storage;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started on a port another process holds says so and exits. Before, the bind failure (a checked
 * {@code IOException} that Netty's {@code sync()} rethrows where none is declared) slipped past the start's clean-up:
 * the child printed a raw stack trace and kept running on its shard threads, so {@code ./pinwheel run} hung and a test
 * waited 120 s for a server that would never serve.
 */
class PortInUseTest
{
    @TempDir
    Path dir;

    @Test
    void aServerOnAPortInUseSaysWhyAndExits() throws Exception
    {
        try (ServerSocket holder = new ServerSocket())
        {
            holder.setReuseAddress(false);
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int port = holder.getLocalPort();
            final Path log = dir.resolve("server.log");
            final int exit = ServerProcess.runExpectingRefusal(dir.resolve("data"), log, 60, port);
            final String output = Files.readString(log);
            assertNotEquals(0, exit, output);
            assertTrue(output.contains("cannot listen on 127.0.0.1:" + port + ": the address is in use"), output);
        }
    }
}
