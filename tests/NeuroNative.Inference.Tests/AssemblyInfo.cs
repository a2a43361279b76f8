// Tests share the two cores and LibTorch's thread pool; in sequence their timings mean something.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
