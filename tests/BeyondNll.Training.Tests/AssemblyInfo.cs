// libtorch's random generator and thread count are process-wide: tests that seed a model or set
// threads must not run beside each other, or their draws interleave and "same seed, same run" breaks.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
