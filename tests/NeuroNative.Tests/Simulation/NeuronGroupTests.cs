using NeuroNative.Models;
using Xunit;

namespace NeuroNative.Tests.Simulation;

public class NeuronGroupTests
{
    private static readonly ModelDefinition Decay = new("dv/dt = -v/tau : 1\nw : 1") { Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" } };

    [Fact]
    public void RandomInitialValuesAreSeededAndFreshForEachAssignment()
    {
        double[] Draw(ulong seed, out double[] second)
        {
            using var group = new NeuronGroup(1000, Decay, new SimulationOptions { Seed = seed });
            group.Set("v", "rand()");
            group.Set("w", "rand()");
            second = group.Get("w");
            return group.Get("v");
        }
        var v = Draw(3, out var w);
        Assert.All(v, x => Assert.InRange(x, 0.0, 1.0));
        Assert.InRange(v.Average(), 0.45, 0.55);
        Assert.NotEqual(v, w);
        Assert.Equal(v, Draw(3, out _));
        Assert.NotEqual(v, Draw(4, out _));
    }

    [Fact]
    public void StepsFollowBriansRounding()
    {
        using var group = new NeuronGroup(1, Decay);
        Assert.Equal(10000, group.StepsFor(1.0));
        Assert.Equal(3, group.StepsFor(0.00025)); // 2.5 steps: not within 1e-4 dt of a whole number -> ceil
        Assert.Equal(1, group.StepsFor(1e-4 * (1 + 1e-6)));
    }

    [Fact]
    public void SubexpressionsCanBeRecorded()
    {
        var s = NeuroNative.Tests.Models.ReferenceScenario.Get("jansen_rit");
        using var group = NativeReferenceTests.Build(s);
        var monitor = group.Record(["psp", "y1", "y2"], [0, 5], every: 10);
        group.Run(0.05);
        var psp = monitor["psp"];
        Assert.Equal(50, psp.Times.Length);
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 50; k++)
                Assert.Equal(monitor["y1"].Values[n][k] - monitor["y2"].Values[n][k], psp.Values[n][k]);
    }
}
