using NeuroNative.Interop;
using Xunit;

namespace NeuroNative.Tests.Interop;

public class NativeLibraryTests
{
    [Fact]
    public void Library_version_matches_the_generated_bindings()
    {
        Assert.Equal(NativeMethods.NN_VERSION_NUMBER, Native.VersionNumber());
        Assert.Equal(NativeMethods.NN_ABI_VERSION, Native.AbiVersion());
        Assert.Equal(
            $"{NativeMethods.NN_VERSION_MAJOR}.{NativeMethods.NN_VERSION_MINOR}.{NativeMethods.NN_VERSION_PATCH}",
            Native.VersionString());
    }

    [Fact]
    public void Isa_level_is_reported_and_honours_NEURONATIVE_ISA()
    {
        string level = Native.IsaLevel();
        Assert.NotEmpty(level);
        string? forced = Environment.GetEnvironmentVariable("NEURONATIVE_ISA");
        if (!string.IsNullOrEmpty(forced)) Assert.Equal(forced, level);
    }

    [Fact]
    public void Generated_version_constants_agree()
    {
        Assert.Equal(
            NativeMethods.NN_VERSION_MAJOR * 10000 + NativeMethods.NN_VERSION_MINOR * 100 + NativeMethods.NN_VERSION_PATCH,
            NativeMethods.NN_VERSION_NUMBER);
    }

    [Fact]
    public void Last_error_is_empty_before_any_failure()
    {
        // A fresh thread: the message is per thread, and no call on this one has failed.
        string? message = null;
        var thread = new Thread(() => message = Native.LastErrorMessage());
        thread.Start();
        thread.Join();
        Assert.Equal("", message);
    }

    [Fact]
    public void Build_copies_the_library_next_to_the_assembly()
    {
        string expected = OperatingSystem.IsWindows() ? "neuronative.dll"
            : OperatingSystem.IsMacOS() ? "libneuronative.dylib" : "libneuronative.so";
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, expected)),
            $"the build should copy {expected} to {AppContext.BaseDirectory}");
    }
}
