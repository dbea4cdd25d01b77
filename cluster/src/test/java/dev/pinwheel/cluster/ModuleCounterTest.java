package dev.pinwheel.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component's counter read through this node's own Aeron client: after the component's client closed (and unmapped
 * its counters file; reading its own {@code AtomicCounter} then would crash the JVM), the view reads nothing and
 * writes nothing, even when the counter's slot was handed to a new counter.
 */
class ModuleCounterTest
{
    @TempDir
    Path dir;

    @Test
    void aCounterWhoseOwnerClosedIsGoneAndItsSlotReusedIsNotMistakenForIt() throws Exception
    {
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir.resolve("aeron").toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                .counterFreeToReuseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1))
                .dirDeleteOnShutdown(true));
             Aeron own = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            final Aeron component = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            final Counter counter = component.addCounter(1001, "a component's counter");
            counter.set(42);
            final ModuleCounter view = new ModuleCounter(own, counter);
            assertTrue(view.live());
            assertEquals(42, view.get(-1));
            view.counter().set(43);
            assertEquals(43, counter.get(), "the view writes the component's counter");

            component.close(); // frees its counters and unmaps its own view of them

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (view.live() && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertFalse(view.live(), "the counter is freed once its owner closed");
            assertEquals(-1, view.get(-1));

            // the slot handed to a new counter: still not the component's
            Counter reused = null;
            for (int i = 0; i < 100 && (reused == null || reused.id() != counter.id()); i++)
            {
                Thread.sleep(5);
                reused = own.addCounter(1002, "another counter " + i);
            }
            assertEquals(counter.id(), reused.id(), "the driver reuses a freed counter's slot");
            reused.set(7);
            assertFalse(view.live());
            assertEquals(-1, view.get(-1));
            assertNotEquals(7, view.get(-1));
        }
    }
}
