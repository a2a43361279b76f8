using NeuroNative.Interop;

namespace NeuroNative;

/// <summary>A failure reported by the native core that no more specific .NET exception describes.
/// <see cref="StatusCode"/> is the <c>nn_status</c> the call returned (0 where none did).</summary>
public class NeuroNativeException : Exception
{
    public int StatusCode { get; }

    public NeuroNativeException(string message) : base(message) { }

    public NeuroNativeException(int statusCode, string message) : base(message) => StatusCode = statusCode;
}

/// <summary>A state variable became NaN or infinite; the message names the variable, the neuron and
/// the time. Records up to that step are kept, but the simulation cannot continue.</summary>
public sealed class SimulationDivergedException(string message)
    : NeuroNativeException((int)nn_status_code.NN_ERR_NUMERICAL, message);

/// <summary>A compiled kernel could not be built or loaded; the message carries the compiler log.</summary>
public sealed class KernelCompilationException(string message)
    : NeuroNativeException((int)nn_status_code.NN_ERR_COMPILE, message);
