package dev.pinwheel.voicesfu.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pinwheel's own AEAD code against the JDK's independent implementations, byte for byte, over every text
 * length 0..300 and AAD lengths 0..40 (the rtpsize header sizes and far beyond), random keys and nonces:
 * ChaCha20-Poly1305 vs the JDK's {@code ChaCha20-Poly1305}, the GHASH/CTR half of AES-GCM vs the JDK's
 * {@code AES/GCM/NoPadding} (both GHASH paths: the JDK kernel and the portable one). Also: every single-bit flip of a sealed packet is rejected.
 */
class AeadConformanceTest
{
    private static final SplittableRandom RANDOM = new SplittableRandom(0x5eed);

    private static byte[] random(final int n)
    {
        final byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void theJdkChaCha20KernelIsReachableWithPinwheelsJvmFlags()
    {
        assertTrue(ChaCha20.jdkKernelAvailable(), "JDK ChaCha20 kernel not reachable: XChaCha runs the portable path");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void chacha20Poly1305MatchesTheJdk(final boolean jdkKernel) throws GeneralSecurityException
    {
        final ChaCha20Poly1305 ours = new ChaCha20Poly1305(jdkKernel);
        final Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        for (int len = 0; len <= 1300; len += len < 300 ? 1 : 97)
        {
            final int aadLen = len % 41;
            final byte[] key = random(32);
            final byte[] nonce = random(12);
            final byte[] aad = random(aadLen);
            final byte[] text = random(len);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            final byte[] expected = jdk.doFinal(text);

            final byte[] sealed = new byte[len + 16 + 7];
            assertEquals(len + 16, ours.seal(key, 0, nonce, 0, aad, 0, aadLen, text, 0, len, sealed, 7));
            assertArrayEquals(expected, Arrays.copyOfRange(sealed, 7, 7 + len + 16), "length " + len);

            final byte[] opened = new byte[len + 3];
            assertEquals(len, ours.open(key, 0, nonce, 0, aad, 0, aadLen, sealed, 7, len + 16, opened, 3));
            assertArrayEquals(text, Arrays.copyOfRange(opened, 3, 3 + len));
        }
    }

    @Test
    void theJdkGhashKernelIsReachableWithPinwheelsJvmFlags()
    {
        // modules.args opens com.sun.crypto.provider; if a JDK update moves the kernel, this says so
        assertTrue(GHash.jdkKernelAvailable(), "JDK GHASH kernel not reachable: AES-GCM runs the portable path");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aesGcmMatchesTheJdk(final boolean jdkGhash) throws GeneralSecurityException
    {
        final Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        for (int len = 0; len <= 300; len++)
        {
            final int aadLen = 12 + len % 29;
            final byte[] key = random(32);
            final int nonce = RANDOM.nextInt();
            final byte[] iv = new byte[12];
            Bytes.putBe32(iv, 0, nonce);
            final byte[] aad = random(aadLen);
            final byte[] text = random(len);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            jdk.updateAAD(aad);
            final byte[] expected = jdk.doFinal(text);

            final AesGcmRtpSizeCipher ours = new AesGcmRtpSizeCipher(key, jdkGhash);
            final byte[] packet = new byte[aadLen + len + 20 + 5];
            final int n = ours.seal(aad, 0, aadLen, text, 0, len, nonce, packet, 5);
            assertEquals(aadLen + len + 20, n);
            assertArrayEquals(aad, Arrays.copyOfRange(packet, 5, 5 + aadLen));
            assertArrayEquals(expected, Arrays.copyOfRange(packet, 5 + aadLen, 5 + aadLen + len + 16), "length " + len);
            assertArrayEquals(iv, Arrays.copyOf(Arrays.copyOfRange(packet, 5 + n - 4, 5 + n), 12));

            final byte[] opened = new byte[len + 1];
            assertEquals(len, ours.open(packet, 5, aadLen, n, opened, 1));
            assertArrayEquals(text, Arrays.copyOfRange(opened, 1, 1 + len));
        }
    }

    @Test
    void xchachaOpensWhatTheJdkBasedConstructionSeals() throws GeneralSecurityException
    {
        // XChaCha20-Poly1305 = HChaCha20 subkey + the JDK's ChaCha20-Poly1305 with nonce 0^4 || nonce[16..24]
        for (int len = 0; len <= 200; len += 7)
        {
            final byte[] key = random(32);
            final byte[] nonce = random(24);
            final byte[] aad = random(12);
            final byte[] text = random(len);
            final byte[] sub = new byte[32];
            new HChaCha20().derive(key, nonce, 0, sub, 0);
            final byte[] inner = new byte[12];
            System.arraycopy(nonce, 16, inner, 4, 8);
            final Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sub, "ChaCha20"), new IvParameterSpec(inner));
            jdk.updateAAD(aad);
            final byte[] expected = jdk.doFinal(text);
            assertArrayEquals(expected, XChaChaRtpSizeCipher.encrypt(key, nonce, aad, text));
            assertArrayEquals(text, XChaChaRtpSizeCipher.decrypt(key, nonce, aad, expected));
        }
    }

    @ParameterizedTest
    @EnumSource(AeadMode.class)
    void everySingleBitFlipIsRejected(final AeadMode mode)
    {
        final byte[] key = random(32);
        final RtpSizeCipher cipher = mode.newCipher(key);
        final byte[] header = {(byte)0x80, 0x78, 0, 1, 0, 0, 0, (byte)0xC0, 0, 0, 0, 42};
        final byte[] opus = random(37);
        final byte[] packet = new byte[header.length + opus.length + 20];
        final int n = cipher.seal(header, 0, header.length, opus, 0, opus.length, 77, packet, 0);
        final byte[] out = new byte[packet.length];
        assertEquals(opus.length, cipher.open(packet, 0, header.length, n, out, 0));
        for (int bit = 0; bit < n * 8; bit++)
        {
            packet[bit >>> 3] ^= (byte)(1 << (bit & 7));
            assertEquals(RtpSizeCipher.FAILED, cipher.open(packet, 0, header.length, n, out, 0), "bit " + bit);
            packet[bit >>> 3] ^= (byte)(1 << (bit & 7));
        }
        assertEquals(opus.length, cipher.open(packet, 0, header.length, n, out, 0));
    }
}
