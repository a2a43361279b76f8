namespace NeuroNative;

/// <summary>Reports to a delegate on the reporting thread (the native run loop's): <see cref="Progress{T}"/> would post
/// to a synchronization context or the thread pool, out of order with the run.</summary>
internal sealed class ProgressRelay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
