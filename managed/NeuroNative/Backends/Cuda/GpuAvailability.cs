namespace NeuroNative.Backends.Cuda;

/// <summary>Whether the GPU backend can run here: the CUDA driver with a device, and NVRTC.</summary>
internal static class GpuAvailability
{
    /// <summary>The device and NVRTC, described; <see cref="GpuUnavailableException"/> names what is missing.</summary>
    public static string Require()
    {
        var (_, _, _, device) = CudaDevice.Probe();
        return $"{device}, NVRTC {Nvrtc.Version()} ({CudaLibraries.NvrtcFile})";
    }
}
