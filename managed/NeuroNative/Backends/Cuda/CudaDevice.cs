using static NeuroNative.Backends.Cuda.CudaDriverMethods;

namespace NeuroNative.Backends.Cuda;

/// <summary>The primary context of a device, held while the backend uses it (released on dispose).</summary>
internal sealed class CudaContextHandle : Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid
{
    public CudaContextHandle(IntPtr context, int device) : base(ownsHandle: true)
    {
        SetHandle(context);
        Device = device;
    }

    public int Device { get; }

    protected override bool ReleaseHandle() => cuDevicePrimaryCtxRelease(Device) == CUresult.CUDA_SUCCESS;
}

/// <summary>A loaded CUDA module (cuModuleUnload on dispose).</summary>
internal sealed class CudaModuleHandle(IntPtr module) : Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    private readonly IntPtr _module = module;

    public IntPtr Module => _module;

    protected override bool ReleaseHandle() => cuModuleUnload(_module) == CUresult.CUDA_SUCCESS;

    public override bool IsInvalid => _module == IntPtr.Zero;
}

/// <summary>A CUDA stream (cuStreamDestroy on dispose).</summary>
internal sealed class CudaStreamHandle(IntPtr stream) : Microsoft.Win32.SafeHandles.SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    private readonly IntPtr _stream = stream;

    public IntPtr Stream => _stream;

    protected override bool ReleaseHandle() => cuStreamDestroy(_stream) == CUresult.CUDA_SUCCESS;

    public override bool IsInvalid => _stream == IntPtr.Zero;
}

/// <summary>Device 0 through the driver API: its primary context, one stream, the model's module and kernel.</summary>
internal sealed unsafe class CudaDevice : IGpuDevice
{
    /// <summary>Threads per block of the fused kernel (a thread per neuron; the block size only groups them).</summary>
    public const int BlockSize = 128;

    private readonly CudaContextHandle _context;
    private readonly CudaStreamHandle _stream;
    private readonly CudaModuleHandle _module;
    private readonly IntPtr _function;
    private readonly HashSet<ulong> _allocations = [];

    private CudaDevice(CudaContextHandle context, CudaStreamHandle stream, CudaModuleHandle module, IntPtr function, string description)
    {
        _context = context;
        _stream = stream;
        _module = module;
        _function = function;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Checks a driver call: anything but CUDA_SUCCESS throws with the call and the status by name.</summary>
    public static void Check(CUresult result, string call)
    {
        if (result != CUresult.CUDA_SUCCESS) throw new CudaException($"{call} failed: {Describe(result)}", (int)result);
    }

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY (out of memory)": the driver's name and text, else the enum's name and number.</summary>
    public static string Describe(CUresult result)
    {
        byte* name = null, text = null;
        try
        {
            if (cuGetErrorName(result, &name) == CUresult.CUDA_SUCCESS && cuGetErrorString(result, &text) == CUresult.CUDA_SUCCESS)
                return $"{CudaLibraries.Text(name)} ({CudaLibraries.Text(text)})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or GpuUnavailableException)
        {
        }
        return Enum.IsDefined(result) ? $"{result} ({(int)result})" : $"CUresult {(int)result}";
    }

    /// <summary>The driver's device 0, initialised: what NVRTC must compile for (sm_XY) and how it reads.</summary>
    public static (int Device, int Major, int Minor, string Description) Probe()
    {
        CudaLibraries.EnsureResolver();
        CudaLibraries.LoadDriver();
        CUresult init = cuInit(0);
        if (init == CUresult.CUDA_ERROR_NO_DEVICE)
            throw new GpuUnavailableException($"the CUDA driver found no GPU (cuInit: {Describe(init)})");
        Check(init, "cuInit");
        int count, device, major, minor, sms, version;
        Check(cuDeviceGetCount(&count), "cuDeviceGetCount");
        if (count == 0) throw new GpuUnavailableException("the CUDA driver reports no device");
        Check(cuDeviceGet(&device, 0), "cuDeviceGet");
        Check(cuDeviceGetAttribute(&major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
        Check(cuDeviceGetAttribute(&minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute");
        Check(cuDeviceGetAttribute(&sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device), "cuDeviceGetAttribute");
        Check(cuDriverGetVersion(&version), "cuDriverGetVersion");
        byte* name = stackalloc byte[256];
        Check(cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        return (device, major, minor, $"{CudaLibraries.Text(name)} (sm_{major}{minor}, {sms} SMs), driver {version / 1000}.{version % 1000 / 10}");
    }

    /// <summary>Loads the compiled image (CUBIN) into device 0's primary context.</summary>
    public static CudaDevice Open(int device, byte[] image, string description)
    {
        IntPtr context, stream, module, function;
        Check(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        var contextHandle = new CudaContextHandle(context, device);
        try
        {
            Check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            Check(cuStreamCreate(&stream, 0), "cuStreamCreate");
            var streamHandle = new CudaStreamHandle(stream);
            fixed (byte* p = image) Check(cuModuleLoadData(&module, p), "cuModuleLoadData");
            var moduleHandle = new CudaModuleHandle(module);
            fixed (byte* n = CudaLibraries.Utf8z(CudaCodeGenerator.KernelName))
                Check(cuModuleGetFunction(&function, module, n), $"cuModuleGetFunction({CudaCodeGenerator.KernelName})");
            return new CudaDevice(contextHandle, streamHandle, moduleHandle, function, description);
        }
        catch
        {
            contextHandle.Dispose();
            throw;
        }
    }

    private void Current() => Check(cuCtxSetCurrent(_context.DangerousGetHandle()), "cuCtxSetCurrent");

    public ulong Allocate(long bytes)
    {
        Current();
        ulong p;
        Check(cuMemAlloc(&p, (nuint)Math.Max(bytes, 1)), $"cuMemAlloc({bytes} bytes)");
        _allocations.Add(p);
        Check(cuMemsetD8(p, 0, (nuint)Math.Max(bytes, 1)), "cuMemsetD8");
        return p;
    }

    public void Free(ulong pointer)
    {
        if (!_allocations.Remove(pointer)) return;
        Current();
        Check(cuMemFree(pointer), "cuMemFree");
    }

    public void Upload<T>(ulong destination, ReadOnlySpan<T> source) where T : unmanaged
    {
        Current();
        fixed (T* p = source)
            Check(cuMemcpyHtoDAsync(destination, p, (nuint)(source.Length * sizeof(T)), _stream.Stream), "cuMemcpyHtoDAsync");
        Check(cuStreamSynchronize(_stream.Stream), "cuStreamSynchronize");
    }

    public void Download<T>(ulong source, Span<T> destination) where T : unmanaged
    {
        Current();
        fixed (T* p = destination)
            Check(cuMemcpyDtoHAsync(p, source, (nuint)(destination.Length * sizeof(T)), _stream.Stream), "cuMemcpyDtoHAsync");
        Check(cuStreamSynchronize(_stream.Stream), "cuStreamSynchronize");
    }

    public void Copy(ulong destination, ulong source, long bytes)
    {
        Current();
        Check(cuMemcpyDtoDAsync(destination, source, (nuint)bytes, _stream.Stream), "cuMemcpyDtoDAsync");
    }

    public void Launch(in GpuArgs args)
    {
        Current();
        uint grid = (uint)((args.N + BlockSize - 1) / BlockSize);
        fixed (GpuArgs* a = &args)
        {
            void* parameter = a;
            Check(cuLaunchKernel(_function, Math.Max(grid, 1), 1, 1, BlockSize, 1, 1, 0, _stream.Stream, &parameter, null),
                $"cuLaunchKernel({CudaCodeGenerator.KernelName}, {grid} blocks of {BlockSize})");
            Check(cuStreamSynchronize(_stream.Stream), $"{CudaCodeGenerator.KernelName} (cuStreamSynchronize)");
        }
    }

    public void Dispose()
    {
        if (_context.IsClosed) return;
        Current();
        foreach (ulong p in _allocations) cuMemFree(p);
        _allocations.Clear();
        _module.Dispose();
        _stream.Dispose();
        _context.Dispose();
    }
}
