package dev.pinwheel.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's package graph, as {@code docs/ARCHITECTURE.md} draws it: no cycles among its packages (the root
 * package, the composition root, included), nothing but the composition root imports {@code edge}, {@code owner}
 * imports neither {@code http} nor {@code session} nor {@code edge}, the bottom packages ({@code codec}, {@code node})
 * import no other package of the gateway, and nothing imports the composition root.
 * <pre>
 *   gateway   the composition root: GatewayServer, GatewayShards, GatewayShard, GatewayCommands
 *     ▼
 *   edge      Netty server side: ShardEdge, HttpEdgeHandler, EdgeConnection, NettyIoDriver
 *     ▼
 *   http.routes, web
 *     ▼
 *   session   connections, sessions, their timers; SessionCommandAdapter
 *     ▼
 *   auth      tokens, passwords, login limits
 *     ▼
 *   http      RouteTable, RestExchange, ExchangeTable, RateLimiter
 *     ▼
 *   owner     services, proxies, adapters of the typed commands
 *     ▼
 *   codec, node   wire vocabulary; what the node shares (config, context, per-address limits, counters)
 * </pre>
 * (each may import what is drawn below it). No exceptions and no allow-list: every owner operation is a service
 * answering through {@code owner.Reply}, every session request a typed command.
 * Checked twice: on the compiled classes with ArchUnit, and on the source files' imports and qualified names, since
 * the compiler copies constants ({@code Intents.GUILDS}, a close code) into the classes that use them and leaves no
 * trace of the package they came from.
 */
class PackageGraphTest
{
    private static final String ROOT = "dev.pinwheel.gateway";
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(dev\\.pinwheel\\.gateway"
        + "(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(dev\\.pinwheel\\.gateway(?:\\.[a-z][a-z0-9]*)*)"
        + "\\.[A-Z]");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([a-z0-9.]+);", Pattern.MULTILINE);

    /** Each package of the gateway is its own slice; anything else is not looked at. */
    private static final SliceAssignment PACKAGES = new SliceAssignment()
    {
        @Override
        public SliceIdentifier getIdentifierOf(final JavaClass javaClass)
        {
            final String p = javaClass.getPackageName();
            return p.equals(ROOT) || p.startsWith(ROOT + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription()
        {
            return "the packages of the gateway";
        }
    };

    private static JavaClasses classes;
    private static Map<String, Set<String>> sourceGraph;

    @BeforeAll
    static void load()
    {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
        sourceGraph = sourceGraph();
    }

    @Test
    void packagesHaveNoCycles()
    {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
        final List<String> cycle = cycle(sourceGraph);
        assertTrue(cycle.isEmpty(), "package cycle in the sources: " + String.join(" -> ", cycle));
    }

    @Test
    void onlyTheCompositionRootImportsEdge()
    {
        noClasses().that().resideOutsideOfPackages(ROOT, ROOT + ".edge").should().dependOnClassesThat()
            .resideInAPackage(ROOT + ".edge").check(classes);
        assertEquals(Map.of(), importersOf(ROOT + ".edge", Set.of(ROOT, ROOT + ".edge")));
    }

    @Test
    void nothingImportsTheCompositionRoot()
    {
        noClasses().that().resideOutsideOfPackage(ROOT).should().dependOnClassesThat().resideInAPackage(ROOT)
            .check(classes);
        assertEquals(Map.of(), importersOf(ROOT, Set.of(ROOT)));
    }

    @Test
    void ownerImportsNeitherHttpNorSessionNorEdge()
    {
        noClasses().that().resideInAPackage(ROOT + ".owner").should().dependOnClassesThat()
            .resideInAnyPackage(ROOT + ".http..", ROOT + ".session..", ROOT + ".edge..").check(classes);
        final Set<String> forbidden = new TreeSet<>();
        for (final String p : sourceGraph.getOrDefault(ROOT + ".owner", Set.of()))
        {
            if (p.startsWith(ROOT + ".http") || p.startsWith(ROOT + ".session") || p.startsWith(ROOT + ".edge"))
            {
                forbidden.add(p);
            }
        }
        assertEquals(Set.of(), forbidden, "owner's sources import them");
    }

    @Test
    void codecAndNodeImportNoOtherPackageOfTheGateway()
    {
        for (final String bottom : List.of(ROOT + ".codec", ROOT + ".node"))
        {
            noClasses().that().resideInAPackage(bottom).should().dependOnClassesThat(
                resideInAPackage(ROOT + "..").and(not(resideInAPackage(bottom)))).check(classes);
            final Set<String> others = new TreeSet<>(sourceGraph.getOrDefault(bottom, Set.of()));
            others.remove(bottom);
            assertEquals(Set.of(), others, bottom + "'s sources import them");
        }
    }

    /**
     * @param target  a package.
     * @param allowed the packages that may import it.
     * @return every other package whose sources import it, with the files that do.
     */
    private static Map<String, Set<String>> importersOf(final String target, final Set<String> allowed)
    {
        final Map<String, Set<String>> found = new TreeMap<>();
        forEachSource((pkg, file, deps) ->
        {
            if (!allowed.contains(pkg) && deps.contains(target))
            {
                found.computeIfAbsent(pkg, k -> new TreeSet<>()).add(file.getFileName().toString());
            }
        });
        return found;
    }

    /** One source file's package and the gateway packages it refers to. */
    @FunctionalInterface
    private interface SourceVisitor
    {
        void visit(String pkg, Path file, Set<String> deps);
    }

    private static void forEachSource(final SourceVisitor visitor)
    {
        try (Stream<Path> files = Files.walk(SOURCES.resolve(ROOT.replace('.', '/'))))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final String text = Files.readString(file);
                final Matcher pkg = PACKAGE.matcher(text);
                assertTrue(pkg.find(), file + " has no package");
                final Set<String> deps = new TreeSet<>();
                final Matcher imports = IMPORT.matcher(text);
                while (imports.find())
                {
                    deps.add(imports.group(1));
                }
                final Matcher qualified = QUALIFIED.matcher(withoutImports(text));
                while (qualified.find())
                {
                    deps.add(qualified.group(1));
                }
                deps.remove(pkg.group(1));
                visitor.visit(pkg.group(1), file, deps);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String withoutImports(final String text)
    {
        return text.replaceAll("(?m)^(package|import)\\s.*$", "");
    }

    private static Map<String, Set<String>> sourceGraph()
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        forEachSource((pkg, file, deps) -> graph.computeIfAbsent(pkg, k -> new TreeSet<>()).addAll(deps));
        return graph;
    }

    /**
     * @param graph package → the packages it imports.
     * @return one cycle (its packages, the first repeated at the end), or empty if there is none.
     */
    private static List<String> cycle(final Map<String, Set<String>> graph)
    {
        final Map<String, Integer> state = new TreeMap<>(); // absent: unvisited, 1: on the path, 2: done
        final List<String> path = new ArrayList<>();
        for (final String start : graph.keySet())
        {
            final List<String> found = visit(graph, start, state, path);
            if (!found.isEmpty())
            {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(final Map<String, Set<String>> graph, final String node,
        final Map<String, Integer> state, final List<String> path)
    {
        final Integer s = state.get(node);
        if (s != null)
        {
            if (s == 1)
            {
                final List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
                cycle.add(node);
                return cycle;
            }
            return List.of();
        }
        state.put(node, 1);
        path.add(node);
        for (final String next : graph.getOrDefault(node, Set.of()))
        {
            final List<String> found = visit(graph, next, state, path);
            if (!found.isEmpty())
            {
                return found;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return List.of();
    }
}
