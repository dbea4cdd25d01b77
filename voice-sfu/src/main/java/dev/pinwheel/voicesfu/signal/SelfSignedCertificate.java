package dev.pinwheel.voicesfu.signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The voice gateway's TLS key pair: the configured PKCS#12 keystore, or one generated on first run into the
 * data directory ({@code voice-tls.p12}, its password in {@code voice-tls.pass}, the certificate as PEM in
 * {@code voice-tls.crt} for clients to trust).
 * <p>
 * The JDK has no public API to create a certificate, so this runs the JDK's own {@code keytool
 * -genkeypair} (from {@code java.home/bin}) once: no extra dependency (BouncyCastle's bcpkix is ~8 MB for one
 * call at install time) and no internal {@code sun.security} API. A JRE image without keytool must configure a
 * keystore ({@code pinwheel.voice.tls.keystore}).
 */
public final class SelfSignedCertificate
{
    /** Alias of the key entry. */
    public static final String ALIAS = "pinwheel-voice";

    private SelfSignedCertificate()
    {
    }

    /**
     * Generates a keystore unless {@code keystore} exists. Processes (and threads) that call this for the same file at
     * once take turns on a lock file beside it: before, two creating at the same moment wrote the same temporary
     * keystore with two passwords, and one of them failed ("keystore password was incorrect") or kept a password
     * that did not open the keystore left behind.
     *
     * @param keystore PKCS#12 file.
     * @param hosts    host names or IPv4 literals clients connect to (added to the SAN besides localhost).
     * @return the keystore password.
     */
    public static synchronized String ensure(final Path keystore, final String... hosts)
    {
        final Path passFile = keystore.resolveSibling(stem(keystore) + ".pass");
        try
        {
            if (Files.exists(keystore) && Files.exists(passFile))
            {
                return Files.readString(passFile, StandardCharsets.US_ASCII).trim();
            }
            Files.createDirectories(keystore.toAbsolutePath().getParent());
            final Path lockFile = keystore.resolveSibling(stem(keystore) + ".lock");
            try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock ignored = lock.lock())
            {
                if (Files.exists(keystore) && Files.exists(passFile))
                {
                    return Files.readString(passFile, StandardCharsets.US_ASCII).trim(); // made while we waited
                }
                return generate(keystore, passFile, hosts);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prepare the voice TLS keystore " + keystore, ex);
        }
    }

    private static String generate(final Path keystore, final Path passFile, final String... hosts) throws IOException
    {
        final Path pem = keystore.resolveSibling(stem(keystore) + ".crt");
        final byte[] pw = new byte[18];
        new SecureRandom().nextBytes(pw);
        final String password = HexFormat.of().formatHex(pw);
        final StringBuilder san = new StringBuilder("ip:127.0.0.1,dns:localhost");
        for (final String h : hosts)
        {
            if (h != null && !"127.0.0.1".equals(h) && !"localhost".equals(h))
            {
                san.append(h.matches("[0-9.]+") ? ",ip:" : ",dns:").append(h);
            }
        }
        final Path tmp = keystore.resolveSibling(stem(keystore) + ".tmp.p12");
        Files.deleteIfExists(tmp);
        keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
            "-sigalg", "SHA256withECDSA", "-validity", "3650", "-dname", "CN=Pinwheel voice",
            "-ext", "SAN=" + san, "-keystore", tmp.toString(), "-storetype", "PKCS12",
            "-storepass", password, "-keypass", password);
        Files.deleteIfExists(pem);
        keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", tmp.toString(), "-storetype", "PKCS12",
            "-storepass", password, "-file", pem.toString());
        Files.writeString(passFile, password, StandardCharsets.US_ASCII);
        try
        {
            Files.setPosixFilePermissions(passFile, PosixFilePermissions.fromString("rw-------"));
        }
        catch (final UnsupportedOperationException ignored)
        {
            // not a POSIX file system
        }
        Files.move(tmp, keystore, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return password;
    }

    /**
     * @param keystore PKCS#12 file.
     * @param password its password.
     * @return the loaded keystore.
     */
    public static KeyStore load(final Path keystore, final String password)
    {
        try (InputStream in = Files.newInputStream(keystore))
        {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            return ks;
        }
        catch (final IOException | java.security.GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot load voice TLS keystore " + keystore, ex);
        }
    }

    /**
     * @param keystore the keystore path.
     * @return where the PEM certificate of a generated keystore lies.
     */
    public static Path pemOf(final Path keystore)
    {
        return keystore.resolveSibling(stem(keystore) + ".crt");
    }

    private static String stem(final Path p)
    {
        final String n = p.getFileName().toString();
        final int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static void keytool(final String... args) throws IOException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out;
        try (InputStream in = p.getInputStream())
        {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try
        {
            if (!p.waitFor(60, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IOException("keytool timed out");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
        if (p.exitValue() != 0)
        {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + out.strip());
        }
    }
}
