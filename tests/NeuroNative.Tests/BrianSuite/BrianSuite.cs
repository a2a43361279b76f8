using System.Text.Json;
using NeuroNative.Models;
using NeuroNative.Tests.Backends;
using Xunit;

namespace NeuroNative.Tests.BrianSuite;

/// <summary>
/// Shared by the ports of Brian 2.5.1's own tests (docs/brian2-test-suite.md maps each Brian test to
/// ours): both backends, and the numbers Brian produced (tests/data/brian_suite, see its PROVENANCE.md).
/// </summary>
internal static class BrianSuite
{
    /// <summary>Every port runs on both backends (the compiled one skips itself without a host compiler).</summary>
    public static TheoryData<Backend> Backends => new() { Backend.Interpreted, Backend.Compiled };

    public static SimulationOptions Options(Backend backend, double dt = 1e-4)
    {
        if (backend == Backend.Compiled) CompiledKernelTests.SkipWithoutCompiler();
        var options = backend == Backend.Compiled ? CompiledKernelTests.Compiled : new SimulationOptions { Backend = backend };
        return options with { Dt = dt };
    }

    public static NeuronGroup Group(Backend backend, int n, string equations, string? threshold = null, string? reset = null,
        string? refractory = null, string? method = null, Dictionary<string, NamespaceValue>? ns = null, double dt = 1e-4,
        string? functions = null) =>
        new(n, new ModelDefinition(equations)
        {
            Threshold = threshold, Reset = reset, Refractory = refractory, Method = method, Namespace = ns ?? [],
            Functions = functions,
        }, Options(backend, dt));

    private static readonly Lazy<JsonElement> Cases = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "data", "brian_suite", "brian_suite.json"))).RootElement.GetProperty("cases"));

    public static JsonElement Case(string name) => Cases.Value.GetProperty(name);

    /// <summary>numpy's assert_allclose with an absolute tolerance: same length, every pair within it.</summary>
    public static void AllClose(IEnumerable<double> expected, IEnumerable<double> actual, double tolerance)
    {
        double[] e = expected.ToArray(), a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int k = 0; k < e.Length; k++)
            Assert.True(Math.Abs(e[k] - a[k]) <= tolerance, $"element {k}: expected {e[k]:R}, got {a[k]:R}");
    }

    /// <summary>The first sample of every recorded neuron (a run of one step).</summary>
    public static double[] Flat(StateMonitor mon, string name) => mon[name].Values.Select(r => r[0]).ToArray();

    public static double[] Vector(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    public static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(Vector).ToArray();
}
