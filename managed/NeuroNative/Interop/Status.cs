using static NeuroNative.Interop.nn_status_code;

namespace NeuroNative.Interop;

/// <summary>Turns an <c>nn_status</c> into the one exception the whole library uses for it.</summary>
internal static class Status
{
    /// <summary>Returns for ok and informational (positive) statuses; otherwise throws at once, before
    /// another native call on this thread can overwrite the last-error message.</summary>
    public static void Check(int status, CancellationToken cancellation = default)
    {
        if (status >= 0)
            return;
        throw ToException(status, Native.LastErrorMessage(), cancellation);
    }

    internal static Exception ToException(int status, string message, CancellationToken cancellation = default)
    {
        var code = (nn_status_code)status;
        if (message.Length == 0)
            message = $"native call failed with {code}";
        return code switch
        {
            NN_ERR_INVALID_ARGUMENT => new ArgumentException(message),
            NN_ERR_INVALID_HANDLE => new NeuroNativeException(status, message),
            NN_ERR_OUT_OF_MEMORY => new OutOfMemoryException(message),
            NN_ERR_NUMERICAL => new SimulationDivergedException(message),
            NN_ERR_IO => new IOException(message),
            NN_ERR_CANCELLED => new OperationCanceledException(message, cancellation),
            NN_ERR_COMPILE => new KernelCompilationException(message),
            NN_ERR_INVALID_STATE => new InvalidOperationException(message),
            _ => new NeuroNativeException(status, message),
        };
    }
}
