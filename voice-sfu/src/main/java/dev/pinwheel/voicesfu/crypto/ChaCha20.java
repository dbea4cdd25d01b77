package dev.pinwheel.voicesfu.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.slf4j.LoggerFactory;

/**
 * The ChaCha20 stream cipher of RFC 8439 §2.4 (32-bit block counter, 96-bit nonce) as a keystream reader: set
 * key, nonce and first block with {@link #init}, then {@link #read} or {@link #xor} consecutive keystream bytes.
 * <p>
 * Keystream is made a chunk at a time. When the JVM runs with
 * {@code --add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED} (Pinwheel's {@code modules.args}), a chunk
 * comes from the JDK's own ChaCha20 block kernel ({@code ChaCha20Cipher.implChaCha20Block}, an intrinsic that
 * makes 4 blocks per call with AVX2, 16 with AVX-512) called through a constant method handle on our own state;
 * otherwise from the portable block function below (one block, sixteen local variables). Both are checked
 * against each other before the kernel is trusted. NOT thread-safe; allocation-free.
 */
final class ChaCha20
{
    static final int C0 = 0x61707865;
    static final int C1 = 0x3320646e;
    static final int C2 = 0x79622d32;
    static final int C3 = 0x6b206574;
    /** Keystream buffer: the JDK kernel may write up to 16 blocks per call. */
    private static final int CHUNK = 1024;
    /** {@code static int implChaCha20Block(int[] initState, byte[] result)} or null. */
    private static final MethodHandle JDK_KERNEL = jdkKernel();

    private final boolean useKernel;
    private final int[] state = new int[16];
    private final int[] work = new int[16];
    private final byte[] ks = new byte[CHUNK];
    private int ksPos;
    private int ksLen;

    ChaCha20()
    {
        this(true);
    }

    /**
     * @param useJdkKernel false forces the portable block function (tests compare both).
     */
    ChaCha20(final boolean useJdkKernel)
    {
        this.useKernel = useJdkKernel && JDK_KERNEL != null;
    }

    /**
     * @return true when the JDK's intrinsic ChaCha20 kernel is reachable in this JVM.
     */
    static boolean jdkKernelAvailable()
    {
        return JDK_KERNEL != null;
    }

    /**
     * Positions the keystream at block {@code counter} of (key, nonce).
     */
    void init(final byte[] key, final int keyOff, final byte[] nonce, final int nOff, final int counter)
    {
        final int[] s = state;
        s[0] = C0;
        s[1] = C1;
        s[2] = C2;
        s[3] = C3;
        for (int i = 0; i < 8; i++)
        {
            s[4 + i] = Bytes.le32(key, keyOff + 4 * i);
        }
        s[12] = counter;
        s[13] = Bytes.le32(nonce, nOff);
        s[14] = Bytes.le32(nonce, nOff + 4);
        s[15] = Bytes.le32(nonce, nOff + 8);
        ksPos = 0;
        ksLen = 0;
    }

    /** Copies the next {@code len} keystream bytes to {@code out}. */
    void read(final byte[] out, final int outOff, final int len)
    {
        int done = 0;
        while (done < len)
        {
            if (ksPos == ksLen)
            {
                refill();
            }
            final int n = Math.min(len - done, ksLen - ksPos);
            System.arraycopy(ks, ksPos, out, outOff + done, n);
            ksPos += n;
            done += n;
        }
    }

    /**
     * XORs the next {@code len} keystream bytes over {@code in} into {@code out} ({@code out} may be {@code in}
     * at the same offset).
     */
    void xor(final byte[] in, final int inOff, final int len, final byte[] out, final int outOff)
    {
        int done = 0;
        while (done < len)
        {
            if (ksPos == ksLen)
            {
                refill();
            }
            final int n = Math.min(len - done, ksLen - ksPos);
            Bytes.xor(in, inOff + done, ks, ksPos, out, outOff + done, n);
            ksPos += n;
            done += n;
        }
    }

    private void refill()
    {
        final int n;
        if (useKernel)
        {
            try
            {
                n = (int)JDK_KERNEL.invokeExact(state, ks);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        else
        {
            n = block(state, work, ks);
        }
        state[12] += n >>> 6;
        ksPos = 0;
        ksLen = n;
    }

    /**
     * One ChaCha20 block of {@code s} (not modified) into {@code out[0..64)}, using {@code work} (16 ints).
     *
     * @return 64.
     */
    static int block(final int[] s, final int[] work, final byte[] out)
    {
        System.arraycopy(s, 0, work, 0, 16);
        permute(work);
        for (int i = 0; i < 16; i++)
        {
            Bytes.putLe32(out, 4 * i, work[i] + s[i]);
        }
        return 64;
    }

    /**
     * The 20 ChaCha rounds (10 column + diagonal double rounds) over {@code x}, in place, without the final
     * addition: shared by the block function and HChaCha20. The state is held in sixteen locals (registers).
     */
    static void permute(final int[] x)
    {
        int x0 = x[0];
        int x1 = x[1];
        int x2 = x[2];
        int x3 = x[3];
        int x4 = x[4];
        int x5 = x[5];
        int x6 = x[6];
        int x7 = x[7];
        int x8 = x[8];
        int x9 = x[9];
        int x10 = x[10];
        int x11 = x[11];
        int x12 = x[12];
        int x13 = x[13];
        int x14 = x[14];
        int x15 = x[15];
        for (int i = 0; i < 10; i++)
        {
            // column round: quarter rounds on (0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15)
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonal round: (0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14)
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        x[0] = x0;
        x[1] = x1;
        x[2] = x2;
        x[3] = x3;
        x[4] = x4;
        x[5] = x5;
        x[6] = x6;
        x[7] = x7;
        x[8] = x8;
        x[9] = x9;
        x[10] = x10;
        x[11] = x11;
        x[12] = x12;
        x[13] = x13;
        x[14] = x14;
        x[15] = x15;
    }

    private static MethodHandle jdkKernel()
    {
        try
        {
            final Class<?> c = Class.forName("com.sun.crypto.provider.ChaCha20Cipher");
            final MethodHandle mh = MethodHandles.privateLookupIn(c, MethodHandles.lookup()).findStatic(c,
                "implChaCha20Block", MethodType.methodType(int.class, int[].class, byte[].class));
            // trust it only if it agrees with the portable block function, block for block
            final int[] s = {C0, C1, C2, C3, 1, 2, 3, 4, 5, 6, 7, 8, 0x0badcafe, 9, 10, 11};
            final byte[] fast = new byte[CHUNK];
            final byte[] slow = new byte[64];
            final int[] work = new int[16];
            final int n = (int)mh.invokeExact(s, fast);
            if (n < 64 || n > CHUNK || (n & 63) != 0)
            {
                throw new IllegalStateException("unexpected keystream length " + n);
            }
            for (int b = 0; b < n; b += 64)
            {
                final int[] sb = s.clone();
                sb[12] += b >>> 6;
                block(sb, work, slow);
                if (!java.util.Arrays.equals(fast, b, b + 64, slow, 0, 64))
                {
                    throw new IllegalStateException("JDK ChaCha20 kernel disagrees at block " + (b >>> 6));
                }
            }
            return mh;
        }
        catch (final Throwable ex)
        {
            LoggerFactory.getLogger(ChaCha20.class).info("voice XChaCha20: portable ChaCha20 (JDK kernel not "
                + "reachable: {}; add --add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED for the intrinsic)",
                ex.toString());
            return null;
        }
    }
}
