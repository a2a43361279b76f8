using System.Diagnostics;

namespace NeuroNative.Interop;

/// <summary>The C spelling of a generated declaration's type, where its C# type loses information
/// (<c>int32_t</c> vs <c>int</c>, <c>nn_status</c>, <c>const</c>). Documentation only.</summary>
[Conditional("DEBUG")]
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue,
    AllowMultiple = false, Inherited = true)]
internal sealed class NativeTypeNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
