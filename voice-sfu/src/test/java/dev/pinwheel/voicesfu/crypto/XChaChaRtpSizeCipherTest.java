package dev.pinwheel.voicesfu.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * HChaCha20 and XChaCha20-Poly1305 against draft-irtf-cfrg-xchacha-03 (§2.2.1 and appendix A.3.1), and both
 * rtpsize ciphers: round trip, header as AAD, tampering detected.
 */
class XChaChaRtpSizeCipherTest
{
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hchacha20MatchesDraftSection221()
    {
        final byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        final byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
        final byte[] out = new byte[32];
        new HChaCha20().derive(key, nonce, 0, out, 0);
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", HEX.formatHex(out));
    }

    @Test
    void xchacha20Poly1305MatchesDraftAppendixA31() throws GeneralSecurityException
    {
        final byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        final byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        final byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        final byte[] plain = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
            + "future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        final String expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
            + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
            + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
            + "21f9664c97637da9768812f615c68b13b52e" + "c0875924c1c7987947deafd8780acf49";
        final byte[] sealed = XChaChaRtpSizeCipher.encrypt(key, nonce, aad, plain);
        assertEquals(expected, HEX.formatHex(sealed));
        assertArrayEquals(plain, XChaChaRtpSizeCipher.decrypt(key, nonce, aad, sealed));
        sealed[sealed.length - 1] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> XChaChaRtpSizeCipher.decrypt(key, nonce, aad, sealed));
    }

    @Test
    void rtpSizeXChaChaEqualsTheConstructionWithCounterNonce() throws GeneralSecurityException
    {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte)7);
        final byte[] header = {(byte)0x80, 0x78, 0, 1, 0, 0, 0, (byte)0xC0, 0, 0, 0, 42};
        final byte[] opus = {(byte)0xFC, 1, 2, 3, 4, 5};
        final byte[] packet = new byte[64];
        final int n = AeadMode.AEAD_XCHACHA20_POLY1305_RTPSIZE.newCipher(key)
            .seal(header, 0, header.length, opus, 0, opus.length, 0x01020304, packet, 0);
        final byte[] nonce = new byte[24];
        nonce[0] = 1;
        nonce[1] = 2;
        nonce[2] = 3;
        nonce[3] = 4;
        final byte[] ref = XChaChaRtpSizeCipher.encrypt(key, nonce, header, opus);
        assertArrayEquals(ref, Arrays.copyOfRange(packet, header.length, n - 4));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(packet, n - 4, n));
    }

    @ParameterizedTest
    @EnumSource(AeadMode.class)
    void roundTripAndTamper(final AeadMode mode)
    {
        final byte[] key = new byte[32];
        key[5] = 9;
        final RtpSizeCipher sealer = mode.newCipher(key);
        final RtpSizeCipher opener = mode.newCipher(key);
        final byte[] header = {(byte)0x80, 0x78, 0, 1, 0, 0, 0, (byte)0xC0, 0, 0, 0, 42};
        final byte[] opus = new byte[120];
        Arrays.fill(opus, (byte)0x5A);
        final byte[] packet = new byte[200];
        final byte[] out = new byte[200];
        for (int nonce = 1; nonce < 4; nonce++)
        {
            final int n = sealer.seal(header, 0, header.length, opus, 0, opus.length, nonce, packet, 0);
            assertEquals(header.length + opus.length + 16 + 4, n);
            assertEquals(opus.length, opener.open(packet, 0, header.length, n, out, 0));
            assertArrayEquals(opus, Arrays.copyOf(out, opus.length));
            packet[3] ^= 1; // header is authenticated
            assertEquals(RtpSizeCipher.FAILED, opener.open(packet, 0, header.length, n, out, 0));
            packet[3] ^= 1;
            packet[n - 5] ^= 1; // tag
            assertEquals(RtpSizeCipher.FAILED, opener.open(packet, 0, header.length, n, out, 0));
            packet[n - 5] ^= 1;
            assertEquals(RtpSizeCipher.FAILED, mode.newCipher(new byte[32]).open(packet, 0, header.length, n, out, 0));
        }
        assertEquals(RtpSizeCipher.FAILED, opener.open(packet, 0, header.length, header.length + 10, out, 0));
    }
}
