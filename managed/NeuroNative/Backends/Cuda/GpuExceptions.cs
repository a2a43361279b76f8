namespace NeuroNative;

/// <summary>The GPU backend cannot run here (no CUDA driver, no NVRTC, no device); the message says what is missing.</summary>
public sealed class GpuUnavailableException(string message) : NeuroNativeException(message);

/// <summary>A CUDA driver or NVRTC call failed; the message names the call and the status (e.g. CUDA_ERROR_OUT_OF_MEMORY).</summary>
public sealed class CudaException(string message, int status) : NeuroNativeException(status, message);
