using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeuroNative.Interop;

/// <summary>Owns one native object of type <typeparamref name="T"/>; calls take a <see cref="Lease"/>
/// so a concurrent Dispose cannot free the object under a running native call.</summary>
internal abstract unsafe class NativeHandle<T> : SafeHandleZeroOrMinusOneIsInvalid where T : unmanaged
{
    protected NativeHandle(IntPtr ptr, bool owned) : base(owned) => SetHandle(ptr);

    /// <summary>Throws <see cref="ObjectDisposedException"/> when the handle is already closed.</summary>
    public HandleLease<T> Lease() => new(this);

    protected T* Ptr => (T*)handle;
}

/// <summary>AddRef/Release around one native call.</summary>
internal readonly unsafe ref struct HandleLease<T> where T : unmanaged
{
    private readonly SafeHandle _handle;

    public HandleLease(SafeHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        _handle = handle;
    }

    public T* Ptr => (T*)_handle.DangerousGetHandle();

    public void Dispose() => _handle.DangerousRelease();
}

internal sealed unsafe class ModelHandle(IntPtr ptr, bool owned) : NativeHandle<nn_model>(ptr, owned)
{
    protected override bool ReleaseHandle()
    {
        Native.ModelDestroy(Ptr);
        return true;
    }
}

internal sealed unsafe class SimulationHandle(IntPtr ptr, bool owned) : NativeHandle<nn_simulation>(ptr, owned)
{
    protected override bool ReleaseHandle()
    {
        Native.SimulationDestroy(Ptr);
        return true;
    }
}
