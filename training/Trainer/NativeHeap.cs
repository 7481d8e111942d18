using System.Runtime.InteropServices;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// Tunes glibc's malloc, which libtorch's CPU allocator uses, for training loops.
/// </summary>
/// <remarks>
/// A training step allocates and frees the same activations every step, many of them several MB.
/// By default glibc serves blocks that large with fresh mmap()s, or returns the freed top of the heap
/// to the kernel, so every step faults its activations in again page by page: on the 2-core
/// benchmark machine about 15,000 page faults per tiny step, over 10% of its CPU time. Serving
/// blocks up to glibc's 32 MB limit from the heap and keeping freed memory in the process makes the
/// next step reuse it. The process keeps its peak heap instead of shrinking between steps; larger
/// blocks (a big vocabulary's logits) are still mmap()ed and returned. The settings are
/// process-wide and idempotent; elsewhere than on glibc they are skipped.
/// </remarks>
public static class NativeHeap
{
    const int TrimThreshold = -1;   // M_TRIM_THRESHOLD: free heap top kept before returning it to the kernel
    const int MmapThreshold = -3;   // M_MMAP_THRESHOLD: blocks at least this large get their own mmap()
    const int LargestHeapBlock = 32 << 20;   // glibc's maximum for M_MMAP_THRESHOLD on 64-bit

    static int configured;

    /// <summary>Keep freed memory for reuse instead of returning it to the kernel (once per process).</summary>
    public static void KeepFreedMemoryForReuse()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref configured, 1) == 1) return;
        try
        {
            Mallopt(MmapThreshold, LargestHeapBlock);
            Mallopt(TrimThreshold, int.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): keep its defaults.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);
}
