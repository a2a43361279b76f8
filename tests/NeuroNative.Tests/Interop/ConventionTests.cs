using System.Text.RegularExpressions;
using NeuroNative.Interop;
using Xunit;

namespace NeuroNative.Tests.Interop;

/// <summary>README.md, Bindings: nothing public in NeuroNative.Interop, and Native.cs is the only caller of
/// NativeMethods.</summary>
public class ConventionTests
{
    [Fact]
    public void No_public_types_in_the_interop_namespace()
    {
        var exposed = typeof(Native).Assembly.GetTypes()
            .Where(t => t.IsVisible && t.Namespace is not null && t.Namespace.StartsWith("NeuroNative.Interop", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(exposed);
    }

    [Fact]
    public void Public_exceptions_live_in_the_root_namespace()
    {
        foreach (var type in new[] { typeof(NeuroNativeException), typeof(SimulationDivergedException), typeof(KernelCompilationException) })
        {
            Assert.True(type.IsPublic);
            Assert.Equal("NeuroNative", type.Namespace);
        }
    }

    [Fact]
    public void Only_Native_cs_uses_NativeMethods()
    {
        string managed = Path.Combine(RepoRoot(), "managed");
        string native = Path.Combine(managed, "NeuroNative", "Interop", "Native.cs");
        var pattern = new Regex(@"\bNativeMethods\b");
        var offenders = Directory.EnumerateFiles(managed, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(managed, f) && Path.GetFullPath(f) != Path.GetFullPath(native))
            .Where(f => File.ReadLines(f).Any(line => pattern.IsMatch(line)))
            .Select(f => Path.GetRelativePath(managed, f))
            .ToList();
        Assert.True(File.Exists(native), $"{native} is missing");
        Assert.Empty(offenders);
    }

    private static bool IsBuildOutput(string managed, string file) =>
        Path.GetRelativePath(managed, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    /// <summary>The folder holding NeuroNative.sln, found by walking up from the test binaries.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuroNative.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no NeuroNative.sln above {AppContext.BaseDirectory}");
    }
}
