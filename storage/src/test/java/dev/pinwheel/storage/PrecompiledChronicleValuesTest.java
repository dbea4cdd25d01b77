package dev.pinwheel.storage;

import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The class Chronicle Map would compile at run time is on the class path, and is what chronicle-values would
 * generate for the Chronicle version in use (see the header of {@code VanillaGlobalMutableState$$Native.java}).
 */
class PrecompiledChronicleValuesTest
{
    @Test
    void theShippedClassIsLoadedAndUpToDate() throws Exception
    {
        assertEquals(VanillaGlobalMutableState.class.getName() + "$$Native",
            Values.nativeClassFor(VanillaGlobalMutableState.class).getName());
        final Path shipped = Path.of("src/main/java/net/openhft/chronicle/hash/VanillaGlobalMutableState$$Native.java");
        final Class<?> models = Class.forName("net.openhft.chronicle.values.ValueModel");
        final Object model = models.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
        final Method generate = Class.forName("net.openhft.chronicle.values.Generators")
            .getDeclaredMethod("generateNativeClass", models, String.class);
        generate.setAccessible(true);
        final String expected = (String)generate.invoke(null, model, "VanillaGlobalMutableState$$Native");
        final String actual = Files.readString(shipped)
            .replaceAll("(?m)^//.*\\R", "")
            .replace("@SuppressWarnings({\"rawtypes\", \"unchecked\", \"all\"})\n", "");
        assertEquals(expected, actual, "regenerate " + shipped + " with this source:\n" + expected);
    }
}
