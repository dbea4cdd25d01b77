package dev.pinwheel.benchmarks.fanout;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link FanoutBenchmark} on a Netty {@code FastThreadLocalThread} (see {@link FastThreadLocalExecutor}), where
 * Netty's {@code Recycler} pools the {@code ByteBuf} objects of pooled buffers. {@link FanoutBenchmark} runs on
 * a plain thread, as Pinwheel's shard threads are today.
 */
@Fork(value = 1, jvmArgsAppend = {
    "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=dev.pinwheel.benchmarks.fanout.FastThreadLocalExecutor"})
public class FanoutBenchmarkNettyThread extends FanoutBenchmark
{
}
