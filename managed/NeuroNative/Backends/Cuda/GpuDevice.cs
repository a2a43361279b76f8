using System.Runtime.InteropServices;

namespace NeuroNative.Backends.Cuda;

/// <summary>nn_gpu_args (neuronative/gpu.hpp) field for field; device pointers as ulong.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpuArgs
{
    public const int Size = 208; // gpu.hpp static_asserts the same

    public ulong State, Params, LastSpike, NotRefractory, Inputs, Operations, SpikeCount, EventNeuron, EventStep, EventCount,
        Trace, TraceColumn, Failure, Reducers;
    public long N, FirstNeuron, EventCapacity, TraceEvery, NTraced, K0, K1;
    public ulong Seed;
    public double Dt, NNeurons;
    public int NOperations, NReducers, SampleAfter, InitReducersFrom;
}

/// <summary>nn_gpu_reducer (gpu.hpp).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpuReducerDesc
{
    public const int Size = 96;

    public int Kind, Var;
    public long Capacity, Slots, Width, Start, End, Every;
    public ulong Acc, Value, Target;
    public long TargetRows, TargetSamples;
}

/// <summary>nn_kernel_input (kernel_abi.h): a TimedArray with its values in device memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpuInput
{
    public ulong Values;
    public long Times, Columns;
    public double Epsilon, K;
}

/// <summary>nn::Operation (schedule.hpp).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpuOperation
{
    public int Slot;
    public long Every;
}

/// <summary>What the GPU runner needs of a device: zeroed memory, copies, and launches of the model's fused kernel
/// over <see cref="GpuArgs.N"/> threads, waited for. <see cref="CudaDevice"/> is the GPU; <see cref="EmulatedDevice"/> runs
/// the same kernel source compiled for the host, so that the runner is tested on machines without a GPU.</summary>
internal interface IGpuDevice : IDisposable
{
    /// <summary>E.g. "NVIDIA H200 (sm_90, 132 SMs), driver 13.0, NVRTC 13.0" or "host emulation".</summary>
    string Description { get; }
    ulong Allocate(long bytes);
    void Free(ulong pointer);
    void Upload<T>(ulong destination, ReadOnlySpan<T> source) where T : unmanaged;
    void Download<T>(ulong source, Span<T> destination) where T : unmanaged;
    void Copy(ulong destination, ulong source, long bytes);
    void Launch(in GpuArgs args);
}

/// <summary>The fused kernel compiled for the host (<c>-DNN_GPU_EMULATION</c>, the compiled backend's compiler and
/// cache), host memory as "device" memory, a launch as a loop over the threads.</summary>
internal sealed unsafe class EmulatedDevice : IGpuDevice
{
    private readonly IntPtr _library;
    private readonly delegate* unmanaged<GpuArgs*, void> _emulate;
    private readonly HashSet<ulong> _allocations = [];

    public EmulatedDevice(string kernelCode, string? cacheDirectory, string? compiler)
    {
        var host = Cpp.HostCompiler.Find(compiler);
        string include = Cpp.HostCompiler.IncludeDirectory();
        var source = new Cpp.KernelSource("#define NN_GPU_EMULATION 1\n" + kernelCode, "gpu-emulation");
        var cache = new Cpp.KernelCache(cacheDirectory ?? Cpp.KernelCache.DefaultDirectory());
        string key = Cpp.KernelCache.Key(source, host, include, Cpp.HostCpu.Identity);
        var (path, _) = cache.GetOrBuild(key, source, host, include, rebuild: false);
        _library = NativeLibrary.Load(path);
        _emulate = (delegate* unmanaged<GpuArgs*, void>)NativeLibrary.GetExport(_library, CudaCodeGenerator.EmulationEntry);
    }

    public string Description => "host emulation of the CUDA kernel";

    public ulong Allocate(long bytes)
    {
        ulong p = (ulong)NativeMemory.AllocZeroed((nuint)Math.Max(bytes, 1));
        _allocations.Add(p);
        return p;
    }

    public void Free(ulong pointer)
    {
        if (_allocations.Remove(pointer)) NativeMemory.Free((void*)pointer);
    }

    public void Upload<T>(ulong destination, ReadOnlySpan<T> source) where T : unmanaged =>
        source.CopyTo(new Span<T>((void*)destination, source.Length));

    public void Download<T>(ulong source, Span<T> destination) where T : unmanaged =>
        new ReadOnlySpan<T>((void*)source, destination.Length).CopyTo(destination);

    public void Copy(ulong destination, ulong source, long bytes) =>
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);

    public void Launch(in GpuArgs args)
    {
        fixed (GpuArgs* a = &args) _emulate(a);
    }

    public void Dispose()
    {
        foreach (ulong p in _allocations) NativeMemory.Free((void*)p);
        _allocations.Clear();
        NativeLibrary.Free(_library);
    }
}
