using System.Runtime.InteropServices;

namespace NeuroNative.Backends.Cuda;

// Declarations of the CUDA driver API (cuda.h) and NVRTC (nvrtc.h) that the GPU backend uses, as
// [LibraryImport] in the style of bindings/Generated: blittable types only, handles as IntPtr, device
// pointers as ulong (CUdeviceptr). Both libraries are loaded at run time (CudaLibraries); nothing of the
// CUDA toolkit is needed to build or run NeuroNative. The _v2 entry points are the ones cuda.h maps the
// plain names to since CUDA 4 (64-bit device pointers).

/// <summary>CUresult (cuda.h): the codes the backend names without the driver; any other is named by cuGetErrorName.</summary>
internal enum CUresult : int
{
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_SOURCE = 300,
    CUDA_ERROR_FILE_NOT_FOUND = 301,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_TIMEOUT = 702,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_UNKNOWN = 999,
}

/// <summary>nvrtcResult (nvrtc.h).</summary>
internal enum nvrtcResult : int
{
    NVRTC_SUCCESS = 0,
    NVRTC_ERROR_OUT_OF_MEMORY = 1,
    NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    NVRTC_ERROR_INVALID_INPUT = 3,
    NVRTC_ERROR_INVALID_PROGRAM = 4,
    NVRTC_ERROR_INVALID_OPTION = 5,
    NVRTC_ERROR_COMPILATION = 6,
    NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION = 8,
    NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION = 9,
    NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10,
    NVRTC_ERROR_INTERNAL_ERROR = 11,
    NVRTC_ERROR_TIME_FILE_WRITE_FAILED = 12,
}

/// <summary>CUdevice_attribute values the backend reads.</summary>
internal enum CUdevice_attribute : int
{
    CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
}

internal static unsafe partial class CudaDriverMethods
{
    public const string LibraryName = CudaLibraries.DriverName;

    [LibraryImport(LibraryName)] public static partial CUresult cuInit(uint flags);
    [LibraryImport(LibraryName)] public static partial CUresult cuDriverGetVersion(int* version);
    [LibraryImport(LibraryName)] public static partial CUresult cuGetErrorName(CUresult error, byte** name);
    [LibraryImport(LibraryName)] public static partial CUresult cuGetErrorString(CUresult error, byte** text);
    [LibraryImport(LibraryName)] public static partial CUresult cuDeviceGetCount(int* count);
    [LibraryImport(LibraryName)] public static partial CUresult cuDeviceGet(int* device, int ordinal);
    [LibraryImport(LibraryName)] public static partial CUresult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(LibraryName)] public static partial CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, int device);
    [LibraryImport(LibraryName, EntryPoint = "cuDeviceTotalMem_v2")] public static partial CUresult cuDeviceTotalMem(nuint* bytes, int device);
    [LibraryImport(LibraryName)] public static partial CUresult cuDevicePrimaryCtxRetain(IntPtr* context, int device);
    [LibraryImport(LibraryName, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial CUresult cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(LibraryName)] public static partial CUresult cuCtxSetCurrent(IntPtr context);
    [LibraryImport(LibraryName)] public static partial CUresult cuCtxSynchronize();
    [LibraryImport(LibraryName)] public static partial CUresult cuModuleLoadData(IntPtr* module, void* image);
    [LibraryImport(LibraryName)] public static partial CUresult cuModuleUnload(IntPtr module);
    [LibraryImport(LibraryName)] public static partial CUresult cuModuleGetFunction(IntPtr* function, IntPtr module, byte* name);
    [LibraryImport(LibraryName)]
    public static partial CUresult cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemBytes, IntPtr stream, void** kernelParams, void** extra);
    [LibraryImport(LibraryName, EntryPoint = "cuMemAlloc_v2")] public static partial CUresult cuMemAlloc(ulong* pointer, nuint bytes);
    [LibraryImport(LibraryName, EntryPoint = "cuMemFree_v2")] public static partial CUresult cuMemFree(ulong pointer);
    [LibraryImport(LibraryName, EntryPoint = "cuMemsetD8_v2")] public static partial CUresult cuMemsetD8(ulong pointer, byte value, nuint count);
    [LibraryImport(LibraryName, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial CUresult cuMemcpyHtoDAsync(ulong dst, void* src, nuint bytes, IntPtr stream);
    [LibraryImport(LibraryName, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial CUresult cuMemcpyDtoHAsync(void* dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(LibraryName, EntryPoint = "cuMemcpyDtoDAsync_v2")] public static partial CUresult cuMemcpyDtoDAsync(ulong dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(LibraryName)] public static partial CUresult cuStreamCreate(IntPtr* stream, uint flags);
    [LibraryImport(LibraryName, EntryPoint = "cuStreamDestroy_v2")] public static partial CUresult cuStreamDestroy(IntPtr stream);
    [LibraryImport(LibraryName)] public static partial CUresult cuStreamSynchronize(IntPtr stream);
    [LibraryImport(LibraryName)] public static partial CUresult cuEventCreate(IntPtr* cuEvent, uint flags);
    [LibraryImport(LibraryName)] public static partial CUresult cuEventRecord(IntPtr cuEvent, IntPtr stream);
    [LibraryImport(LibraryName)] public static partial CUresult cuEventSynchronize(IntPtr cuEvent);
    [LibraryImport(LibraryName)] public static partial CUresult cuEventElapsedTime(float* milliseconds, IntPtr start, IntPtr end);
    [LibraryImport(LibraryName, EntryPoint = "cuEventDestroy_v2")] public static partial CUresult cuEventDestroy(IntPtr cuEvent);
}

internal static unsafe partial class NvrtcMethods
{
    public const string LibraryName = CudaLibraries.NvrtcName;

    [LibraryImport(LibraryName)] public static partial byte* nvrtcGetErrorString(nvrtcResult result);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcVersion(int* major, int* minor);
    [LibraryImport(LibraryName)]
    public static partial nvrtcResult nvrtcCreateProgram(IntPtr* program, byte* source, byte* name, int numHeaders, byte** headers, byte** includeNames);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcDestroyProgram(IntPtr* program);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcCompileProgram(IntPtr program, int numOptions, byte** options);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetProgramLogSize(IntPtr program, nuint* size);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetProgramLog(IntPtr program, byte* log);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetPTXSize(IntPtr program, nuint* size);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetPTX(IntPtr program, byte* ptx);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetCUBINSize(IntPtr program, nuint* size);
    [LibraryImport(LibraryName)] public static partial nvrtcResult nvrtcGetCUBIN(IntPtr program, byte* cubin);
}
